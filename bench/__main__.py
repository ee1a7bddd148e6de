"""``python -m bench [names...] [--write]``: run benchmarks and print (or record) their figures.

A benchmark is any module ``bench/<name>.py`` (not starting with ``_``) that defines::

    TITLE = "What it measures"

    def run(env: Env) -> list[str]:  # markdown lines: the figures, each against its baseline
        ...

and optionally ``add_arguments(parser)`` for its own ``--options``. Nothing else to register:
the runner finds it, ``python -m bench <name>`` runs it, and ``--write`` puts its section,
with the exact command and the machine it ran on, into ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from types import ModuleType

import bench
from bench._harness import Env, machine, write_section


def available() -> dict[str, ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    return {name: importlib.import_module(f"bench.{name}") for name in names}


def parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"benchmarks to run (default: all): {', '.join(modules)}")
    p.add_argument(
        "--pg",
        default=None,
        help="PostgreSQL admin URL; each benchmark makes and drops its own database there "
        "(default: $OMOHUB_BENCH_DATABASE_URL, else $OMOHUB_TEST_DATABASE_URL; none: SQLite only)",
    )
    p.add_argument("--quick", action="store_true", help="tiny sizes: checks the benchmark runs, not a figure")
    p.add_argument("--write", action="store_true", help="record the figures in BENCHMARKS.md")
    for module in modules.values():
        if hasattr(module, "add_arguments"):
            module.add_arguments(p)
    return p


def main(argv: list[str] | None = None) -> int:
    modules = available()
    args = parser(modules).parse_args(argv)
    unknown = [n for n in args.names if n not in modules]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(modules)}", file=sys.stderr)
        return 2
    env = Env.from_args(args)
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    for name in args.names or list(modules):
        module = modules[name]
        print(f"== {name}: {module.TITLE}", flush=True)
        started = time.monotonic()
        lines = module.run(env)
        print("\n".join(lines))
        print(f"({time.monotonic() - started:.0f} s)\n", flush=True)
        if args.write and not args.quick:
            write_section(name, module.TITLE, command.strip(), machine(env), lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())

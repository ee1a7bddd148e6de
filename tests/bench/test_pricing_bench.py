"""``python -m bench pricing --quick``: the brand it builds, and figures of the right shape."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections import Counter

import pytest

from bench import _anatomy, _shop
from bench.__main__ import available, main

NOW = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


def test_the_runner_finds_the_pricing_and_redemption_benchmarks() -> None:
    modules = available()
    assert {"pricing", "redeem"} <= set(modules)
    assert all(hasattr(modules[n], "TITLE") and callable(modules[n].run) for n in ("pricing", "redeem"))


def test_the_brand_has_200_promotions_of_every_kind_with_mixed_stacking() -> None:
    items = [_shop.Item(f"S{i}", f"P{i // 4}", _shop.CATEGORIES[i % 40], 990) for i in range(400)]
    cart = [(items[i], 1) for i in range(0, 80, 4)]
    specs = _shop.Promotions(items, cart, NOW, seed=3).specs()
    assert len(specs) == 200
    kinds = Counter(s["kind"] for s in specs)
    assert set(kinds) == {
        "percent_off",
        "amount_off",
        "threshold",
        "buy_x_get_y",
        "bundle_price",
        "price_override",
        "gift",
    }
    assert Counter(s["stacking"] for s in specs).keys() == {"stackable", "best", "exclusive"}
    assert sum(1 for s in specs if s.get("coupon")) == 20
    exclusive = [s["priority"] for s in specs if s["stacking"] == "exclusive"]
    assert len(exclusive) == len(set(exclusive)) == 10  # none clashes with another
    assert any(s.get("channels") for s in specs) and any(s.get("audience") == "tiers" for s in specs)


def test_stage_clock_times_direct_calls_and_puts_everything_back() -> None:
    module = types.ModuleType("fake")

    def inner() -> int:
        return 1

    def stage() -> int:
        return module.inner() + 1

    def top() -> int:
        return module.stage() + module.inner()

    for fn in (inner, stage, top):
        fn.__module__ = "omohub.fake"
        setattr(module, fn.__name__, fn)
    with _anatomy.stage_clock(module, "top", {"inner anywhere": (module, "inner")}) as spent:
        assert module.top() == 3
    assert set(spent) == {"`top`", "`stage`", "inner anywhere"}
    assert (module.top, module.stage, module.inner) == (top, stage, inner)


def test_the_pricing_benchmark_reports_every_series_against_its_baseline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OMOHUB_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("OMOHUB_TEST_DATABASE_URL", raising=False)  # SQLite only: a smoke test
    assert main(["pricing", "--quick"]) == 0
    out = capsys.readouterr().out
    rows = re.findall(
        r"^\| ([^|]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+)× \| ([\d.]+)× \|$", out, re.M
    )
    names = [r[0] for r in rows]
    assert names[0].startswith("baseline: unit of work") and names[4].startswith("baseline: `GET /healthz`")
    assert len(rows) == 7 and rows[0][4:] == rows[4][4:] == ("1.0", "1.0")  # each baseline against itself
    assert all(float(p99) >= float(p50) > 0 for _, p50, p99, *_ in rows)
    assert re.search(
        r"touches \d+ promotions in the index, \d+ of them eligible.*\d+ candidate combinations\); \d+ apply",
        out,
    )
    aims = re.findall(
        r"^- Aim (in-process|HTTP), p99 under (5|25) ms: \*\*(met|met for the preview only|NOT met)\*\*",
        out,
        re.M,
    )
    assert [a[0] for a in aims] == ["in-process", "HTTP"]
    stages = re.findall(
        r"^\| (`\w+`|whole call \(unit of work\)|of which [^|]+) \| ([\d.]+) \| ([\d.]+) \|$", out, re.M
    )
    assert {"whole call (unit of work)", "`resolve`", "`best_price`", "`_quote`"} <= {s[0] for s in stages}
    assert re.search(r"^pyinstrument over \d+ more quotes .*`checkout\.price\.best_price` \d+%", out, re.M)
    assert re.search(r"^SQL statements of one .*quote.*: \d+\.$", out, re.M)
    resolved = re.findall(r"^- `resolve` \d+: (.*)$", out, re.M)
    assert resolved and all("SELECT data_versions ←" in r and "SELECT skus" not in r for r in resolved)

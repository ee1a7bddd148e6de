"""Reading master-data CSV files (ERP exports) the same way for every domain.

A file is decoded (UTF-8 with or without Excel's BOM by default), its header names are
matched to canonical fields through documented aliases (English and zh-TW), and every data
row keeps the row number a spreadsheet shows (the header is row 1). Row validation uses
the same Pydantic schemas as the REST API, so a CSV row and a request obey one set of rules.

Domains (org, catalog) build their import use cases on this; they decide what to write.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import RowMapping, Select, insert, update
from sqlalchemy.orm import Session

from omohub.core.errors import Invalid

#: Rows written per statement; keeps parameter lists under every driver's limits.
CHUNK = 500
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class FileUnusable(Invalid):
    """The file as a whole cannot be imported (encoding, header); nothing is read or written."""

    code = "csv_unusable"


@dataclass(frozen=True)
class Column:
    """One importable field and the header names that mean it."""

    field: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.field, *self.aliases)


@dataclass(frozen=True)
class RowError:
    """Why one row was rejected. ``row`` is the spreadsheet row number (header = row 1)."""

    row: int
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"field {self.field}: " if self.field else ""
        return f"row {self.row}: {where}{self.reason}"


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


@dataclass
class Table:
    """A decoded file: canonical field → header as written, and the non-blank rows."""

    name: str
    headers: dict[str, str]
    rows: list[Row]
    ignored: list[str]
    errors: list[RowError]

    def label(self, field_name: str) -> str:
        """How to name a field to the person who wrote the file: their header, or ours."""
        header = self.headers.get(field_name)
        return f"{field_name} ({header})" if header and header != field_name else field_name


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Outcome:
    """What an import did (or, when rejected rows stopped it, would have done)."""

    rows: int
    tallies: dict[str, Tally]
    rejected: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.rejected})


class Ticker(Protocol):
    """Progress reporting: the CLI draws a bar, tests and the API pass ``NO_PROGRESS``."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


NO_PROGRESS: Ticker = _Silent()


def normalize_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "_", name.strip().strip("\ufeff").strip().lower())


def read_table(path: Path, columns: Sequence[Column], encoding: str = "utf-8-sig") -> Table:
    """Decode ``path`` and map its header; raise :class:`FileUnusable` if it cannot be used."""
    if not path.is_file():
        raise FileUnusable(f"{path}: no such file")
    text = _decode(path.read_bytes(), path.name, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    header = next(reader, None)
    if header is None or not any(h.strip() for h in header):
        raise FileUnusable(f"{path.name}: the file is empty; the first row must name the columns")
    positions, headers, ignored = _map_header(path.name, header, columns)
    table = Table(path.name, headers, [], ignored, [])
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if any(c.strip() for c in cells[len(header) :]):
            table.errors.append(
                RowError(number, None, f"has {len(cells)} cells but the header has {len(header)}")
            )
            continue
        values = {f: cells[i].strip() if i < len(cells) else "" for f, i in positions.items()}
        table.rows.append(Row(number, values))
    return table


def _decode(data: bytes, name: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise FileUnusable(f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileUnusable(
            f"{name}: line {line} is not {encoding} (byte 0x{data[exc.start]:02X}); save it as"
            " 'CSV UTF-8' in Excel, or name the file's encoding with --encoding (e.g. cp950)"
        ) from exc


def _dialect(text: str) -> type[csv.Dialect]:
    first = text.split("\n", 1)[0]
    return csv.excel_tab if "\t" in first and "," not in first else csv.excel


def _map_header(
    name: str, header: list[str], columns: Sequence[Column]
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    lookup = {normalize_header(n): c.field for c in columns for n in c.names()}
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored = []
    for i, raw in enumerate(header):
        found = lookup.get(normalize_header(raw))
        if found is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        if found in positions:
            raise FileUnusable(
                f"{name}: columns {headers[found]!r} and {raw.strip()!r} both mean {found}; keep one"
            )
        positions[found], headers[found] = i, raw.strip().strip("\ufeff")
    missing = [c for c in columns if c.required and c.field not in positions]
    if missing:
        wanted = "; ".join(f"{c.field} (or {', '.join(c.aliases)})" for c in missing)
        raise FileUnusable(f"{name}: missing column(s): {wanted}")
    return positions, headers, ignored


def cells(row: Row) -> dict[str, str]:
    """The row's non-empty cells, so empty optional cells take the schema's defaults."""
    return {k: v for k, v in row.values.items() if v != ""}


def parse_row(model: type[M], row: Row, table: Table) -> M | list[RowError]:
    """Validate one row with a REST schema; errors name the row and the file's header."""
    try:
        return model.model_validate(cells(row))
    except ValidationError as exc:
        return [_row_error(row, table, err) for err in exc.errors()]


def _row_error(row: Row, table: Table, err: Any) -> RowError:
    name = str(err["loc"][0]) if err["loc"] else None
    label = table.label(name) if name else None
    if err["type"] == "missing":
        return RowError(row.number, label, "is required and empty")
    reason = err["msg"]
    value = row.values.get(name or "")
    if value and value not in reason:
        reason += f" (got {value!r})"
    return RowError(row.number, label, reason)


def validate_rows(
    table: Table,
    model: type[M],
    key: str,
    ticker: Ticker,
    check: Callable[[Row, M], list[RowError]] | None = None,
) -> tuple[dict[str, tuple[Row, M]], list[RowError]]:
    """Each row parsed by ``model`` and ``check``; the first row of each ``key`` wins."""
    valid: dict[str, tuple[Row, M]] = {}
    rejected = list(table.errors)
    ticker.start(f"checking {table.name}", len(table.rows))
    for row in table.rows:
        ticker.advance()
        parsed = parse_row(model, row, table)
        if isinstance(parsed, list):
            rejected.extend(parsed)
            continue
        code = getattr(parsed, key)
        if code in valid:
            first = valid[code][0].number
            rejected.append(RowError(row.number, table.label(key), f"{code!r} repeats row {first}"))
            continue
        errors = check(row, parsed) if check else []
        if errors:
            rejected.extend(errors)
            continue
        valid[code] = (row, parsed)
    rejected.sort(key=lambda e: e.row)
    return valid, rejected


def plan_upsert(
    existing: Mapping[str, RowMapping],
    wanted: Mapping[str, dict[str, Any]],
    fields: Sequence[str],
    on_insert: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Tally]:
    """Rows to insert, rows to update (only ``fields``, the columns the file has) and counts."""
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    tally = Tally()
    for code, values in wanted.items():
        current = existing.get(code)
        if current is None:
            inserts.append({**values, **on_insert})
            tally.created += 1
            continue
        subset = {f: values[f] for f in fields}
        if changes(current, subset):
            updates.append({"id": current["id"], **subset})
            tally.updated += 1
        else:
            tally.unchanged += 1
    return inserts, updates, tally


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def changes(current: Mapping[Any, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` whose value differs from ``current``."""
    return {k: v for k, v in wanted.items() if current.get(k) != v}


def bulk_insert(session: Session, model: type[Any], rows: Sequence[dict[str, Any]], ticker: Ticker) -> None:
    for chunk in chunks(rows):
        session.execute(insert(model), list(chunk))
        ticker.advance(len(chunk))


def bulk_update(session: Session, model: type[Any], rows: Sequence[dict[str, Any]], ticker: Ticker) -> None:
    """Update by primary key (each dict holds ``id`` and the changed fields)."""
    for chunk in chunks(rows):
        session.execute(update(model), list(chunk))
        ticker.advance(len(chunk))


def existing_by_code(
    session: Session, stmt: Select[*tuple[Any, ...]], column: Any, codes: Iterable[str]
) -> dict[str, RowMapping]:
    """Rows already in the database (as mappings) keyed by ``code``, fetched in chunks."""
    found: dict[str, RowMapping] = {}
    for chunk in chunks(sorted(set(codes))):
        for row in session.execute(stmt.where(column.in_(chunk))).mappings():
            found[row["code"]] = row
    return found


def first_seen(rows: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    """The first item for each key, in file order."""
    found: dict[str, T] = {}
    for item in rows:
        found.setdefault(key(item), item)
    return found

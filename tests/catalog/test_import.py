"""``omohub import catalog FILE.csv``: one row per SKU, products from their first row, upsert,
broken rows named and nothing written, barcodes that move, and thousands of SKUs in batches."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku
from omohub.catalog.rules import ean13_check_digit
from tests.helpers import omohub

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
HEADER = "product_code,product_name,category,sku_code,barcode,size,colour,list_price\n"


def catalog(hub: Hub) -> tuple[dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]]]:
    with hub.uow() as session:
        products = {p.code: (p.name, p.category, p.list_price) for p in session.scalars(select(Product))}
        skus = {
            s.code: (code, s.barcode, s.size, s.color, s.list_price)
            for s, code in session.execute(
                select(Sku, Product.code).join(Product, Product.id == Sku.product_id)
            )
        }
    return products, skus


def write(tmp_path: Path, text: str, name: str = "catalog.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def rejected(result: Any) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("row ")]


def ean(n: int, prefix: str = "4719999") -> str:
    body = f"{prefix}{n:05d}"
    return body + str(ean13_check_digit(body))


def test_example_catalog_then_reimport_then_update(hub: Hub, database_url: str, tmp_path: Path) -> None:
    r = omohub(database_url, "import", "catalog", str(EXAMPLES / "catalog.csv"))
    assert r.exit_code == 0, r.output
    assert "products: created 4, updated 0, unchanged 0" in r.stdout
    assert "skus: created 17, updated 0, unchanged 0" in r.stdout
    products, skus = catalog(hub)
    assert products["LS-2401"] == ("亞麻襯衫", "上衣", 1290)
    assert skus["LS-2401-NVY-M"] == ("LS-2401", "4712345000053", "M", "藏青", 1290)
    assert skus["PT-2403-BLK-XL"] == ("PT-2403", None, "XL", "黑", 1590)
    r = omohub(database_url, "import", "catalog", str(EXAMPLES / "catalog.csv"))
    assert "products: created 0, updated 0, unchanged 4" in r.stdout
    assert "skus: created 0, updated 0, unchanged 17" in r.stdout
    assert catalog(hub) == (products, skus)
    # a new season's price on the shirt's first row, a new colour name, and one new SKU
    text = (EXAMPLES / "catalog.csv").read_text()
    text = text.replace("LS-2401-WHT-S,4712345000015,S,白,1290", "LS-2401-WHT-S,4712345000015,S,白,1390")
    text = text.replace(",藏青,", ",深藍,")
    text += f"PT-2403,寬版長褲,褲裝,PT-2403-BLK-XS,{ean(1)},XS,黑,1590\n"
    r = omohub(database_url, "import", "catalog", write(tmp_path, text))
    assert r.exit_code == 0, r.output
    assert "products: created 0, updated 1, unchanged 3" in r.stdout
    assert "skus: created 1, updated 4, unchanged 13" in r.stdout
    products, skus = catalog(hub)
    assert products["LS-2401"][2] == 1390
    assert skus["LS-2401-NVY-L"][3] == "深藍" and skus["LS-2401-WHT-M"][4] == 1290
    assert skus["PT-2403-BLK-XS"] == ("PT-2403", ean(1), "XS", "黑", 1590)


def test_zh_tw_headers_with_bom(hub: Hub, database_url: str, tmp_path: Path) -> None:
    text = (
        "貨號,品名,分類,料號,條碼,尺寸,顏色,定價\n"
        f'DR-01,碎花洋裝,洋裝,DR-01-S,{ean(1)},S,米白,"1,980"\n'
        f"DR-01,碎花洋裝,洋裝,DR-01-M,{ean(2)},M,米白,NT$1980.00\n"
    )
    r = omohub(database_url, "import", "catalog", write(tmp_path, text, encoding="utf-8-sig"))
    assert r.exit_code == 0, r.output
    products, skus = catalog(hub)
    assert products == {"DR-01": ("碎花洋裝", "洋裝", 1980)}
    assert skus["DR-01-M"] == ("DR-01", ean(2), "M", "米白", 1980)


BROKEN = HEADER + (
    f"P1,好商品,上衣,P1-S,{ean(1)},S,白,990\n"
    "P1,好商品,上衣,P1-M,4719999000023,M,白,990\n"  # wrong check digit
    f"P1,好商品,上衣,P1-L,{ean(3)},L,白,-10\n"
    f"P1,好商品,上衣,,{ean(4)},XL,白,990\n"
    f"P2,另一件,上衣,P1-S,{ean(5)},S,黑,990\n"  # SKU code twice in the file
    f"P2,另一件,上衣,P2-S,{ean(1)},S,黑,990\n"  # barcode twice in the file
    f"P2,另一件,上衣,P2-M,4.71999E+12,M,黑,990.5\n"
    f"P3,第三件,上衣,P3-S,{ean(8)},S,黑,1200\n"
    f"P4,壞\x00名,上衣,P4-S,{ean(9)},S,黑,1200\n"  # NUL: PostgreSQL cannot store it
)


def test_broken_rows_are_named_and_nothing_is_written(hub: Hub, database_url: str, tmp_path: Path) -> None:
    r = omohub(database_url, "import", "catalog", write(tmp_path, BROKEN))
    assert r.exit_code == 1, r.output
    assert rejected(r) == [
        "row 3: field barcode: '4719999000023' is not a valid EAN-13: the check digit should be 6",
        "row 4: field list_price: Input should be greater than or equal to 0 (got '-10')",
        "row 5: field sku_code: is required and empty",
        "row 6: field sku_code: 'P1-S' repeats row 2",
        f"row 7: field barcode: '{ean(1)}' repeats row 2",
        "row 8: field barcode: '4.71999E+12' looks like a number Excel shortened; format the barcode"
        " column as text",
        "row 8: field list_price: '990.5' has cents; list prices are whole dollars",
        "row 10: field product_name: contains a NUL character (\\u0000), which cannot be stored"
        " (got '壞\\x00名')",
    ]
    assert "products: would be created 2" in r.stdout and "skus: would be created 2" in r.stdout
    assert "rejected: 7 rows" in r.stdout and "nothing was written" in r.stdout
    assert catalog(hub) == ({}, {})
    r = omohub(database_url, "import", "catalog", "--skip-invalid", write(tmp_path, BROKEN))
    assert r.exit_code == 0, r.output
    products, skus = catalog(hub)
    assert sorted(products) == ["P1", "P3"] and sorted(skus) == ["P1-S", "P3-S"]


def test_a_sku_never_moves_and_a_barcode_never_is_stolen(hub: Hub, database_url: str, tmp_path: Path) -> None:
    omohub(database_url, "import", "catalog", str(EXAMPLES / "catalog.csv"))
    before = catalog(hub)
    text = HEADER + (
        "DR-2402,碎花洋裝,洋裝,LS-2401-WHT-S,,S,白,1290\nNEW-1,新商品,上衣,NEW-1-F,4712345000022,F,白,590\n"
    )
    r = omohub(database_url, "import", "catalog", write(tmp_path, text))
    assert r.exit_code == 1
    assert rejected(r) == [
        "row 2: field product_code: SKU 'LS-2401-WHT-S' belongs to product 'LS-2401'; SKUs never move",
        "row 3: field barcode: '4712345000022' already belongs to SKU 'LS-2401-WHT-M'",
    ]
    assert catalog(hub) == before


def test_barcodes_may_swap_and_move_within_one_file(hub: Hub, database_url: str, tmp_path: Path) -> None:
    first = HEADER + (
        f"P1,襯衫,上衣,P1-S,{ean(1)},S,白,990\n"
        f"P1,襯衫,上衣,P1-M,{ean(2)},M,白,990\n"
        f"P1,襯衫,上衣,P1-L,{ean(3)},L,白,990\n"
    )
    assert omohub(database_url, "import", "catalog", write(tmp_path, first)).exit_code == 0
    # S and M were labelled the wrong way round; L's barcode goes to a new XL, L gets a new one
    fixed = HEADER + (
        f"P1,襯衫,上衣,P1-S,{ean(2)},S,白,990\n"
        f"P1,襯衫,上衣,P1-M,{ean(1)},M,白,990\n"
        f"P1,襯衫,上衣,P1-L,{ean(4)},L,白,990\n"
        f"P1,襯衫,上衣,P1-XL,{ean(3)},XL,白,990\n"
    )
    r = omohub(database_url, "import", "catalog", write(tmp_path, fixed))
    assert r.exit_code == 0, r.output
    assert "skus: created 1, updated 3, unchanged 0" in r.stdout
    _, skus = catalog(hub)
    assert {code: sku[1] for code, sku in skus.items()} == {
        "P1-S": ean(2),
        "P1-M": ean(1),
        "P1-L": ean(4),
        "P1-XL": ean(3),
    }


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def big_catalog(products: int, price: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    n = 0
    for p in range(products):
        for colour in ("白", "黑"):
            for size in ("S", "M", "L"):
                n += 1
                writer.writerow(
                    [f"P{p:04d}", f"商品{p}", "上衣", f"P{p:04d}-{n}", ean(n), size, colour, price]
                )
    return out.getvalue()


def test_thousands_of_skus_are_written_in_batches(hub: Hub, database_url: str, tmp_path: Path) -> None:
    """2,400 SKUs: a few dozen statements, not one per row; then a price change for all."""
    with statements() as seen:
        r = omohub(database_url, "import", "catalog", write(tmp_path, big_catalog(400, 990)))
    assert r.exit_code == 0, r.output
    assert "products: created 400" in r.stdout and "skus: created 2,400" in r.stdout
    assert len(seen) < 60, len(seen)
    with statements() as seen:
        r = omohub(database_url, "import", "catalog", write(tmp_path, big_catalog(400, 1090)))
    assert "products: created 0, updated 400" in r.stdout and "skus: created 0, updated 2,400" in r.stdout
    assert len(seen) < 60, len(seen)
    products, skus = catalog(hub)
    assert len(skus) == 2400 and {s[4] for s in skus.values()} == {1090}
    assert {p[2] for p in products.values()} == {1090}

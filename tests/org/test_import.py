"""``omohub import stores|staff FILE.csv`` end to end: the documented examples, re-imports,
updates, broken rows (named by row, nothing written), BOM and zh-TW headers, --skip-invalid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.org.models import Staff, Store
from tests.helpers import omohub

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def stores(hub: Hub) -> dict[str, tuple[Any, ...]]:
    with hub.uow() as session:
        rows = session.scalars(select(Store).order_by(Store.code))
        return {
            s.code: (s.name, s.city, s.address, s.latitude, s.longitude, s.timezone, s.active) for s in rows
        }


def staff(hub: Hub) -> dict[str, tuple[Any, ...]]:
    with hub.uow() as session:
        rows = session.execute(
            select(Staff, Store.code).outerjoin(Store, Store.id == Staff.store_id).order_by(Staff.code)
        )
        return {s.code: (s.name, code, s.role, s.active) for s, code in rows}


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_example_files_import_then_reimport_is_a_no_op(hub: Hub, database_url: str) -> None:
    r = omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    assert r.exit_code == 0, r.output
    assert "stores: created 6, updated 0, unchanged 0" in r.stdout
    assert "rejected: 0 rows" in r.stdout
    got = stores(hub)
    assert got["TPE-XINYI"] == (
        "信義旗艦店",
        "台北市",
        "台北市信義區松高路11號",
        25.0396,
        121.5669,
        "Asia/Taipei",
        True,
    )
    assert len(got) == 6
    r = omohub(database_url, "import", "staff", str(EXAMPLES / "staff.csv"))
    assert r.exit_code == 0, r.output
    assert "staff: created 7, updated 0, unchanged 0" in r.stdout
    people = staff(hub)
    assert people["E0001"] == ("王阿明", "TPE-XINYI", "stylist", True)
    assert people["HQ0001"] == ("吳淑芬", None, "manager", True)
    # the same files again change nothing
    for kind, total in (("stores", 6), ("staff", 7)):
        r = omohub(database_url, "import", kind, str(EXAMPLES / f"{kind}.csv"))
        assert r.exit_code == 0 and f"created 0, updated 0, unchanged {total}" in r.stdout
    assert stores(hub) == got and staff(hub) == people


def test_excel_export_with_bom_and_zh_tw_headers(hub: Hub, database_url: str) -> None:
    """stores_erp.csv: what a Taiwanese ERP gives Excel users (BOM, 門市代號…, a phone column)."""
    assert (EXAMPLES / "stores_erp.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    r = omohub(database_url, "import", "stores", str(EXAMPLES / "stores_erp.csv"))
    assert r.exit_code == 0, r.output
    assert "stores: created 6" in r.stdout and "ignored columns (not understood): 電話" in r.stdout
    fresh = stores(hub)
    assert fresh["KHH-ZUOYING"][:5] == ("高雄左營店", "高雄市", "高雄市左營區高鐵路115號", 22.6871, 120.3075)
    # it holds the same stores as the English example: importing that one changes nothing
    r = omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    assert "created 0, updated 0, unchanged 6" in r.stdout
    assert stores(hub) == fresh


def test_changed_rows_are_updated_and_absent_columns_left_alone(
    hub: Hub, database_url: str, tmp_path: Path
) -> None:
    omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    text = (EXAMPLES / "stores.csv").read_text().replace("大安店", "大安忠孝店")
    r = omohub(database_url, "import", "stores", write(tmp_path, "stores.csv", text))
    assert "stores: created 0, updated 1, unchanged 5" in r.stdout
    assert stores(hub)["TPE-DAAN"][0] == "大安忠孝店"
    # a file with only some columns updates only those; a new code is created
    partial = "code,name,city,active\nTPE-DAAN,大安店,台北市,停用\nTPE-NEW,新店,台北市,\n"
    r = omohub(database_url, "import", "stores", write(tmp_path, "partial.csv", partial))
    assert r.exit_code == 0, r.output
    assert "stores: created 1, updated 1, unchanged 0" in r.stdout
    daan = stores(hub)["TPE-DAAN"]
    assert daan[0] == "大安店" and daan[6] is False
    assert daan[2:5] == ("台北市大安區忠孝東路四段181號", 25.0416, 121.5503)  # untouched
    assert stores(hub)["TPE-NEW"][3:] == (None, None, "Asia/Taipei", True)


BROKEN = """code,name,city,latitude,longitude,timezone
S1,好店,台北市,25.03,121.56,Asia/Taipei
S 2,壞代號,台北市,25,121,Asia/Taipei
S3,,台北市,95,121,Mars/Olympus
S1,重複,台北市,,,
S4,半個座標,台北市,25,,

S5,多一格,台北市,1,2,Asia/Taipei,extra
"""

BROKEN_LINES = [
    "    row 3: field code: 'S 2' is not a valid code: letters, digits, '.', '_' and '-', starting with a"
    " letter or digit",
    "    row 4: field name: is required and empty",
    "    row 4: field latitude: latitude 95.0 is outside -90 to 90",
    "    row 4: field timezone: 'Mars/Olympus' is not an IANA time zone (e.g. Asia/Taipei)",
    "    row 5: field code: 'S1' repeats row 2",
    "    row 6: field longitude: give latitude and longitude together, or neither",
    "    row 8: has 7 cells but the header has 6",
]


def test_broken_rows_are_named_and_nothing_is_written(hub: Hub, database_url: str, tmp_path: Path) -> None:
    omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    before = stores(hub)
    broken = BROKEN + "TPE-XINYI,信義改名,台北市,25.04,121.56,Asia/Taipei\n"
    r = omohub(database_url, "import", "stores", write(tmp_path, "broken.csv", broken))
    assert r.exit_code == 1, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "broken.csv: 7 rows"
    assert "  stores: would be created 1, would be updated 1, unchanged 0" in lines
    assert "  rejected: 5 rows" in lines
    assert [line for line in lines if line.startswith("    row")] == BROKEN_LINES
    assert lines[-1].startswith("nothing was written")
    assert stores(hub) == before  # neither S1 nor the rename of TPE-XINYI


def test_a_nul_character_is_a_rejected_row(hub: Hub, database_url: str, tmp_path: Path) -> None:
    """PostgreSQL text holds no NUL: the row is named on both backends, never a crash on one."""
    text = "code,name,city\nS1,好店,台北市\nS2,壞\x00名,台北\x00市\n"
    r = omohub(database_url, "import", "stores", write(tmp_path, "nul.csv", text))
    assert r.exit_code == 1, r.output
    assert [line for line in r.stdout.splitlines() if line.startswith("    row")] == [
        f"    row 3: field {field}: contains a NUL character (\\u0000), which cannot be stored (got {got!r})"
        for field, got in (("name", "壞\x00名"), ("city", "台北\x00市"))
    ]
    assert stores(hub) == {}


def test_skip_invalid_writes_the_valid_rows_and_lists_the_rest(
    hub: Hub, database_url: str, tmp_path: Path
) -> None:
    r = omohub(database_url, "import", "stores", "--skip-invalid", write(tmp_path, "broken.csv", BROKEN))
    assert r.exit_code == 0, r.output
    assert "stores: created 1, updated 0, unchanged 0" in r.stdout
    assert [line for line in r.stdout.splitlines() if line.startswith("    row")] == BROKEN_LINES
    assert "the valid rows were written" in r.stdout
    assert list(stores(hub)) == ["S1"]


def test_error_names_the_header_as_written(hub: Hub, database_url: str, tmp_path: Path) -> None:
    text = "門市代號,門市名稱,縣市,緯度,經度\nA1,一店,台北市,100,121\n"
    r = omohub(database_url, "import", "stores", write(tmp_path, "zh.csv", text))
    assert r.exit_code == 1
    assert "    row 2: field latitude (緯度): latitude 100.0 is outside -90 to 90" in r.stdout.splitlines()
    assert stores(hub) == {}


def test_staff_zh_tw_headers_roles_and_unknown_store(hub: Hub, database_url: str, tmp_path: Path) -> None:
    omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    text = (
        "員工編號,姓名,門市代號,職務,在職\n"
        "E1,王阿明,TPE-XINYI,造型師,是\n"
        "E2,陳怡君,TPE-XINYI,店長,是\n"
        "E3,林小華,TPE-NOWHERE,店員,是\n"
        "E4,張大同,NTP-BANQIAO,老闆,否\n"
        "E5,李離職,NTP-BANQIAO,收銀員,離職\n"
    )
    path = write(tmp_path, "staff.csv", text, encoding="utf-8-sig")
    r = omohub(database_url, "import", "staff", path)
    assert r.exit_code == 1
    assert [line.strip() for line in r.stdout.splitlines() if line.strip().startswith("row")] == [
        "row 4: field store_code (門市代號): no store with code 'TPE-NOWHERE' (import stores first)",
        "row 5: field role (職務): '老闆' is not a staff role; one of manager, clerk, stylist, cashier",
    ]
    assert staff(hub) == {}
    r = omohub(database_url, "import", "staff", "--skip-invalid", path)
    assert r.exit_code == 0 and "staff: created 3" in r.stdout
    assert staff(hub) == {
        "E1": ("王阿明", "TPE-XINYI", "stylist", True),
        "E2": ("陳怡君", "TPE-XINYI", "manager", True),
        "E5": ("李離職", "NTP-BANQIAO", "cashier", False),
    }


def test_unusable_files_exit_2_with_a_reason(hub: Hub, database_url: str, tmp_path: Path) -> None:
    cases = {
        "missing.csv": (
            "code,city\nA,台北市\n",
            "utf-8",
            "missing column(s): name (or store_name, 門市名稱, 店名)",
        ),
        "big5.csv": ("code,name,city\nA1,信義店,台北市\n", "cp950", "line 2 is not utf-8-sig (byte 0xAB)"),
        "empty.csv": ("", "utf-8", "the file is empty"),
        "twice.csv": ("code,門市代號,name,city\n", "utf-8", "columns 'code' and '門市代號' both mean code"),
        "half.csv": (
            "code,name,city,latitude\nA,a,b,25\n",
            "utf-8",
            "latitude and longitude columns together",
        ),
    }
    for name, (text, encoding, words) in cases.items():
        r = omohub(database_url, "import", "stores", write(tmp_path, name, text, encoding))
        assert r.exit_code == 2, (name, r.output)
        assert words in r.stderr, (name, r.stderr)
    r = omohub(database_url, "import", "stores", str(tmp_path / "nope.csv"))
    assert r.exit_code == 2 and "no such file" in r.stderr
    assert stores(hub) == {}
    # a Big5 export is read when its encoding is named
    r = omohub(database_url, "import", "stores", "--encoding", "cp950", str(tmp_path / "big5.csv"))
    assert r.exit_code == 0, r.output
    assert stores(hub)["A1"][0] == "信義店"


def test_progress_bar_on_a_terminal_only(database_url: str) -> None:
    path = str(EXAMPLES / "stores.csv")
    quiet = omohub(database_url, "import", "stores", path)
    assert quiet.stderr == ""
    shown = omohub(database_url, "import", "stores", path, env={"TTY_COMPATIBLE": "1"})
    assert "checking stores.csv" in shown.stderr and "6/6" in shown.stderr
    assert "unchanged 6" in shown.stdout


def test_init_seeds_standard_channels_idempotently(hub: Hub, database_url: str) -> None:
    from omohub.org.models import Channel

    for _ in range(2):
        r = omohub(database_url, "init")
        assert r.exit_code == 0, r.output
    with hub.uow() as session:
        codes = session.scalars(select(Channel.code).order_by(Channel.id)).all()
    assert codes == ["pos", "web", "app", "line", "marketplace", "delivery"]


def test_codes_taken_meanwhile_roll_back_with_a_message(
    hub: Hub, database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """If another writer inserts the same codes between our check and our write, the unique
    index stops us: nothing is half-written and the message says to run again."""
    from omohub.org import imports

    omohub(database_url, "import", "stores", str(EXAMPLES / "stores.csv"))
    before = stores(hub)
    monkeypatch.setattr(imports, "existing_by_code", lambda *args: {})  # as if not there yet
    text = (EXAMPLES / "stores.csv").read_text() + "NEW-1,新店,台北市,,,,Asia/Taipei\n"
    r = omohub(database_url, "import", "stores", write(tmp_path, "stores.csv", text))
    assert r.exit_code == 2 and "changed meanwhile; nothing was written" in r.stderr
    assert stores(hub) == before

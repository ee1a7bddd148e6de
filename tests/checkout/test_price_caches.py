"""Pricing keeps the store, the SKUs, the loyalty program and the promotions per process: a
change made anywhere — another API process, the CLI — is seen by the very next price call."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from omohub.api.app import create_app
from omohub.bootstrap import Hub, build_hub
from omohub.core.clock import FrozenClock
from omohub.core.config import Settings
from omohub.loyalty.models import MemberTier
from tests.checkout.conftest import cart
from tests.helpers import omohub

SOCKS, SOCKS_BARCODE = "SOCKS-WHT-F", "4710000000035"  # 199
DRESS = "DRESS-BLK-M"  # 1980
PRICE = "/api/v1/carts/price"
REFERENCE = re.compile(r"\b(stores|skus|products|tiers|earn_rules|loyalty_program|promotions)\b")


@pytest.fixture
def other(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    """Another API process on the same database: its own engine, so its own caches."""
    second = build_hub(settings, clock=clock)
    with TestClient(create_app(second)) as c:
        yield c
    second.close()


def preview(client: TestClient, pos: dict[str, str], *lines: tuple[str, int], **over: Any) -> Any:
    r = client.post(PRICE, headers=pos, json=cart(*lines, quote=False, **over))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_catalog_import_is_seen_by_the_next_price(
    client: TestClient, pos: dict[str, str], member: int, database_url: str, tmp_path: Path
) -> None:
    assert preview(client, pos, (SOCKS, 1), (SOCKS_BARCODE, 1))["total"] == 2 * 199
    csv = tmp_path / "catalog.csv"
    csv.write_text(f"product_code,product_name,sku_code,list_price\nSOCKS-WHT,{SOCKS},{SOCKS},149\n")
    r = omohub(database_url, "import", "catalog", str(csv))
    assert r.exit_code == 0, r.output
    assert preview(client, pos, (SOCKS, 1), (SOCKS_BARCODE, 1))["total"] == 2 * 149


def test_a_product_and_a_store_made_by_another_process_price_at_once(
    client: TestClient, other: TestClient, pos: dict[str, str], admin: dict[str, str], member: int
) -> None:
    assert preview(client, pos, (SOCKS, 1))["total"] == 199
    unknown = client.post(PRICE, headers=pos, json=cart(("CAP-RED-F", 1), store_code="TPE-101"))
    assert unknown.status_code == 422
    product = {"code": "CAP-RED", "name": "紅帽", "list_price": 590, "skus": [{"code": "CAP-RED-F"}]}
    assert other.post("/api/v1/products", headers=admin, json=product).status_code == 201
    store = {"code": "TPE-101", "name": "101店", "city": "台北市"}
    assert other.post("/api/v1/stores", headers=admin, json=store).status_code == 201
    assert preview(client, pos, ("CAP-RED-F", 1), store_code="TPE-101")["total"] == 590


def test_program_rules_and_tiers_changed_by_another_process_are_seen_by_the_next_price(
    client: TestClient, other: TestClient, hub: Hub, pos: dict[str, str], admin: dict[str, str], member: int
) -> None:
    with hub.uow() as session:
        now = hub.context.now()
        session.add(MemberTier(member_id=member, tier_code="gold", since=now, review_at=now))
    first = preview(client, pos, (DRESS, 1))
    assert (first["points_earned"], first["tier"], first["free_shipping"]) == (19, "gold", False)
    assert (
        other.patch("/api/v1/loyalty/program", headers=admin, json={"points_per_unit": 2}).status_code == 200
    )
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 39
    bonus = {"name": "加碼", "spec": {"kind": "bonus", "points": 100}}
    rule = other.post("/api/v1/loyalty/earn-rules", headers=admin, json=bonus).json()
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 139
    off = other.patch(f"/api/v1/loyalty/earn-rules/{rule['id']}", headers=admin, json={"active": False})
    assert off.status_code == 200
    assert preview(client, pos, (DRESS, 1))["points_earned"] == 39
    gold = {
        "name": "金卡",
        "threshold": 10_000,
        "benefits": {"free_shipping": True, "earn_multiplier_bp": 20_000},
    }
    assert other.put("/api/v1/loyalty/tiers/gold", headers=admin, json=gold).status_code == 200
    last = preview(client, pos, (DRESS, 1))
    assert (last["points_earned"], last["free_shipping"]) == (79, True)


def test_a_promotion_made_by_another_process_prices_at_once(
    client: TestClient, other: TestClient, pos: dict[str, str], admin: dict[str, str], member: int
) -> None:
    assert preview(client, pos, (SOCKS, 1))["total"] == 199
    body = {"name": "全面折20", "kind": "amount_off", "params": {"amount": 20}, "target": {"all": True}}
    made = other.post("/api/v1/promotions", headers=admin, json=body).json()
    assert preview(client, pos, (SOCKS, 1))["total"] == 179
    assert (
        other.post(
            f"/api/v1/promotions/{made['id']}/status", headers=admin, json={"status": "paused"}
        ).status_code
        == 200
    )
    assert preview(client, pos, (SOCKS, 1))["total"] == 199


def test_a_warm_price_reads_no_reference_data(
    client: TestClient,
    hub: Hub,
    pos: dict[str, str],
    member: int,
    promote: Callable[..., dict[str, Any]],
) -> None:
    promote("全面折20", "amount_off", {"amount": 20})
    preview(client, pos, (SOCKS, 1), (DRESS, 1), points=10)
    seen: list[str] = []

    def record(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(hub.engine, "before_cursor_execute", record)
    try:
        priced = preview(client, pos, (SOCKS, 1), (DRESS, 1), points=10)
    finally:
        event.remove(hub.engine, "before_cursor_execute", record)
    assert priced["discount_total"] > 0 and priced["points_earned"] > 0
    assert [s for s in seen if REFERENCE.search(s)] == []
    # the versions, the member with their tier, the points; then the API key's own reads
    assert sum("data_versions" in s for s in seen) == 1

"""A small brand for console tests: stores, SKUs, console users of every role, and 小美.

小美 has a card, a phone, an e-mail, a POS sale and a web order, web browsing, and a LINE
profile that was merged into her (so an admin can unmerge it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from fastapi.testclient import TestClient

from omohub.access.models import ConsoleUser
from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku
from omohub.core.security import hash_password
from omohub.members import service as members
from omohub.members.schemas import MemberIn
from omohub.orders import service as orders
from omohub.orders.schemas import OrderIn
from omohub.org.models import Brand, Staff, Store
from tests.helpers import basic, drain, new_source

PASSWORD = "correct-horse-9"
PHONE = "0912-345-678"
EMAIL = "amy@example.com"
LINE_UID = "U" + "ab" * 16
ROLES = ("hq_admin", "marketer", "store_manager", "clerk")


@dataclass(frozen=True)
class Shop:
    store_id: int
    member_id: int
    card_no: str
    line_member_id: int
    pos_order_id: int
    web_order_id: int


def seed(hub: Hub, client: TestClient | None = None) -> Shop:
    """Build the brand; with a client, 小美's web browsing is collected through ``/v1``."""
    with hub.uow() as session:
        now = hub.context.now()
        session.add(Brand(id=1, name="森活衣著", created_at=now))
        store = Store(
            code="TPE-XINYI", name="信義店", city="台北市", latitude=25.033, longitude=121.565, created_at=now
        )
        session.add(store)
        session.flush()
        session.add(Staff(code="S-AMING", name="阿明", store_id=store.id, role="stylist", created_at=now))
        for code, name, price in (("DRESS-BLK-M", "黑色洋裝", 1980), ("SHIRT-LIN-L", "亞麻襯衫", 1280)):
            product = Product(code=code.rsplit("-", 1)[0], name=name, list_price=price, created_at=now)
            session.add(product)
            session.flush()
            session.add(
                Sku(
                    code=code,
                    product_id=product.id,
                    list_price=price,
                    size=code[-1],
                    color="黑",
                    created_at=now,
                )
            )
        for role in ROLES:  # one scrypt hash per test process keeps the suite fast
            session.add(
                ConsoleUser(
                    username=role,
                    name=f"{role} 測試",
                    password_hash=_password_hash(),
                    role=role,
                    store_id=store.id,
                    locale="zh-TW",
                    created_at=now,
                )
            )
        amy = members.join(
            session,
            MemberIn(phone=PHONE, email=EMAIL, name="林小美", channel="pos", store_code="TPE-XINYI"),
            source="pos",
        ).member
        line = members.join(
            session, MemberIn(line_uid=LINE_UID, channel="line", join=False), source="line"
        ).member
        assert amy is not None and line is not None and amy.card_no
        members.merge_by_hand(session, amy.id, line.id, "same person at the till", "user:hq_admin")
        at = dt.datetime(2025, 3, 1, 6, 30, tzinfo=dt.UTC)
        pos, _ = orders.create(
            session, _order("POS-1", "pos", at, phone=PHONE, store="TPE-XINYI"), actor="apikey:pos"
        )
        web, _ = orders.create(
            session, _order("WEB-1", "web", at + dt.timedelta(days=2), phone=PHONE), actor="apikey:shop"
        )
        shop = Shop(store.id, amy.id, amy.card_no, line.id, pos.id, web.id)
    if client is not None:
        _browse(hub, client)
    return shop


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def _order(
    external_id: str, channel: str, at: dt.datetime, *, phone: str, store: str | None = None
) -> OrderIn:
    return OrderIn.model_validate(
        {
            "external_id": external_id,
            "channel": channel,
            "store_code": store,
            "member": {"phone": phone},
            "ordered_at": at.isoformat(),
            "lines": [
                {
                    "sku": "DRESS-BLK-M" if channel == "pos" else "SHIRT-LIN-L",
                    "quantity": 1,
                    "unit_price": 1980 if channel == "pos" else 1280,
                }
            ],
            "payments": [{"tender": "credit_card", "amount": 1980 if channel == "pos" else 1280}],
        }
    )


def _browse(hub: Hub, client: TestClient) -> None:
    web = basic(new_source(hub, "webshop", "web"))
    identify = {"userId": "c-1", "anonymousId": "anon-amy", "traits": {"phone": PHONE}}
    assert client.post("/v1/identify", headers=web, json=identify).status_code == 200
    view = {"anonymousId": "anon-amy", "event": "Product Viewed", "properties": {"product_id": "SHIRT-LIN"}}
    assert client.post("/v1/track", headers=web, json=view).status_code == 200
    drain(hub)

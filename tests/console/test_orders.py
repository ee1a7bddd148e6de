"""Orders, stores, staff and the dashboard as the office roles see them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from omohub.bootstrap import Hub
from omohub.console import queries
from omohub.orders.models import Order
from omohub.org.models import Store
from tests.console.seed import Shop

ORDER_LINK = re.compile(r'href="/console/orders/(\d+)"')


def _listed(client: TestClient, **params: str) -> list[int]:
    r = client.get("/console/orders", params=params)
    assert r.status_code == 200
    return [int(i) for i in ORDER_LINK.findall(r.text)]


def test_order_list_filters(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    client = as_role("marketer")
    pos, web = shop.pos_order_id, shop.web_order_id
    assert _listed(client) == [web, pos]  # newest first
    assert _listed(client, channel="pos") == [pos]
    assert _listed(client, store="TPE-XINYI") == [pos]
    assert _listed(client, member=str(shop.member_id)) == [web, pos]
    assert _listed(client, number="WEB-1") == [web]
    assert _listed(client, number=str(pos)) == [pos]
    # Business days in Taipei: the POS sale at 06:30 UTC on 1 March is on 2025-03-01.
    assert _listed(client, date_from="2025-03-01", date_to="2025-03-01") == [pos]
    assert _listed(client, date_from="2025-03-02") == [web]
    assert _listed(client, date_from="not-a-date") == [web, pos]


def test_order_list_shrugs_off_odd_filters(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    client = as_role("marketer")
    everything = [shop.web_order_id, shop.pos_order_id]
    huge = "9" * 30
    # a filter that cannot mean anything is ignored, as a bad date is (never a 500)
    for params in (
        {"member": huge},
        {"member": "²"},  # a digit to str.isdigit, not to int()
        {"after": "2025-03-01T00:00:00|5"},  # no UTC offset
        {"after": f"2025-03-01T00:00:00+00:00|{huge}"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01"},
    ):
        assert _listed(client, **params) == everything, params
    assert _listed(client, number=huge) == [] and _listed(client, number="²") == []
    assert client.get("/console/orders", params={"number": "POS\x001"}).status_code == 422  # no NUL
    # a source's number made of digits is found too, not only the hub's order id
    with hub.uow() as session:
        order = session.get(Order, shop.pos_order_id)
        assert order is not None
        order.external_id = "20250301000123"
    assert _listed(client, number="20250301000123") == [shop.pos_order_id]


def test_order_list_pages_by_cursor(hub: Hub, shop: Shop) -> None:
    with hub.uow() as session:
        first = queries.orders_page(session, queries.OrderFilter(), limit=1)
        assert [r.order.id for r in first] == [shop.web_order_id]
        rest = queries.orders_page(session, queries.OrderFilter(), queries.cursor_of(first[0].order), limit=1)
        assert [r.order.id for r in rest] == [shop.pos_order_id]
        assert queries.orders_page(session, queries.OrderFilter(), queries.cursor_of(rest[0].order)) == []


def test_store_manager_sees_only_their_store(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    with hub.uow() as session:
        other = Store(code="NTP-BANQIAO", name="板橋店", city="新北市", created_at=hub.context.now())
        session.add(other)
        session.flush()
        order = session.get(Order, shop.web_order_id)
        assert order is not None
        order.store_id = other.id  # the web order is picked up in Banqiao
    client = as_role("store_manager")  # of 信義店
    assert _listed(client) == [shop.pos_order_id]
    assert _listed(client, store="NTP-BANQIAO") == [shop.pos_order_id]
    assert client.get(f"/console/orders/{shop.web_order_id}").status_code == 403
    assert client.get(f"/console/orders/{shop.pos_order_id}").status_code == 200


def test_order_detail(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    html = as_role("hq_admin").get(f"/console/orders/{shop.pos_order_id}").text
    assert "POS-1" in html and "黑色洋裝" in html and "DRESS-BLK-M" in html and "信義店" in html
    assert "信用卡" in html and "NT$1,980" in html
    assert as_role("hq_admin").get("/console/orders/999999").status_code == 404
    assert as_role("hq_admin").get("/console/orders/" + "9" * 30).status_code == 404


def test_dashboard_counts_today_and_draws_fourteen_days(
    as_role: Callable[[str], TestClient], hub: Hub, shop: Shop
) -> None:
    from omohub.orders import service as orders
    from omohub.orders.schemas import OrderIn

    now = hub.context.now()
    with hub.uow() as session:
        body = {
            "external_id": "POS-TODAY",
            "channel": "pos",
            "store_code": "TPE-XINYI",
            "ordered_at": now.isoformat(),
            "lines": [{"sku": "SHIRT-LIN-L", "quantity": 2, "unit_price": 1280}],
            "payments": [{"tender": "cash", "amount": 2560}],
        }
        orders.create(session, OrderIn.model_validate(body), actor="apikey:pos")
        board = queries.dashboard(session)
    assert board.orders_today == 1 and board.revenue_offline == 2560 and board.revenue_online == 0
    assert board.members == 1 and not board.members_estimated
    assert len(board.days) == 14 and board.days[-1].day == hub.context.business_date(now)
    assert board.days[0].day == board.days[-1].day - dt.timedelta(days=13)
    html = as_role("hq_admin").get("/console/").text
    assert 'data-stat="orders-today">1<' in html and "NT$2,560" in html and 'class="chart"' in html


def test_stores_and_staff(as_role: Callable[[str], TestClient], shop: Shop) -> None:
    client = as_role("hq_admin")
    html = client.get("/console/stores").text
    assert "TPE-XINYI" in html and "信義店" in html and "25.03300" in html
    html = client.get("/console/staff").text
    assert "S-AMING" in html and "阿明" in html and "造型師" in html

"""Reserving a quote's coupons: all of them or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.promotions.errors import CouponInvalid, CouponTaken
from omohub.promotions.models import CouponUse
from omohub.promotions.service import coupons


def test_a_coupon_taken_meanwhile_leaves_nothing_of_the_quote_reserved(
    hub: Hub, client: TestClient, admin: dict[str, str], promote: Callable[..., dict[str, Any]]
) -> None:
    made = promote("折50", "amount_off", {"amount": 50}, coupon=True)
    for code in ("ONE", "TWO"):
        r = client.post(f"/api/v1/promotions/{made['id']}/coupons", headers=admin, json={"code": code})
        assert r.status_code == 201, r.text
    with hub.uow() as session:
        until = hub.context.now() + dt.timedelta(minutes=15)
        presented = coupons.check(session, ["ONE", "TWO"], member_id=None, channel="pos")
        coupons.reserve(session, presented[1:], quote_id="q_other", member_id=None, until=until)
        with pytest.raises(CouponTaken, match="TWO"):
            coupons.reserve(session, presented, quote_id="q_mine", member_id=None, until=until)
        assert session.scalars(select(CouponUse.quote_id)).all() == ["q_other"]
        coupons.reserve(session, presented[:1], quote_id="q_mine", member_id=None, until=until)
        assert sorted(session.scalars(select(CouponUse.quote_id))) == ["q_mine", "q_other"]


def test_a_check_for_a_quote_does_not_count_the_quotes_own_reservation(
    hub: Hub, client: TestClient, admin: dict[str, str], promote: Callable[..., dict[str, Any]]
) -> None:
    made = promote("折50", "amount_off", {"amount": 50}, coupon=True)
    r = client.post(f"/api/v1/promotions/{made['id']}/coupons", headers=admin, json={"code": "ONCE"})
    assert r.status_code == 201, r.text
    with hub.uow() as session:
        until = hub.context.now() + dt.timedelta(minutes=15)
        presented = coupons.check(session, ["once"], member_id=None, channel="pos")
        coupons.reserve(session, presented, quote_id="q_mine", member_id=None, until=until)
    with hub.uow() as session:
        again = coupons.check(session, ["ONCE"], member_id=None, channel="pos", quote_id="q_mine")
        assert [p.coupon.code for p in again] == ["ONCE"]
        for other in (None, "q_other"):
            with pytest.raises(CouponInvalid, match="coupon ONCE: has been used"):
                coupons.check(session, ["ONCE"], member_id=None, channel="pos", quote_id=other)

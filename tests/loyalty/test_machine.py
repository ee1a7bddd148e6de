"""Property-based: random histories of earn/hold/capture/release/return/expire/adjust never
break the ledger: balance = ledger sum, never negative, every lot's remainder ≥ 0, holds agree."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from omohub.bootstrap import Hub
from omohub.catalog.models import Product, Sku
from omohub.core.clock import FrozenClock
from omohub.loyalty import ledger
from omohub.loyalty.check import run as check_ledger
from omohub.loyalty.errors import HoldClosed, NotEnoughPoints
from omohub.loyalty.models import PointLot
from omohub.loyalty.service import adjust, program, redeem
from omohub.members.models import Member
from omohub.org.models import Store
from tests.helpers import drain
from tests.loyalty.conftest import START, sale
from tests.loyalty.support import buy, give_back
from tests.members.test_identity_machine import new_hub

__all__ = ["new_hub"]

PROFILES = {"sqlite": (40, 25), "postgresql": (6, 20)}
PRICES = {"A": 990, "B": 2480, "C": 150}


class LedgerMachine(RuleBasedStateMachine):
    new_hub: Callable[[FrozenClock], Hub]
    orders = Bundle("orders")
    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock(START)
        self.hub = self.new_hub(self.clock)
        self.n = 0
        with self.hub.uow() as session:
            now = self.clock()
            session.add(Store(code="TPE-XINYI", name="信義店", city="台北市", created_at=now))
            session.add(Store(code="NTP-BANQIAO", name="板橋店", city="新北市", created_at=now))
            for code, price in PRICES.items():
                product = Product(code=code, name=code, category=code, list_price=price, created_at=now)
                session.add(product)
                session.flush()
                session.add(Sku(code=code, product_id=product.id, list_price=price, created_at=now))
            m = Member(status="active", joined_at=now, created_at=now, updated_at=now)
            session.add(m)
            session.flush()
            self.member = m.id
            program.update_settings(session, {"pending_days": 3, "expiry": "months", "expiry_months": 2})

    def teardown(self) -> None:
        self.hub.close()

    def key(self) -> str:
        self.n += 1
        return f"k{self.n}"

    @rule(
        target=orders,
        skus=st.lists(st.sampled_from(sorted(PRICES)), min_size=1, max_size=3, unique=True),
        qty=st.integers(1, 3),
    )
    def earn(self, skus: list[str], qty: int) -> int:
        order = buy(
            self.hub, sale(self.member, self.key(), [(s, qty, PRICES[s]) for s in skus], staff_code=None)
        )
        drain(self.hub)
        return order

    @rule(order=orders, sku=st.sampled_from(sorted(PRICES)))
    def give_back(self, order: int, sku: str) -> None:
        try:
            give_back(self.hub, order, self.key(), [{"sku": sku, "quantity": 1}])
        except Exception as exc:  # not on the order, or all units already back
            assert getattr(exc, "status", None) in (409, 422), exc
        drain(self.hub)

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days, minutes=1)
        drain(self.hub)  # sweeps: abandoned holds, expired lots

    @rule(target=holds, points=st.integers(1, 60))
    def hold(self, points: int) -> int:
        before = self.balance().available
        try:
            with self.hub.uow() as session:
                return redeem.hold(
                    session, self.member, points, key=self.key(), channel="pos", actor="pos"
                ).id
        except NotEnoughPoints:
            assert points > before
            return 0

    @rule(hold=consumes(holds), capture=st.booleans())
    def close(self, hold: int, capture: bool) -> None:
        if not hold:
            return
        try:
            with self.hub.uow() as session:
                if capture:
                    redeem.capture(session, hold, order_id=None)
                else:
                    redeem.release(session, hold)
        except HoldClosed:
            pass  # it timed out meanwhile

    @rule(points=st.integers(-40, 40).filter(bool))
    def adjust(self, points: int) -> None:
        try:
            with self.hub.uow() as session:
                adjust.adjust(session, self.member, points, reason="test", key=self.key(), actor="hq")
        except NotEnoughPoints:
            assert -points > self.balance().available

    def balance(self) -> ledger.Balance:
        with self.hub.uow() as session:
            return ledger.balance(session, self.member)

    @invariant()
    def ledger_adds_up(self) -> None:
        b = self.balance()
        assert b.total >= 0 and b.available >= 0 and b.held >= 0
        with self.hub.uow() as session:
            assert check_ledger(session).problems == []
            assert all(lot.remaining >= 0 for lot in session.scalars(select(PointLot)))


def test_the_ledger_invariants_hold_over_random_histories(
    new_hub: Callable[[FrozenClock], Hub], database_url: str
) -> None:
    examples, steps = PROFILES["sqlite" if database_url.startswith("sqlite") else "postgresql"]

    class Machine(LedgerMachine):
        pass

    Machine.new_hub = staticmethod(new_hub)  # type: ignore[assignment]
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

"""The engine's own largest-remainder split is the hub's (``orders.rules.allocate``), faster."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from omohub.orders.rules import allocate
from omohub.promotions.engine.money import largest_remainders, spread
from tests.promotions.engine.test_properties import PROPERTIES

weights_st = st.lists(st.one_of(st.integers(0, 3), st.integers(0, 100_000)), min_size=1, max_size=25).filter(
    any
)


@PROPERTIES
@given(weights_st, st.data())
def test_largest_remainders_is_allocate(weights: list[int], data: st.DataObject) -> None:
    amount = data.draw(st.integers(0, sum(weights)))
    assert largest_remainders(amount, weights, sum(weights)) == allocate(amount, weights)


@PROPERTIES
@given(weights_st, st.data())
def test_spread_gives_allocate_shares_to_their_positions(weights: list[int], data: st.DataObject) -> None:
    amount = data.draw(st.integers(0, sum(weights)))
    positions = sorted(data.draw(st.sets(st.integers(0, 99), min_size=len(weights), max_size=len(weights))))
    expected = [
        (pos, share) for pos, share in zip(positions, allocate(amount, weights), strict=True) if share
    ]
    assert spread(amount, positions, weights) == expected

"""Pure order arithmetic, property-tested."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omohub.orders import rules

weights_st = st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=1, max_size=30)


@given(weights_st, st.data())
def test_allocation_is_exact_bounded_and_proportional(weights: list[int], data: st.DataObject) -> None:
    amount = data.draw(st.integers(min_value=0, max_value=sum(weights)))
    shares = rules.allocate(amount, weights)
    assert sum(shares) == amount
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))
    if amount:
        total = sum(weights)
        # every share is its exact proportion rounded down or up
        assert all(abs(s * total - amount * w) < total for s, w in zip(shares, weights, strict=True))


def test_allocation_ties_go_to_the_earliest_line() -> None:
    assert rules.allocate(100, [100, 100, 100]) == [34, 33, 33]
    assert rules.allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert rules.allocate(5, [10, 0, 10]) == [3, 0, 2]
    assert rules.allocate(0, [0]) == [0]


def test_allocation_refuses_more_than_there_is() -> None:
    with pytest.raises(ValueError, match="cannot allocate 11"):
        rules.allocate(11, [5, 5])


@given(
    st.integers(min_value=0, max_value=10_000_000),
    st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=20),
)
def test_refunds_of_a_line_add_up_to_what_was_paid_however_split(line_total: int, parts: list[int]) -> None:
    quantity = sum(parts)
    returned, refunded = 0, 0
    for units in parts:
        refund = rules.refund_for(line_total, quantity, returned, units)
        assert refund >= 0
        returned, refunded = returned + units, refunded + refund
        assert refunded <= line_total
        assert refunded == rules.refunded_after(line_total, quantity, returned)  # independent of the split
    assert refunded == line_total


def test_last_unit_gets_the_remainder() -> None:
    assert [rules.refund_for(1000, 3, n, 1) for n in range(3)] == [333, 333, 334]
    assert rules.refund_for(1000, 3, 0, 3) == 1000
    with pytest.raises(ValueError):
        rules.refunded_after(100, 2, 3)


def test_status() -> None:
    assert rules.status_after([(2, 0), (1, 0)]) == "completed"
    assert rules.status_after([(2, 1), (1, 0)]) == "partially_refunded"
    assert rules.status_after([(2, 2), (1, 1)]) == "refunded"


def test_fingerprint_ignores_key_order_only() -> None:
    assert rules.fingerprint({"a": 1, "b": [1, 2]}) == rules.fingerprint({"b": [1, 2], "a": 1})
    assert rules.fingerprint({"a": 1, "b": [1, 2]}) != rules.fingerprint({"a": 1, "b": [2, 1]})

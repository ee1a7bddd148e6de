"""What finding the winning combination relies on, checked on its own.

Every kind reads and changes the cart only at the lines it targets, and never takes off more,
or gives more gift units, once the amounts and unit prices of those lines have fallen: so a
promotion alone on the cart as it came bounds what it does anywhere in a combination.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from omohub.promotions.engine.kinds import KINDS
from omohub.promotions.engine.pricer import in_line_order, run
from omohub.promotions.engine.stack import application_order
from omohub.promotions.engine.tally import Effect, Tally
from omohub.promotions.engine.types import CartLine, Promotion
from tests.promotions.engine.test_properties import PROPERTIES, carts, promotion_sets, promotions


def _measure(effect: Effect | None) -> tuple[int, int]:
    if effect is None:
        return 0, 0
    return sum(share for _, share in effect.shares), effect.gift[1] if effect.gift else 0


@PROPERTIES
@given(carts(), promotion_sets(), promotions(99), st.data())
def test_a_promotion_does_no_more_after_others_than_alone(
    lines: list[CartLine], earlier: list[Promotion], p: Promotion, data: st.DataObject
) -> None:
    ordered = in_line_order(lines)
    targets = {
        q.id: [pos for pos, line in enumerate(ordered) if q.target.matches(line)] for q in [*earlier, p]
    }
    # any of them, in application order: every cart ``winner`` meets is one of these
    before = application_order(data.draw(st.lists(st.sampled_from(earlier), unique_by=id)) if earlier else [])
    after = run(before, Tally(ordered), targets)
    positions = targets[p.id]
    if not positions:
        return
    kind = KINDS[p.kind]
    alone = _measure(kind.apply(p.params, Tally(ordered), positions))
    then = kind.apply(p.params, after, positions)
    assert _measure(then)[0] <= alone[0]
    assert _measure(then)[1] <= alone[1]
    if then:
        assert {pos for pos, _ in then.shares} <= set(positions)
        assert {pos for pos, _ in then.unit_prices} <= set(positions)


@PROPERTIES
@given(carts(), promotion_sets(), promotions(99), st.data())
def test_a_promotion_sees_only_its_lines(
    lines: list[CartLine], earlier: list[Promotion], p: Promotion, data: st.DataObject
) -> None:
    """Lines it does not target may be anything: what it does stays the same."""
    ordered = in_line_order(lines)
    targets = {
        q.id: [pos for pos, line in enumerate(ordered) if q.target.matches(line)] for q in [*earlier, p]
    }
    positions = targets[p.id]
    if not positions:
        return
    after = run(application_order(earlier), Tally(ordered), targets)
    other = Tally(ordered)
    for pos in positions:
        other.amounts[pos], other.units[pos] = after.amounts[pos], after.units[pos]
    kind = KINDS[p.kind]
    assert kind.apply(p.params, other, positions) == kind.apply(p.params, after, positions)

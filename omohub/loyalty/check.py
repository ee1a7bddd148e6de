"""``omohub loyalty check``: the ledger and the lots agree, for every member and every lot."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omohub.loyalty import repository as repo
from omohub.loyalty.models import PointAllocation, PointHold, PointLot


@dataclass
class Report:
    members: int = 0
    points: int = 0
    problems: list[str] = field(default_factory=list)


def run(session: Session) -> Report:
    report = Report()
    for member_id, ledger_sum, lot_sum in repo.summary_rows(session):
        report.members += 1
        report.points += int(ledger_sum or 0)
        if int(ledger_sum or 0) != int(lot_sum or 0):
            report.problems.append(f"member {member_id}: ledger sums to {ledger_sum}, lots hold {lot_sum}")
        if int(ledger_sum or 0) < 0:
            report.problems.append(f"member {member_id}: negative balance {ledger_sum}")
    _lots(session, report)
    _holds(session, report)
    return report


def _lots(session: Session, report: Report) -> None:
    taken = (
        select(PointAllocation.lot_id, func.sum(PointAllocation.points).label("n"))
        .where(PointAllocation.entry_id.is_not(None))
        .group_by(PointAllocation.lot_id)
        .subquery()
    )
    stmt = select(PointLot.id, PointLot.points, PointLot.remaining, PointLot.held, taken.c.n).outerjoin(
        taken, taken.c.lot_id == PointLot.id
    )
    for lot_id, points, remaining, held, n in session.execute(stmt):
        if remaining != points - int(n or 0):
            report.problems.append(f"lot {lot_id}: {points} earned, {n or 0} taken, but {remaining} remain")
        if not 0 <= held <= remaining:
            report.problems.append(f"lot {lot_id}: {held} held of {remaining} remaining")


def _holds(session: Session, report: Report) -> None:
    reserved = (
        select(PointAllocation.hold_id, func.sum(PointAllocation.points).label("n"))
        .where(PointAllocation.entry_id.is_(None), PointAllocation.hold_id.is_not(None))
        .group_by(PointAllocation.hold_id)
        .subquery()
    )
    stmt = select(PointHold.id, PointHold.points, reserved.c.n).join(
        reserved, reserved.c.hold_id == PointHold.id
    )
    held_total = session.scalar(select(func.coalesce(func.sum(PointLot.held), 0))) or 0
    open_total = 0
    for hold_id, points, n in session.execute(stmt.where(PointHold.status == "held")):
        open_total += int(n)
        if int(n) != points:
            report.problems.append(f"hold {hold_id}: {points} points but {n} reserved in lots")
    if int(held_total) != open_total:
        report.problems.append(f"lots say {held_total} points are held, open holds reserve {open_total}")

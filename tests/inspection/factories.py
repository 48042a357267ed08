"""The audit cases' test data: a unit's declaration of a year taken through review and
confirmation, so that its approved bases exist (most lines at the floor where asked)."""

from __future__ import annotations

from employer.factories import open_declaration, submit_filled
from yibao.employer import services

BELOW_FLOOR = 3000   # below 潍坊's and 聊城's 2024 floor: the engine clamps such a wage to the floor
ABOVE_FLOOR = 6000


def confirmed(unit, *, at_floor: int, year: int = 2024, reviewer, today=None):
    """The unit's active declaration of ``year``, its first ``at_floor`` people declaring a wage
    below the floor, approved by ``reviewer`` (核定入库) and confirmed."""
    declaration = open_declaration(unit, year)
    submit_filled(declaration, lambda i: BELOW_FLOOR if i < at_floor else ABOVE_FLOOR, today=today)
    services.review(declaration, actor=reviewer, approve=True)
    declaration.refresh_from_db()
    return services.confirm(declaration, actor=declaration.unit.operators.get().user)

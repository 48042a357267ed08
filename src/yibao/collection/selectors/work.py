"""Statements, their differences, refund applications and the villages' paid lists as a reader
may see them (``access.scoping``: out of scope reads like missing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, QuerySet

from yibao import clock
from yibao.access.scoping import scope_of
from yibao.channels import selectors as channel_selectors
from yibao.channels.models import Channel
from yibao.regions.models import Division, Level
from yibao.resident import collecting

from ..models import Payment, Refund, Statement, StatementDifference
from ..registrations import SCHEME


def channel_for(user, pk) -> Channel | None:
    """A resident-scheme channel in the user's scope, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return channel_selectors.channel_for(user, pk, scheme=SCHEME)


def channels_for(user) -> QuerySet[Channel]:
    return channel_selectors.channels_for(user, scheme=SCHEME)


def statements_for(user) -> QuerySet[Statement]:
    return scope_of(user).filter(Statement.objects.select_related("channel", "region")).order_by("-day", "-id")


def statement_for(user, pk: int) -> Statement | None:
    return statements_for(user).filter(pk=pk).first()


def difference_for(user, statement: Statement, pk: int) -> StatementDifference | None:
    return statement.differences.filter(pk=pk).first()


def difference_by_id(user, pk: int) -> StatementDifference | None:
    """A difference of a statement the reader may see (the command line names differences alone)."""
    return (StatementDifference.objects.filter(pk=pk, statement__in=statements_for(user))
            .select_related("statement").first())


def refunds_for(user) -> QuerySet[Refund]:
    return scope_of(user).filter(Refund.objects.select_related("payment", "payment__channel", "division",
                                                               "refund_payment"))


def refund_for(user, pk: int) -> Refund | None:
    return refunds_for(user).filter(pk=pk).first()


def payments_of(user, id_number: str, insurance_year: int) -> list[Payment]:
    """A person's payments of a year (refunds included) in the reader's scope."""
    number = (id_number or "").strip().upper()
    return list(scope_of(user).filter(Payment.objects.select_related("division", "channel"))
                .filter(id_number=number, insurance_year=insurance_year).order_by("paid_at", "id"))


def village_for(user, code: str) -> Division | None:
    """A village (12-digit code) in the reader's area."""
    return (scope_of(user).filter(Division.objects.filter(level=Level.VILLAGE, key=(code or "").strip()))
            .select_related("parent", "parent__parent").first())


def townships_for(user) -> QuerySet[Division]:
    return scope_of(user).filter(Division.objects.filter(level=Level.TOWNSHIP)).order_by("path")


@dataclass
class VillageRow:
    village: Division
    paid: int


def villages_for(user, year: int, *, township: str = "") -> list[VillageRow]:
    """The villages of the reader's area (one township's, when given) with how many stand paid."""
    villages = scope_of(user).filter(Division.objects.filter(level=Level.VILLAGE)).select_related("parent")
    if township:
        villages = villages.filter(parent_id=township)
    villages = list(villages.order_by("path")[:5000])
    counts = collecting.paid_counts([v.key for v in villages], year)
    return [VillageRow(v, counts.get(v.key, 0)) for v in villages]


def latest_year(user) -> int:
    """The latest insurance year paid for in the reader's area (the business date's year when none)."""
    latest = scope_of(user).filter(Payment.objects.all()).aggregate(y=Max("insurance_year"))["y"]
    return latest or clock.today().year

"""Factories of the resident scheme's records, built through its services where a journey would
be (registration, review) and directly where a test needs a state the next issue's services make
(a paid enrolment)."""

from __future__ import annotations

import datetime as dt

from factories import CHENGGUAN, DONGMING, JINCHENG, LEIZHUANG, TownshipClerkFactory, resident_id
from yibao.resident import services, tallies
from yibao.resident.models import Enrolment, EnrolmentStatus, Person

#: real villages of the 2023 statistical division codes
DONGMING_VILLAGE = LEIZHUANG                  # 雷庄村村民委员会, 城关街道
DONGMING_OTHER_VILLAGE = "371728001001"       # 北关社区居民委员会, 城关街道
DONGMING_OTHER_TOWNSHIP_VILLAGE = "371728101200"  # 东明集村村民委员会, 东明集镇
JINCHENG_TOWNSHIP = "140502001"               # 东街街道 (城区)
JINCHENG_VILLAGE = "140502001001"             # 建设路社区居委会
RESIDENT_SERIES = 7

__all__ = ["CHENGGUAN", "DONGMING", "DONGMING_OTHER_TOWNSHIP_VILLAGE", "DONGMING_OTHER_VILLAGE",
           "DONGMING_VILLAGE", "JINCHENG", "JINCHENG_TOWNSHIP", "JINCHENG_VILLAGE", "enrolled", "form",
           "resident_number"]


def resident_number(n: int, region_code: str = DONGMING) -> str:
    return resident_id(region_code, n, series=RESIDENT_SERIES)


def form(n: int = 1, *, year: int = 2024, village: str = DONGMING_VILLAGE, region_code: str = DONGMING,
         **extra) -> services.RegistrationInput:
    """A registration form for person ``n``, whose two certificates agree."""
    number = resident_number(n, region_code)
    values = {"insurance_year": year, "id_number": number, "name": f"居民{n}", "hukou_code": village,
              "hk_id_number": number, "hk_name": f"居民{n}", "household_number": f"HK{n:06d}",
              "phone": "13800138000"}
    values.update(extra)
    return services.RegistrationInput(**values)


def enrolled(n: int = 1, *, maker, checker=None, year: int = 2024, region: str = DONGMING,
             village: str = DONGMING_VILLAGE, paid_on: dt.date | None = None, **extra) -> Enrolment:
    """Person ``n`` registered by ``maker``, approved by ``checker`` (a township clerk of 城关街道
    by default), and paid on ``paid_on`` when given (set directly: payment is collection's)."""
    registration = services.register(form(n, year=year, village=village, region_code=region, **extra),
                                     region=region, actor=maker)
    checker = checker or TownshipClerkFactory()
    services.review(registration, actor=checker, approve=True)
    enrolment = Enrolment.objects.get(person__region_id=region, id_number=registration.id_number, insurance_year=year)
    if paid_on is not None:
        Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.PAID, paid_on=paid_on)
        tallies.refresh_enrolments([enrolment.pk])   # as ``collecting.mark_paid`` leaves them
        enrolment.refresh_from_db()
    return enrolment


def person(n: int = 1, region: str = DONGMING) -> Person:
    return Person.objects.get(region_id=region, id_number=resident_number(n, region))


# --- coverage and premium -------------------------------------------------------------------------

def number_born(born: dt.date, *, region_code: str = DONGMING, sequence: int = 1) -> str:
    """A valid identity number of someone born on ``born`` (a newborn, say)."""
    from yibao.identity import resident_id_check_char

    first17 = f"{region_code}{born:%Y%m%d}{RESIDENT_SERIES}{sequence:02d}"
    return first17 + resident_id_check_char(first17)


def hardship(id_number: str, category: str, valid_from: dt.date, valid_to: dt.date | None = None, *,
             region: str = DONGMING, source: str = "civil_affairs"):
    """A hardship category from an assistance department's list (as an import leaves it)."""
    from yibao.resident.models import HardshipGrant

    return HardshipGrant.objects.create(region_id=region, id_number=id_number, name="困难户", category=category,
                                        source=source, valid_from=valid_from, valid_to=valid_to)

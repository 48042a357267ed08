"""Checks every way in shares (a page, the API, the command line, an import row): identity
numbers and what they say, division codes, phones, duplicates across villages, regions and
schemes. Each returns the clean value or raises ``RegistrationError`` with a Chinese message
and the field concerned."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from yibao import clock, registry
from yibao.access.scoping import scope_of
from yibao.accounts.personal_data import sees_whole_id_numbers
from yibao.identity import IdentityError, ResidentId, parse_resident_id
from yibao.regions.models import Division, Level

from ..errors import DuplicateEnrolment, RegistrationError
from ..models import Enrolment, EnrolmentStatus, Registration, RegistrationStatus

PLACE_LEVELS = (Level.TOWNSHIP, Level.VILLAGE)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def identity(number: str, *, sex: str = "", birth_date: dt.date | None = None, field: str = "id_number",
             label: str = "身份证号码") -> ResidentId:
    """A valid resident identity number; a sex or birth date given beside it must agree with it."""
    try:
        parsed = parse_resident_id(number, today=clock.today())
    except IdentityError as exc:
        raise RegistrationError(f"{label}无效：{exc.message}", code=f"id_{exc.code}", fields={field: exc.message}) from None
    if sex and sex != parsed.sex:
        raise RegistrationError(f"性别“{sex}”与{label}不符：号码第17位表示{parsed.sex}性。", code="sex_mismatch",
                                fields={"sex": f"号码表示{parsed.sex}"})
    if birth_date and birth_date != parsed.birth_date:
        raise RegistrationError(f"出生日期 {birth_date.isoformat()} 与{label}不符：号码中的出生日期为 "
                                f"{parsed.birth_date.isoformat()}。", code="birth_date_mismatch",
                                fields={"birth_date": f"号码表示 {parsed.birth_date.isoformat()}"})
    return parsed


def place(code: str, region: str, *, field: str, label: str, divisions: dict[str, Division] | None = None) -> Division:
    """A township (9 digits) or village/community (12 digits) of the pooling region ``region``."""
    code = (code or "").strip()
    if not code:
        raise RegistrationError(f"请填写{label}区划代码。", code="division_missing", fields={field: "必填"})
    division = divisions.get(code) if divisions is not None else Division.objects.filter(key=code).first()
    if division is None or len(code) not in (9, 12):
        raise RegistrationError(f"{label}区划代码“{code}”不存在：应为 12 位村（社区）代码或 9 位乡镇（街道）代码。",
                                code="division_unknown", fields={field: "区划代码不存在"})
    if not division.path.startswith(f"{region}/") and f"/{region}/" not in division.path:
        raise RegistrationError(f"{label}“{division.name}”（{code}）不在本统筹区（{region}）内。",
                                code="division_outside_region", fields={field: "不在本统筹区"})
    if division.level not in PLACE_LEVELS:
        raise RegistrationError(f"{label}区划代码“{code}”不是乡镇（街道）或村（社区）。", code="division_level",
                                fields={field: "应为乡镇或村级代码"})
    return division


def phone(value: str) -> str:
    """A phone number, normalised: spaces and the +86 prefix removed; a mobile (11 digits) or a
    landline with its area code. Empty is allowed."""
    raw = (value or "").strip()
    number = re.sub(r"[\s()（）]", "", raw).replace("－", "-").replace("—", "-")
    number = re.sub(r"^(\+?86)(?=1\d{10}$)", "", number)
    if not number:
        return ""
    if _MOBILE.match(number.replace("-", "")):
        return number.replace("-", "")
    if _LANDLINE.match(number):
        return number
    raise RegistrationError(f"联系电话“{raw}”格式不正确：应为 11 位手机号码或带区号的固定电话。", code="phone_invalid",
                            fields={"phone": "格式不正确"})


def within_area(actor, division: Division) -> None:
    """Village agents and township clerks register only in their own area."""
    scope = scope_of(actor)
    if scope.sees_everything or not scope.division_path:
        return
    if not division.path.startswith(scope.division_path):
        raise RegistrationError(f"“{division.name}”不在您负责的区域内，不能为其登记或审核。", code="outside_area",
                                fields={"division": "不在负责区域内"})


@dataclass(frozen=True)
class Place:
    scheme: str
    region: str
    where: str


def pooling_regions():
    """Every pooling region's key, as a subquery: registrations are indexed by region first
    (``registration_person_year (region, id_number, insurance_year)``), so a lookup by identity
    number across regions names them all and the index serves one probe per region."""
    return Division.objects.filter(is_pooling_region=True).values("key")


def insured_places(id_number: str, year: int, *, excluding_registration: int | None = None) -> list[Place]:
    """Everywhere the person is enrolled (or waiting to be) for ``year``: resident enrolments in
    any village or region, pending registrations, and the employee scheme."""
    places = []
    for e in (Enrolment.objects.filter(id_number=id_number, insurance_year=year)
              .exclude(status__in=[EnrolmentStatus.REFUNDED, EnrolmentStatus.CANCELLED])
              .select_related("division", "region")):
        places.append(Place("resident", e.region_id, f"城乡居民医保：{e.region.name}{e.division.name}（{e.get_status_display()}）"))
    pending = (Registration.objects.filter(region_id__in=pooling_regions(), id_number=id_number, insurance_year=year,
                                           status__in=[RegistrationStatus.PENDING, RegistrationStatus.PROBLEM])
               .select_related("division", "region"))
    if excluding_registration is not None:
        pending = pending.exclude(pk=excluding_registration)
    for r in pending:
        places.append(Place("resident", r.region_id, f"城乡居民医保：{r.region.name}{r.division.name}（登记{r.get_status_display()}）"))
    for found in registry.insured_elsewhere(id_number, year, schemes=("employee",)):
        places.append(Place(found["scheme"], found["region"], found["where"]))
    return places


def shown_place(place: Place, reader) -> str:
    """Where a person is insured, as ``reader`` may see it: the village or unit for roles that see
    identity numbers whole, else (and for no reader) only the scheme and pooling region."""
    if reader is not None and sees_whole_id_numbers(reader):
        return place.where
    scheme = "职工医保" if place.scheme == "employee" else "城乡居民医保"
    name = Division.objects.filter(key=place.region).values_list("name", flat=True).first() or place.region
    return f"{scheme}：{name}"


def not_insured_elsewhere(id_number: str, year: int, *, reader=None, excluding_registration: int | None = None) -> None:
    """Refuse a second enrolment for the year: one person, one scheme, one place. Where the person
    is found is named, down to the village for roles that see identity numbers whole and to the
    pooling region for others."""
    places = insured_places(id_number, year, excluding_registration=excluding_registration)
    if places:
        shown = [shown_place(p, reader) for p in places]
        raise DuplicateEnrolment(f"此人 {year} 保险年度已参保或已登记，不能重复登记：{'；'.join(shown)}。", shown)

"""What keeps a batch's approval fast keeps its integrity too: the places the durable records take
are checked set-wise before they are written (and refused when one no longer holds), a division
referenced by a person is protected, an enrolment's person is checked by the database; the
conflict lookups find through the staged numbers what they found through lists; the duplicate
check asks registrations by region first; the reviewer's area check needs no scan of the batch
when the reviewer's area holds the region."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import DONGMING, AgencyClerkFactory, TownshipClerkFactory, division
from yibao.dbutil import text_values
from yibao.errors import AppError
from yibao.regions.services import ReferenceDataError, remove_division
from yibao.resident import services
from yibao.resident.models import Enrolment, ImportBatch, Person, Registration
from yibao.resident.services import checks, imports

from .factories import DONGMING_VILLAGE, JINCHENG, JINCHENG_VILLAGE, resident_number
from .test_imports import HEADER, csv_upload, imported, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return TownshipClerkFactory()


@pytest.fixture
def checker():
    return TownshipClerkFactory()


def test_an_approval_refuses_a_batch_whose_places_no_longer_hold_and_writes_nothing(clerk, checker):
    imported(csv_upload(HEADER, people(3)), clerk)
    batch = ImportBatch.objects.get()
    # a form's village gone from under it (a form's places carry no database constraint)
    Registration.objects.filter(batch=batch, id_number=resident_number(2)).update(residence_division_id="371728999999")
    with pytest.raises(AppError, match="所填区划已不存在或不在本统筹区内") as refused:
        services.start_review(batch, actor=checker, approve=True)
    assert refused.value.code == "division_unknown"
    assert not Person.objects.exists() and not Enrolment.objects.exists()
    assert set(Registration.objects.filter(batch=batch).values_list("status", flat=True)) == {"pending"}
    # a place of another region is refused the same way
    Registration.objects.filter(batch=batch).update(residence_division_id=DONGMING_VILLAGE)
    Registration.objects.filter(batch=batch, id_number=resident_number(3)).update(hukou_division_id=JINCHENG_VILLAGE)
    with pytest.raises(AppError, match="不在本统筹区内"):
        services.start_review(batch, actor=checker, approve=True)
    assert not Person.objects.exists()
    Registration.objects.filter(batch=batch).update(hukou_division_id=DONGMING_VILLAGE)
    assert services.start_review(batch, actor=checker, approve=True).approved == 3


def test_a_village_a_person_lives_in_cannot_be_removed(clerk, checker):
    imported(csv_upload(HEADER, people(1)), clerk)
    services.start_review(ImportBatch.objects.get(), actor=checker, approve=True)
    person = Person.objects.get()
    assert person.division_id == person.hukou_division_id == DONGMING_VILLAGE
    with pytest.raises(ReferenceDataError, match="仍被其他记录引用"):
        remove_division(division(DONGMING_VILLAGE))
    assert Person.objects.get().division_id == DONGMING_VILLAGE


def test_an_enrolment_s_person_is_checked_by_the_database_its_places_are_not(clerk, checker):
    imported(csv_upload(HEADER, people(1)), clerk)
    services.start_review(ImportBatch.objects.get(), actor=checker, approve=True)
    enrolment = Enrolment.objects.get()
    foreign = {c["columns"][0]: c["foreign_key"] for c in
               connection.introspection.get_constraints(connection.cursor(), Enrolment._meta.db_table).values()
               if c["foreign_key"]}
    assert set(foreign) == {"person_id"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(person_id=enrolment.person_id + 10_000)
        connection.check_constraints(table_names=[Enrolment._meta.db_table])
    assert Enrolment.objects.get().person_id == Person.objects.get().pk


def test_text_values_and_staged_numbers_hand_every_value_back():
    odd = ["A'B", 'quote"d', "逗号,空格 ", "back\\slash", "ä"]
    with connection.cursor() as cur:
        sql, params = text_values(odd).as_sql(None, connection)
        cur.execute(f"SELECT * FROM {sql} AS t", params)  # noqa: S608
        assert sorted(r[0] for r in cur.fetchall()) == sorted(odd)
    numbers = [resident_number(n) for n in range(1, 6)]
    with imports.staged_numbers(numbers) as staged:
        sql, params = staged.as_sql(None, connection)
        with connection.cursor() as cur:
            cur.execute(f"SELECT * FROM {sql} AS t", params)  # noqa: S608
            assert sorted(r[0] for r in cur.fetchall()) == sorted(numbers)
    with connection.cursor() as cur:   # dropped on the way out
        cur.execute("SELECT 1")
    assert not [t for t in connection.introspection.table_names(include_views=False) if t.startswith("staged_numbers")]


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_conflicts_are_found_in_every_table_through_the_staged_numbers(clerk):
    # enrolled elsewhere, registering elsewhere, a person of the region with another name
    from .test_imports import _enrolled_in_jincheng

    _enrolled_in_jincheng(resident_number(1))
    Registration.objects.create(region_id=JINCHENG, insurance_year=2024, channel="online", id_number=resident_number(2),
                                name="居民2", sex="男", birth_date="1980-01-01", hukou_division_id=JINCHENG_VILLAGE,
                                residence_division_id=JINCHENG_VILLAGE, division_id=JINCHENG_VILLAGE)
    Person.objects.create(region_id=DONGMING, id_number=resident_number(3), name="旧名", sex="男",
                          birth_date="1980-01-01", hukou_division_id=DONGMING_VILLAGE,
                          residence_division_id=DONGMING_VILLAGE, division_id=DONGMING_VILLAGE, valid_from=timezone.now())
    rows = []
    for n in range(1, 5):
        number = resident_number(n)
        parsed = checks.identity(number)
        rows.append((number, "居民3" if n == 3 else f"居民{n}", parsed.sex, parsed.birth_date))
    reader = AgencyClerkFactory(division=division(DONGMING))
    found = imports.find_conflicts(rows, 2024, DONGMING, reader)
    assert set(found) == {resident_number(1), resident_number(2), resident_number(3)}
    assert "已参保或已登记" in found[resident_number(1)] and "登记待审核" in found[resident_number(2)]
    assert "姓名已登记为“旧名”，文件为“居民3”" in found[resident_number(3)]


def test_the_duplicate_check_asks_registrations_by_region_first():
    with CaptureQueriesContext(connection) as queries:
        assert checks.insured_places(resident_number(1), 2024) == []
    registration_queries = [q["sql"] for q in queries if '"resident_registration"' in q["sql"]]
    assert registration_queries and all('"resident_registration"."region_id" IN (SELECT' in sql
                                        for sql in registration_queries)


def test_a_reviewer_whose_area_holds_the_region_is_not_checked_row_by_row(clerk):
    imported(csv_upload(HEADER, people(2)), clerk)
    batch = ImportBatch.objects.get()
    city = AgencyClerkFactory(division=division(DONGMING))
    with CaptureQueriesContext(connection) as queries:
        imports._may_review(batch, city, True, "")
    assert not [q for q in queries if "resident_registration" in q["sql"]]
    # a township clerk of the batch's township is asked one statement, and passes
    with CaptureQueriesContext(connection) as queries:
        imports._may_review(batch, TownshipClerkFactory(), True, "")
    assert len([q for q in queries if "resident_registration" in q["sql"]]) == 1

"""``yibao.dbutil``: which database errors count as a race lost to a concurrent transaction (read
again and try again) and which are faults, and the bulk path's refusal of a row it would leave
half-filled. On both databases, with the databases' own errors."""

import pytest
from django.db import IntegrityError, transaction

from yibao.dbutil import FEW_VALUES, bulk_insert, in_values, lost_race, until_won
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db


def _error(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        write()
    return raised.value


def test_a_unique_row_taken_first_is_a_lost_race_a_missing_value_is_a_fault():
    Division.objects.create(key="X1", name="甲", level="village", path="X1/")
    taken = _error(lambda: Division.objects.create(key="X1", name="乙", level="village", path="X1/"))
    assert lost_race(taken)
    missing = _error(lambda: Division.objects.filter(key="X1").update(name=None))
    assert not lost_race(missing)


def test_until_won_tries_again_after_a_lost_race_and_raises_a_fault():
    Division.objects.create(key="X2", name="甲", level="village", path="X2/")
    tries = []

    def taken():
        tries.append(1)
        Division.objects.create(key="X2", name="乙", level="village", path="X2/")

    with transaction.atomic():
        assert until_won(taken, 3) is False
    assert len(tries) == 3

    def broken():
        tries.append(1)
        Division.objects.filter(key="X2").update(name=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        until_won(broken, 3)
    assert len(tries) == 4   # a fault is not tried again
    assert Division.objects.get(key="X2").name == "甲"


def test_bulk_insert_refuses_rows_without_a_not_null_column():
    with pytest.raises(ValueError, match="path") as refused, transaction.atomic():
        bulk_insert(Division, ["key", "name", "level"], [("X3", "丙", "village")])
    assert "regions.Division" in str(refused.value)
    assert not Division.objects.filter(key="X3").exists()
    with transaction.atomic():
        bulk_insert(Division, ["key", "name", "level", "path", "code", "is_pooling_region", "note"],
                    [("X3", "丙", "village", "X3/", "", False, "")])
    assert Division.objects.get(key="X3").path == "X3/"


def test_in_values_gives_the_same_rows_as_a_list_or_a_subquery():
    keys = [f"Y{n:03d}" for n in range(100)]
    with transaction.atomic():
        bulk_insert(Division, ["key", "name", "level", "path", "code", "is_pooling_region", "note"],
                    [(k, "丁", "village", f"{k}/", "", False, "") for k in keys])
    few, many = in_values(keys[:FEW_VALUES]), in_values(keys)
    assert few == keys[:FEW_VALUES] and not isinstance(many, list)
    assert set(Division.objects.filter(key__in=few).values_list("key", flat=True)) == set(keys[:FEW_VALUES])
    assert set(Division.objects.filter(key__in=many).values_list("key", flat=True)) == set(keys)

"""``staged_numbers`` on PostgreSQL: an error inside the block is the error raised, not the
"transaction is aborted" of dropping the staged table afterwards."""

import pytest
from django.db import DataError, connection, transaction

from yibao.resident.services.imports import staged_numbers

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_an_error_inside_the_block_is_the_one_raised():
    with pytest.raises(DataError, match="division by zero"), transaction.atomic(), staged_numbers(["370705199001011233"]):
        with connection.cursor() as cur:
            cur.execute("SELECT 1 / 0")
    with staged_numbers(["370705199001011233"]) as staged, connection.cursor() as cur:   # the connection still works
        cur.execute(f"SELECT count(*) FROM ({staged.sql}) s")  # noqa: S608
        assert cur.fetchone() == (1,)


def test_the_numbers_answer_as_a_subquery():
    from yibao.resident.models import Person

    with staged_numbers(["370705199001011233"]) as staged:
        assert list(Person.objects.filter(id_number__in=staged)) == []

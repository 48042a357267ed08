"""A role that sees identity numbers masked cannot recover them through the declaration search.

Before, the search matched any part of the identity number, so a bureau manager could read a
person's hidden birth date digit by digit from which queries found the line. Now such a role
searches names and 个人编号 only, and a query that can only be an identity number is refused with
a message; roles that see the numbers whole search them as before."""

import pytest
from django.urls import reverse

from yibao.access.roles import Role

pytestmark = pytest.mark.django_db


def _page_lines(client, declaration, q):
    response = client.get(reverse("declaration", args=[declaration.pk]), {"q": q})
    assert response.status_code == 200
    return [line.pk for line in response.context["page"].object_list], response


def _api_lines(client, declaration, q):
    return client.get(f"/api/v1/employer/declarations/{declaration.pk}/lines", {"q": q})


def _person(gate):
    line = gate.declaration_in.lines.order_by("id").first()
    return line, line.id_number


def test_a_masked_role_finds_nothing_by_the_hidden_digits(gate):
    manager = gate.clients[Role.BUREAU_MANAGER]
    line, number = _person(gate)
    # the masked part is the birth date (370705********1234): probe it as the attack did
    for fragment in (number[6:14], number[6:10], number[:8], number[10:16]):
        found, _ = _page_lines(manager, gate.declaration_in, fragment)
        assert line.pk not in found, f"page search by {fragment!r} found the line"
        answer = _api_lines(manager, gate.declaration_in, fragment)
        assert answer.status_code == 200
        assert line.pk not in [x["id"] for x in answer.json()], f"API search by {fragment!r} found the line"


def test_a_masked_role_searching_by_an_identity_number_is_told_why(gate):
    manager = gate.clients[Role.BUREAU_MANAGER]
    line, number = _person(gate)
    for query in (number, number[:15], number[:17] + "X", "1234x"):
        answer = _api_lines(manager, gate.declaration_in, query)
        assert answer.status_code == 400, query
        body = answer.json()
        assert body["code"] == "masked_id_search" and "不能按身份证号码查找" in body["detail"]
        found, page = _page_lines(manager, gate.declaration_in, query)
        assert found == []
        assert "不能按身份证号码查找" in page.content.decode()


def test_a_masked_role_still_finds_people_by_name_and_employee_number(gate):
    manager = gate.clients[Role.BUREAU_MANAGER]
    line, _ = _person(gate)
    for query in (line.name, line.employee_number, line.employee_number[-3:]):
        found, _ = _page_lines(manager, gate.declaration_in, query)
        assert line.pk in found, query
        assert line.pk in [x["id"] for x in _api_lines(manager, gate.declaration_in, query).json()], query


@pytest.mark.parametrize("role", [Role.AGENCY_CLERK, Role.UNIT_OPERATOR, Role.AUDITOR, Role.ADMIN])
def test_roles_that_see_whole_numbers_search_them(gate, role):
    client = gate.clients[role]
    line, number = _person(gate)
    for query in (number, number[6:14]):
        found, _ = _page_lines(client, gate.declaration_in, query)
        assert line.pk in found, (role, query)
        assert line.pk in [x["id"] for x in _api_lines(client, gate.declaration_in, query).json()], (role, query)


def test_the_review_queue_does_not_search_identity_numbers(gate):
    manager = gate.clients[Role.BUREAU_MANAGER]
    _, number = _person(gate)
    for query in (number, number[6:14]):
        listed = manager.get("/api/v1/employer/declarations", {"q": query, "status": ""}).json()
        assert gate.declaration_in.pk not in [d["id"] for d in listed]
        page = manager.get(reverse("employer_queue"), {"q": query, "status": ""})
        assert gate.declaration_in.pk not in [d.pk for d in page.context["page"].object_list]
    listed = manager.get("/api/v1/employer/declarations", {"q": gate.unit_in.name, "status": ""}).json()
    assert gate.declaration_in.pk in [d["id"] for d in listed]

"""Answers carrying personal data are not kept by browsers or proxies: every API answer and every
page or file served to a signed-in user says ``Cache-Control: no-store``."""

import pytest

from factories import AgencyClerkFactory

pytestmark = pytest.mark.django_db


def test_the_account_answer_and_signed_in_pages_are_not_stored(client):
    client.force_login(AgencyClerkFactory())
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["role"] == "agency_clerk"
    assert me["Cache-Control"] == "no-store"
    assert client.get("/api/v1/divisions/370700")["Cache-Control"] == "no-store"
    page = client.get("/")
    assert page["Cache-Control"] == "no-store"


def test_anonymous_pages_keep_their_caching_and_refusals_are_not_stored(client):
    assert client.get("/api/v1/me")["Cache-Control"] == "no-store"      # a refusal of the API too
    assert "no-store" not in client.get("/login/").get("Cache-Control", "")

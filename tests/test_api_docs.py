"""The API's documentation: behind sign-in, served from the installed packages, under a strict CSP."""

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    user = create_user(role=Role.AUDITOR, username="docs.reader", password="Docs-pass-12", check_password=False,
                       division=Division.objects.get(key="370700"))
    client = Client()
    client.force_login(user)
    return client


def test_docs_and_schema_need_sign_in():
    client = Client()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/login/?next=")
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 401
    assert "paths" not in schema.content.decode()


def test_docs_load_nothing_from_other_sites_under_a_self_only_policy(signed_in):
    response = signed_in.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in csp and "unsafe" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert not [s for s in sources if "//" in s]
    for source in sources:
        assert signed_in.get(source).status_code == 200, source
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert signed_in.get("/api/v1/openapi.json").status_code == 200


def _headers_with(env: dict[str, str]) -> str:
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='yibao.settings'; django.setup();"
            "from django.test import Client; r = Client().get('/login/', secure=True);"
            "print(r.headers.get('Strict-Transport-Security', ''))")
    env = {**os.environ, "DATABASE_URL": "", **env}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          timeout=120).stdout.strip()


def test_hsts_is_sent_when_served_over_https(tmp_path):
    header = _headers_with({"HTTPS": "1", "YIBAO_VAR_DIR": str(tmp_path)})
    assert header.startswith("max-age=")
    assert int(header.split("=")[1].split(";")[0]) >= 180 * 24 * 3600
    assert _headers_with({"HTTPS": "", "YIBAO_VAR_DIR": str(tmp_path)}) == ""


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names its components by class name: a second schema of the same name
    in another app silently replaces the first in the document (and the documented answers)."""
    import collections

    from ninja import Schema

    import yibao.api  # noqa: F401  (every app's router, hence every schema, is imported)

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    names = collections.defaultdict(set)
    for cls in every(Schema):
        if cls.__module__.startswith("yibao."):
            names[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(modules) for name, modules in names.items() if len(modules) > 1}
    assert not clashes, f"API schemas sharing a name: {clashes}"

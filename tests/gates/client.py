"""Requests the gates send: a route's URL for a choice of parameters, sent with the Django test
client in a savepoint that is rolled back (and the client's cookies put back), so one request
leaves nothing for the next."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from .routes import Route


@dataclass
class Answer:
    status: int
    content: bytes
    content_type: str
    location: str = ""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def url_of(route: Route, values: dict[str, object]) -> str:
    path_values = {k: v for k, v in values.items() if k in route.path_params}
    query = {k: v for k, v in values.items() if k not in route.path_params}
    if route.kind == "page":
        path = reverse(route.key, kwargs=path_values)
    else:
        path = route.path.format(**path_values)
    return path + (f"?{urlencode(query)}" if query else "")


def send(client: Client, route: Route, method: str, values: dict[str, object], data: dict | None = None) -> Answer:
    """``data`` is the body; a value ``(name, bytes)`` is a file, and makes the body multipart."""
    url = url_of(route, values)
    files = {k: SimpleUploadedFile(v[0], v[1]) for k, v in (data or {}).items() if isinstance(v, tuple)}
    cookies = copy.deepcopy(client.cookies)  # messages left for the next page go back with the savepoint
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif files:
            response = client.post(url, {**(data or {}), **files})
        elif route.kind == "api":
            response = client.generic(method, url, json.dumps(data or {}), content_type="application/json")
        else:
            response = client.generic(method, url, urlencode(data or {}),
                                      content_type="application/x-www-form-urlencoded")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    client.cookies = cookies
    return Answer(response.status_code, content, response.get("Content-Type", ""), response.get("Location", ""))


_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def normalised(answer: Answer) -> tuple[int, str]:
    """Status and body, with the CSRF token (masked afresh in every rendering) taken out."""
    return answer.status, _CSRF.sub(r"\1…\2", answer.text)

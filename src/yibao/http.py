"""What every interface shares about HTTP: the JSON error body (documented in the OpenAPI
document), the statuses each kind of refusal answers with, and file downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Schema

from yibao.errors import AppError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class ErrorOut(Schema):
    """A refusal: ``code`` names it (the engine's codes not_configured, out_of_range,
    not_eligible and invalid_input pass through unchanged), ``detail`` and ``message`` carry the
    Chinese message, ``fields`` the inputs concerned, ``missing`` what a notice leaves unconfigured."""

    detail: str
    code: str = "refused"
    message: str = ""
    fields: dict[str, Any] | None = None
    missing: list[str] | None = None
    explanation: list[Any] | None = None


def error_body(exc: AppError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message, **exc.to_dict()}
    if exc.explanation:
        body["explanation"] = exc.explanation
    return body


#: The statuses an operation can answer with besides its success: a request it cannot read (400),
#: no signed-in user (401), a role without the capability or a missing CSRF token (403), an
#: object that does not exist or is outside the caller's scope (404), a conflicting state (409),
#: input its schema or the policy engine refuses (422).
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def responds(ok, *extra: int, status: int = 200) -> dict:
    """``response=`` of an operation: ``ok`` on success, ``ErrorOut`` for every refusal."""
    out = {status: ok, **REFUSALS}
    for code in extra:
        out[code] = ErrorOut
    return out


def refusals() -> dict:
    """``response=`` of an operation whose success is a file (see ``file_responses``)."""
    return dict(REFUSALS)


def file_responses(*content_types: str, description: str = "文件") -> dict:
    """``openapi_extra=`` of an operation that answers with a file of one of ``content_types``."""
    schema = {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": description,
                                "content": {t: {"schema": schema} for t in content_types}}}}


def attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

"""What every interface shares about HTTP: the JSON error body (documented in the OpenAPI
document), the statuses each kind of refusal answers with, and file downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Schema

from yibao.errors import AppError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


#: The statuses an operation that calls a service can answer with, besides its success.
REFUSALS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def responds(ok, *extra: int, status: int = 200) -> dict:
    """``response=`` of an operation: ``ok`` on success, ``ErrorOut`` for every refusal."""
    out = {status: ok, **REFUSALS}
    for code in extra:
        out[code] = ErrorOut
    return out


def attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response

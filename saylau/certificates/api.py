"""Certificates over the API: the scoped list, the PDF and the signed credential for the holder and managers, and
public verification (no token; rate-limited per address like the page)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from saylau.core.errors import DomainError, PermissionDenied
from saylau.core.throttle import client_ip

from . import selectors, verification
from .scoping import access_certificate, can_download
from .services import pdf_bytes

router = Router(tags=["certificates"])


class TooManyChecks(DomainError):
    status = 429


def _throttle(request) -> None:
    if not verification.within_rate(client_ip(request)):
        raise TooManyChecks("rate_limited", _("Too many checks from your address. Wait a minute and try again."))


def _status(certificate) -> str:
    return verification.REVOKED if certificate.is_revoked else verification.VALID


@router.get("/certificates")
def list_certificates(request, event: int | None = None, person: int | None = None, limit: int = 100,
                      offset: int = 0):
    """Certificates the caller may see (a holder: their own), newest first."""
    qs = selectors.register(request.auth, event_id=event, person_id=person)
    limit = max(1, min(limit, 1000))
    return {"items": [{"number": c.number, "person_id": c.person_id, "award": c.award_title,
                       "issued_on": c.issued_on, "status": _status(c)} for c in qs[offset:offset + limit]],
            "count": qs.count()}


def _downloadable(request, number: str):
    certificate = access_certificate(request.auth, number)
    if not can_download(request.auth, certificate):
        raise PermissionDenied("forbidden", _("Only the holder and those who manage certificates download them."))
    return certificate


@router.get("/certificates/{number}/credential")
def get_credential(request, number: str):
    """The Open Badges 3.0 credential as a VC-JWT (``application/vc+jwt``)."""
    return HttpResponse(_downloadable(request, number).credential, content_type="application/vc+jwt")


@router.get("/certificates/{number}/pdf")
def get_pdf(request, number: str):
    certificate = _downloadable(request, number)
    response = HttpResponse(pdf_bytes(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


def _public(result: dict) -> dict:
    keys = ("status", "number", "holder_name", "award", "issued_on", "issuer", "revoked_on", "revocation_reason",
            "superseded")
    return {key: result[key] for key in keys}


@router.get("/certificates/{number}/verify", auth=None)
def verify_number(request, number: str):
    """What the certificate states and whether it stands: ``valid``, ``revoked`` or ``unknown``."""
    _throttle(request)
    return _public(verification.by_number(number, channel="api", client=client_ip(request)))


@router.post("/certificates/verify", auth=None, openapi_extra={"requestBody": {"content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}}}},
    "application/json": {"schema": {"type": "object", "properties": {"jwt": {"type": "string"}}}}}}})
def verify_file(request):
    """A PDF or a VC-JWT (multipart ``file``), or ``{"jwt": "…"}``: the same answer as by number, or
    ``tampered`` when the content was altered."""
    _throttle(request)
    upload = request.FILES.get("file")
    if upload is not None:
        return _public(verification.by_file(upload.read(), channel="api", client=client_ip(request)))
    try:
        token = json.loads(request.body or b"{}").get("jwt")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token.strip():
        raise DomainError("file_required", _("Send the PDF or the credential as the multipart field “file”, or "
                                             "the credential as {\"jwt\": …}."), field="file")
    return _public(verification.by_token(token, channel="api", client=client_ip(request)))

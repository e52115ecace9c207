"""Checking a certificate: by its number, by its signed credential, or by the PDF itself. Every check is logged
(``VerificationCheck``) and answers only what the certificate states, never the holder's IIN.

- a number we issued → ``valid`` or ``revoked``; any other → ``unknown``;
- a credential → ``tampered`` unless its Ed25519 signature verifies against one of our keys, active or retired,
  and it is a credential we issued (the current one or a superseded revision, ``superseded: true``);
- a PDF → genuine when its SHA-256 digest is that of a PDF we issued; a PDF carrying our credential or number whose
  bytes differ from every PDF we issued was altered → ``tampered``; anything else → ``unknown``."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.utils.translation import gettext as _

from saylau.core.errors import DomainError
from saylau.core.throttle import hit

from . import credential, pdf
from .models import Certificate, CertificateRevision, VerificationCheck

VALID, REVOKED, UNKNOWN, TAMPERED = "valid", "revoked", "unknown", "tampered"
NUMBER_PATTERN = re.compile(r"[A-Z]{2,8}-\d{4}-\d{6}")
MAX_UPLOAD_BYTES = 5_000_000


class UnreadableUpload(DomainError):
    pass


def within_rate(client: str) -> bool:
    """Public checks per client address per minute (``CERTIFICATE_VERIFY_RATE``), for the page and the API."""
    return hit(f"verify:{client}", limit=settings.CERTIFICATE_VERIFY_RATE, window_seconds=60)


def normalise_number(text: str) -> str:
    return (text or "").strip().upper().replace(" ", "")[:64]


def answer(certificate: Certificate | None, status: str | None = None, *, superseded: bool = False) -> dict:
    if certificate is None:
        return {"status": status or UNKNOWN, "number": None, "holder_name": None, "award": None,
                "award_kk": None, "award_ru": None, "issued_on": None, "issuer": None, "hours": None,
                "revoked_on": None, "revocation_reason": None, "superseded": False}
    return {
        "status": status or (REVOKED if certificate.is_revoked else VALID),
        "number": certificate.number,
        "holder_name": certificate.holder_name,
        "award": certificate.award_title,
        "award_kk": certificate.award_title_kk,
        "award_ru": certificate.award_title_ru,
        "issued_on": certificate.issued_on,
        "issuer": certificate.issuer_name,
        "hours": certificate.hours,
        "revoked_on": certificate.revoked_on,
        "revocation_reason": certificate.revocation_reason or None,
        "superseded": superseded,
    }


def _log(result: dict, *, channel: str, number: str = "", client: str = "") -> dict:
    VerificationCheck.objects.create(channel=channel, number=(result.get("number") or number)[:64],
                                     status=result["status"], client=client[:64])
    return result


def by_number(number: str, *, channel: str, client: str = "") -> dict:
    number = normalise_number(number)
    certificate = Certificate.objects.filter(number=number).first() if number else None
    return _log(answer(certificate), channel=channel, number=number, client=client)


def _by_token(token: str) -> dict:
    try:
        payload = credential.verify(token)
    except credential.Tampered:
        return answer(None, TAMPERED)
    number = str(payload.get("certificateNumber", ""))
    certificate = Certificate.objects.filter(number=number).first()
    if certificate is None:
        return answer(None, UNKNOWN)
    if token.strip() == certificate.credential:
        return answer(certificate)
    if CertificateRevision.objects.filter(certificate=certificate, credential=token.strip()).exists():
        return answer(certificate, superseded=True)
    # Signed by us but never issued as such: a leaked key would look like this. Treat as forged.
    return answer(None, TAMPERED)


def by_token(token: str, *, channel: str, client: str = "") -> dict:
    return _log(_by_token(token), channel=channel, client=client)


def _by_pdf(data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    certificate = Certificate.objects.filter(pdf_sha256=digest).first()
    if certificate is not None:
        return answer(certificate)
    revision = CertificateRevision.objects.filter(pdf_sha256=digest).select_related("certificate").first()
    if revision is not None:
        return answer(revision.certificate, superseded=True)
    embedded = pdf.embedded_credential(data)
    if embedded is not None or NUMBER_PATTERN.search(data.decode("latin-1")):
        return answer(None, TAMPERED)
    return answer(None, UNKNOWN)


def by_file(data: bytes, *, channel: str, client: str = "") -> dict:
    """An uploaded PDF or JWT (told apart by content)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableUpload("too_large", _("The file is larger than 5 MB: it is not one of our certificates."),
                               field="file")
    if data.startswith(b"%PDF"):
        return _log(_by_pdf(data), channel=channel, client=client)
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise UnreadableUpload("unreadable", _("The file is neither a PDF nor a signed credential (JWT)."),
                               field="file") from None
    if text.count(".") != 2:
        raise UnreadableUpload("unreadable", _("The file is neither a PDF nor a signed credential (JWT)."),
                               field="file")
    return by_token(text, channel=channel, client=client)

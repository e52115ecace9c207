"""The certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (W3C Verifiable Credentials Data Model 2.0),
secured as a VC-JWT (VC-JOSE-COSE: the JWT's payload is the credential itself, header ``typ: vc+jwt``) signed with
Ed25519 (``alg: EdDSA``), and the Bitstring Status List credential through which offline verifiers learn about
revocations. Pure functions over plain data, apart from the keys (``keys.py``)."""

from __future__ import annotations

import base64
import datetime
import gzip
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.urls import reverse

from . import keys

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_ID = 1
# The Bitstring Status List recommends at least 16 KiB (131,072 entries) so that a list reveals little.
MIN_STATUS_LIST_BITS = 131_072


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def issuer_id(commission_code: str) -> str:
    return absolute(reverse("certificates:issuer", args=[commission_code]))


def status_list_url() -> str:
    return absolute(reverse("certificates:status_list", args=[STATUS_LIST_ID]))


def verification_url(number: str) -> str:
    return absolute(reverse("certificates:verify_number", args=[number]))


@dataclass(frozen=True)
class CredentialFacts:
    """What a certificate states, as the credential carries it."""

    number: str
    revision: int
    holder_name: str
    award_kind: str  # "event" | "test" | "course"
    award_id: int
    award_title_kk: str
    award_title_ru: str
    criteria_kk: str
    criteria_ru: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours: str | None
    result_percent: str | None
    issuer_code: str
    issuer_name_kk: str
    issuer_name_ru: str
    issued_on: datetime.date
    status_index: int


def _instant(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def build(facts: CredentialFacts) -> dict:
    """The OpenBadgeCredential. Names are given in Kazakh (``name``) with the Russian in a language map the JSON-LD
    context allows (``name`` stays a plain string for verifiers that read only that)."""
    achievement_id = absolute(f"/certificates/awards/{facts.award_id}")
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                        "identityHash": facts.holder_name}],
        "achievement": {
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": {"event": "Certificate", "course": "Course"}.get(facts.award_kind, "Assessment"),
            "name": facts.award_title_kk,
            "description": facts.award_title_ru,
            "criteria": {"narrative": f"{facts.criteria_kk}\n\n{facts.criteria_ru}"},
            "inLanguage": "kk",
        },
        "activityStartDate": _instant(facts.starts_on),
        "activityEndDate": _instant(facts.ends_on),
    }
    if facts.hours is not None:
        subject["creditsEarned"] = float(facts.hours)
    if facts.result_percent is not None:
        subject["achievement"]["resultDescription"] = [{
            "id": f"{achievement_id}#result", "type": ["ResultDescription"], "name": "%",
            "resultType": "Percent"}]
        subject["result"] = [{"type": ["Result"], "resultDescription": f"{achievement_id}#result",
                              "value": facts.result_percent}]
    issuer = issuer_id(facts.issuer_code)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verification_url(facts.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.award_title_kk,
        "issuer": {"id": issuer, "type": ["Profile"], "name": facts.issuer_name_kk,
                   "description": facts.issuer_name_ru},
        "validFrom": _instant(facts.issued_on),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list_url()}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": status_list_url(),
        },
        # Not part of the data model: which certificate and revision this is, for the verification page.
        "certificateNumber": facts.number,
        "certificateRevision": facts.revision,
    }


def sign(payload: dict, signing_key: keys.SigningKey | None = None, *, typ: str = "vc+jwt") -> str:
    """A compact JWS over the payload. ``iss``/``jti``/``iat`` repeat the credential's issuer, id and date as the
    registered claims generic JWT libraries check."""
    signing_key = signing_key or keys.active_key()
    claims = dict(payload)
    issuer = payload.get("issuer")
    claims.setdefault("iss", issuer["id"] if isinstance(issuer, dict) else issuer)
    claims.setdefault("jti", payload.get("id"))
    return jwt.encode(claims, signing_key.private_key, algorithm="EdDSA",
                      headers={"kid": signing_key.kid, "typ": typ, "cty": typ.removesuffix("+jwt")})


class Tampered(Exception):
    """The token is not one we signed as it stands: bad signature, unknown key, or not a JWT at all."""


def verify(token: str) -> dict:
    """The payload of a token signed by one of our keys (active or retired); ``Tampered`` otherwise."""
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Tampered(str(exc)) from exc
    key = keys.public_keys().get(header.get("kid", ""))
    if key is None or header.get("alg") != "EdDSA":
        raise Tampered("unknown key")
    try:
        return jwt.decode(token, key, algorithms=["EdDSA"],
                          options={"verify_aud": False, "verify_iat": False, "verify_nbf": False})
    except jwt.PyJWTError as exc:
        raise Tampered(str(exc)) from exc


def encode_bitstring(revoked_indexes, size: int | None = None) -> str:
    """The Bitstring Status List's ``encodedList``: bit i (most significant bit of byte 0 first) set for each
    revoked index, GZIP-compressed, base64url without padding, with the multibase prefix ``u``."""
    revoked = list(revoked_indexes)
    needed = max(revoked, default=-1) + 1
    bits = max(MIN_STATUS_LIST_BITS, size or 0, -(-needed // 8) * 8)
    data = bytearray(bits // 8)
    for index in revoked:
        data[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bitstring(encoded: str) -> bytes:
    body = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list(revoked_indexes, *, issuer: str, issuer_name: str, now: datetime.datetime) -> dict:
    url = status_list_url()
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": issuer, "name": issuer_name},
        "validFrom": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode_bitstring(revoked_indexes)},
    }

"""The answer save, served in front of Django: the hot path of a nationwide test.

``PUT /api/v1/attempts/<attempt>/answers/<item>`` with ``Authorization: Bearer <token>`` is what an examinee's
phone sends for every answer: 70,000 examinees × 30 items within hours. Django's request cycle (middleware, the
API framework's parsing) costs several times the work of the save itself, so this WSGI wrapper serves the
common case on its own, and hands everything else to Django unchanged:

1. the body is JSON in the shape the API takes (``choices``, ``text``, ``number``, ``pairs``);
2. the item's frozen version and its document come from the process's memory (``attempts.frozen_version``:
   one query the first time this process sees the attempt);
3. the answer is validated against that document by the same code as Django's path (``scoring``);
4. one statement does the rest: it finds the token (by its SHA-256 digest, unexpired, of an active user),
   writes the answer only if the attempt is that user's person's, open, before its deadline and still on the
   validated version, and marks the token used (at most every 5 minutes, as the API's token check does).

When that statement writes a row: 204, with the security headers Django would add. In every other case — no
token, a body it does not take, an invalid answer, another person's attempt, a submitted attempt, a database
error, SQLite — the request goes to Django as it came (the body restored), whose API answers it with its
translated error. So the route can only make a save faster, never give a different answer; the tests check
both (``tests/test_answer_route.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from saylau.accounts.models import ApiToken, User

from . import attempts, scoring
from .models import Attempt, AttemptItem, AttemptStatus

PATH = re.compile(r"/api/v1/attempts/([0-9]{1,18})/answers/([0-9]{1,18})")
MAX_BODY = 64 * 1024  # an essay's text is at most a few thousand characters
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=5)  # as accounts.services.api_token_user

# A data-modifying CTE: the token, the attempt and the write in one round trip. Table names from the models.
SAVE = f"""
WITH token AS (
    SELECT t.id, t.last_used_at, u.person_id
    FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id
    WHERE t.digest = %(digest)s AND t.expires_at > %(now)s AND u.is_active
), saved AS (
    UPDATE {AttemptItem._meta.db_table} ai SET response = %(response)s::text::jsonb, saved_at = %(now)s
    FROM {Attempt._meta.db_table} a, token
    WHERE ai.attempt_id = %(attempt)s AND ai.item_id = %(item)s AND ai.version_id = %(version)s
      AND a.id = ai.attempt_id AND a.person_id = token.person_id AND a.status = '{AttemptStatus.OPEN.value}'
      AND (a.deadline IS NULL OR a.deadline > %(now)s)
    RETURNING ai.id
), touched AS (
    UPDATE {ApiToken._meta.db_table} t SET last_used_at = %(now)s
    FROM token
    WHERE t.id = token.id AND (token.last_used_at IS NULL OR token.last_used_at < %(stale)s)
      AND EXISTS (SELECT 1 FROM saved)
)
SELECT count(*) FROM saved
"""  # noqa: S608 — the parts are model table names and a constant; the values are parameters


ITEMS = f"""
SELECT ai.item_id, ai.version_id, a.person_id
FROM {AttemptItem._meta.db_table} ai JOIN {Attempt._meta.db_table} a ON a.id = ai.attempt_id
WHERE ai.attempt_id = %(attempt)s
"""  # noqa: S608 — model table names; the value is a parameter


def _cursor() -> psycopg.Cursor:
    """psycopg's own cursor over Django's connection (in Django's transaction state): parameters bound by the
    server and statements prepared once per connection (settings: ``prepare_threshold``), which spares
    PostgreSQL parsing and planning them for every save. Django's cursor binds on the client and cannot prepare."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _read_items(attempt_id: int) -> tuple[int, dict[int, int]] | None:
    """An attempt's (person, {item: frozen version}), the first time this process sees it."""
    with _cursor() as cursor:
        rows = cursor.execute(ITEMS, {"attempt": attempt_id}).fetchall()
    return (rows[0][2], {item: version for item, version, _person in rows}) if rows else None


def _headers() -> list[tuple[str, str]]:
    """What Django's security middleware would add to a 204 (no body: no content type, no CSP needed; and no
    Content-Length, which a 204 must not carry)."""
    headers = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
               ("Cross-Origin-Opener-Policy", "same-origin")]
    if settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    return headers


def response_as_the_api_takes_it(payload) -> dict | None:
    """The answer as Django's API would pass it on (``api.AnswerIn`` without its empty fields), or None when
    the API might read the body differently — then Django decides."""
    if not isinstance(payload, dict) or not set(payload) <= {"choices", "text", "number", "pairs"}:
        return None
    response = {}
    for key, value in payload.items():
        if value is None:
            continue
        if key == "choices" and isinstance(value, list) and all(isinstance(choice, str) for choice in value):
            response[key] = value
        elif key == "text" and isinstance(value, str):
            response[key] = value
        elif key == "number" and isinstance(value, str | int | float) and not isinstance(value, bool):
            response[key] = float(value) if isinstance(value, int) else value
        elif key == "pairs" and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            response[key] = value
        else:
            return None
    return response


class AnswerSaveRoute:
    """WSGI middleware: serves answer saves it can, passes everything else to ``application``."""

    def __init__(self, application):
        self.application = application
        self.headers = None

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "PUT" and (match := PATH.fullmatch(environ.get("PATH_INFO", ""))):
            body = self._take_body(environ)
            if body is not None and self._saved(environ, int(match[1]), int(match[2]), body):
                if self.headers is None:
                    self.headers = _headers()
                start_response("204 No Content", self.headers)
                return []
        return self.application(environ, start_response)

    @staticmethod
    def _take_body(environ) -> bytes | None:
        """The body, put back for Django to read again; None (left unread) if it has no length or is too long."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return body

    @staticmethod
    def _saved(environ, attempt_id: int, item_id: int, body: bytes) -> bool:
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not token or connection.vendor != "postgresql":
            return False
        try:
            response = response_as_the_api_takes_it(json.loads(body))
        except ValueError:
            return False
        if response is None:
            return False
        try:
            frozen = attempts.frozen_version(attempt_id, item_id, _read_items)
            if frozen is None:
                return False
            version_id, document = frozen
            try:
                clean = scoring.validate_response(document, response)
            except scoring.InvalidResponse:
                return False
            now = timezone.now()
            with _cursor() as cursor:
                cursor.execute(SAVE, {
                    "digest": hashlib.sha256(token.encode()).hexdigest(), "now": now,
                    "stale": now - TOKEN_TOUCH_INTERVAL, "response": json.dumps(clean), "attempt": attempt_id,
                    "item": item_id, "version": version_id,
                })
                (count,) = cursor.fetchone()
        except (DatabaseError, psycopg.Error):
            return False  # Django's own request checks the connection and answers
        return count == 1

"""The floor of the answer-save benchmark (bench/assessment.py): a bare WSGI app, no framework.

    PUT /api/v1/attempts/<attempt>/answers/<item>   Authorization: Bearer <token>   {"choices": ["a"]}

It does what the application's hot path must do at the least: one statement, in autocommit, with psycopg,
that finds the token (by its SHA-256 digest, unexpired, of an active user), checks that the attempt is that
user's person's, open and before its deadline, writes the answer to the attempt's item, and marks the token
used at most every 5 minutes; 204 when a row was written, 404 otherwise. No validation of the answer against
the item (the body only has to be JSON), no middleware, no ORM, no per-request logging but gunicorn's access
log (the same gunicorn command line as scripts/serve). What the application spends above this is the
framework's and the design's cost.

Run by bench/assessment.py as ``gunicorn --pythonpath bench floor_wsgi:application`` with FLOOR_DATABASE_URL.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re

import psycopg
from psycopg.types.json import Jsonb

PATH = re.compile(r"/api/v1/attempts/([0-9]{1,18})/answers/([0-9]{1,18})")
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=5)

# The statement: a data-modifying CTE, so that the token, the attempt and the write are one round trip.
SAVE = """
WITH token AS (
    SELECT t.id, t.last_used_at, u.person_id
    FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
    WHERE t.digest = %(digest)s AND t.expires_at > %(now)s AND u.is_active
), saved AS (
    UPDATE assessment_attemptitem ai SET response = %(response)s, saved_at = %(now)s
    FROM assessment_attempt a, token
    WHERE ai.attempt_id = %(attempt)s AND ai.item_id = %(item)s
      AND a.id = ai.attempt_id AND a.person_id = token.person_id AND a.status = 'open'
      AND (a.deadline IS NULL OR a.deadline > %(now)s)
    RETURNING ai.id
), touched AS (
    UPDATE accounts_apitoken t SET last_used_at = %(now)s
    FROM token
    WHERE t.id = token.id AND (token.last_used_at IS NULL OR token.last_used_at < %(stale)s)
      AND EXISTS (SELECT 1 FROM saved)
)
SELECT count(*) FROM saved
"""

_connection: psycopg.Connection | None = None


def _db() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True)
    return _connection


def _reply(start_response, status: str, body: bytes = b"") -> list[bytes]:
    start_response(status, [("Content-Length", str(len(body)))])
    return [body]


def application(environ, start_response):
    match = PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or environ["REQUEST_METHOD"] != "PUT":
        return _reply(start_response, "404 Not Found")
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return _reply(start_response, "401 Unauthorized")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        response = json.loads(environ["wsgi.input"].read(length))
    except ValueError:
        return _reply(start_response, "400 Bad Request")
    now = datetime.datetime.now(datetime.UTC)
    params = {"digest": hashlib.sha256(token.encode()).hexdigest(), "now": now, "stale": now - TOKEN_TOUCH_INTERVAL,
              "response": Jsonb(response), "attempt": int(match[1]), "item": int(match[2])}
    try:
        (count,) = _db().execute(SAVE, params).fetchone()
    except psycopg.OperationalError:
        global _connection
        _connection = None
        return _reply(start_response, "503 Service Unavailable")
    return _reply(start_response, "204 No Content" if count else "404 Not Found")

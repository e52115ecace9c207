"""The answer route in front of Django (``answer_route``): it serves the saves it can in one statement, and hands
every other request to Django exactly as it came, so it never answers differently from the API."""

import datetime
import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from saylau.accounts.models import ApiToken, Role, User
from saylau.accounts.services import api_token_create
from saylau.assessment import attempts
from saylau.assessment.answer_route import AnswerSaveRoute, response_as_the_api_takes_it
from saylau.assessment.models import Attempt, AttemptItem, AttemptStatus

from .factories import bank_of, distance_exam

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                     reason="the route's single statement is PostgreSQL's; on SQLite it passes all on")


class Django:
    """Stands in for Django behind the route: records what it was handed, body included."""

    def __init__(self):
        self.handed = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.handed.append((environ["PATH_INFO"], environ["wsgi.input"].read(length)))
        start_response("299 Django", [])
        return [b"django"]


def put(route, path, body, token):
    environ = RequestFactory().generic("PUT", path, body if isinstance(body, bytes) else json.dumps(body).encode(),
                                       content_type="application/json",
                                       **({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})).environ
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    answer["body"] = b"".join(route(environ, start_response))
    return answer


@pytest.fixture
def started(world):
    """member1's open attempt at a distance test of three items, a token of theirs, the route."""
    items = bank_of(world.admin, 3)
    exam = distance_exam(world, items)
    user = world.participant  # member1
    attempt = attempts.attempt_start(by=user, exam=exam, person=world.member1)
    attempts.forget_frozen_items()  # as in another process than the one that started it
    django = Django()
    return type("Started", (), {"items": items, "attempt": attempt, "user": user, "token": api_token_create(user=user),
                                "django": django, "route": AnswerSaveRoute(django),
                                "url": f"/api/v1/attempts/{attempt.pk}/answers/"})


def saved(attempt, item):
    return AttemptItem.objects.get(attempt=attempt, item=item).response


@postgresql_only
def test_a_save_is_served_by_the_route_in_one_statement_once_the_attempt_is_known(started,
                                                                                   django_assert_num_queries):
    # The attempt's items (the first time in this process) and the save go through psycopg's own cursor
    # (prepared), which Django does not count; through Django's only the item's document, once per process.
    with django_assert_num_queries(1):
        answer = put(started.route, started.url + str(started.items[0].pk), {"choices": ["b"]}, started.token)
    assert answer["status"] == "204 No Content" and answer["body"] == b""
    assert answer["headers"]["X-Content-Type-Options"] == "nosniff" and "Content-Length" not in answer["headers"]
    assert saved(started.attempt, started.items[0]) == {"choices": ["b"]}

    with django_assert_num_queries(0):
        put(started.route, started.url + str(started.items[0].pk), {"choices": ["a"]}, started.token)
    assert saved(started.attempt, started.items[0]) == {"choices": ["a"]}
    assert started.django.handed == []
    assert ApiToken.objects.get(user=started.user).last_used_at is not None


@postgresql_only
def test_the_route_stores_what_the_api_would(started, client):
    put(started.route, started.url + str(started.items[1].pk), {"choices": ["a"], "text": None}, started.token)
    by_route = saved(started.attempt, started.items[1])
    client.put(started.url + str(started.items[1].pk), {"choices": ["a"], "text": None},
               content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {started.token}")
    assert saved(started.attempt, started.items[1]) == by_route == {"choices": ["a"]}


@pytest.mark.parametrize("case", ["no token", "wrong token", "expired token", "inactive user", "unknown option",
                                  "not json", "unknown field", "wrong type", "unknown item", "unknown attempt"])
def test_what_the_route_cannot_serve_goes_to_django_as_it_came(started, case):
    path, body, token = started.url + str(started.items[0].pk), {"choices": ["a"]}, started.token
    if case == "no token":
        token = ""
    elif case == "wrong token":
        token = "x" + token
    elif case == "expired token":
        ApiToken.objects.filter(user=started.user).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif case == "inactive user":
        User.objects.filter(pk=started.user.pk).update(is_active=False)
    elif case == "unknown option":
        body = {"choices": ["zz"]}
    elif case == "not json":
        body = b"{choices"
    elif case == "unknown field":
        body = {"choices": ["a"], "extra": 1}
    elif case == "wrong type":
        body = {"choices": "a"}
    elif case == "unknown item":
        path = started.url + "999999"
    elif case == "unknown attempt":
        path = f"/api/v1/attempts/999999/answers/{started.items[0].pk}"

    answer = put(started.route, path, body, token)

    sent = body if isinstance(body, bytes) else json.dumps(body).encode()
    assert answer["status"] == "299 Django" and started.django.handed == [(path, sent)]
    assert saved(started.attempt, started.items[0]) in (None, {})


@postgresql_only
def test_another_persons_token_submitted_and_late_attempts_go_to_django(started, world):
    other = User.objects.create_user(username="m2", password="pass-12345-word", role=Role.PARTICIPANT,
                                     person=world.member2)
    path = started.url + str(started.items[0].pk)
    put(started.route, path, {"choices": ["a"]}, api_token_create(user=other))
    Attempt.objects.filter(pk=started.attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    put(started.route, path, {"choices": ["a"]}, started.token)
    Attempt.objects.filter(pk=started.attempt.pk).update(deadline=None, status=AttemptStatus.SUBMITTED)
    put(started.route, path, {"choices": ["a"]}, started.token)

    assert len(started.django.handed) == 3
    assert saved(started.attempt, started.items[0]) in (None, {})


def test_other_requests_pass_through_untouched(started):
    for method, path in (("GET", started.url + str(started.items[0].pk)), ("PUT", "/api/v1/attempts/1/submit"),
                         ("POST", started.url + str(started.items[0].pk))):
        environ = RequestFactory().generic(method, path, b'{"choices": ["a"]}', content_type="application/json",
                                           HTTP_AUTHORIZATION=f"Bearer {started.token}").environ
        started.route(environ, lambda status, headers: None)
    assert [path for path, _body in started.django.handed] == [
        started.url + str(started.items[0].pk), "/api/v1/attempts/1/submit", started.url + str(started.items[0].pk)]


def test_on_sqlite_every_save_goes_to_django(started):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's behaviour")
    put(started.route, started.url + str(started.items[0].pk), {"choices": ["a"]}, started.token)
    assert len(started.django.handed) == 1


@pytest.mark.parametrize(("payload", "expected"), [
    ({"choices": ["a", "b"]}, {"choices": ["a", "b"]}),
    ({"text": " Иә ", "choices": None}, {"text": " Иә "}),
    ({"number": 3}, {"number": 3.0}),
    ({"number": "3,5"}, {"number": "3,5"}),
    ({"pairs": {"p1": "r2"}}, {"pairs": {"p1": "r2"}}),
    ({}, {}),
    ({"number": True}, None),
    ({"choices": [1]}, None),
    ({"pairs": {"p1": 2}}, None),
    ({"other": "x"}, None),
    (["a"], None),
])
def test_the_route_reads_bodies_as_the_api_does_or_not_at_all(payload, expected):
    assert response_as_the_api_takes_it(payload) == expected

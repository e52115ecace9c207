"""Logging in: bearer tokens for the API, username or IIN on the login page, and throttled failures."""

import datetime
import importlib

from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from saylau.accounts.models import ApiToken, User, token_digest
from saylau.accounts.services import API_TOKEN_LIFETIME, api_token_create, api_token_user
from saylau.core.models import AuditEntry

PASSWORD = "pass-12345-word"
WRONG = "not-the-password"


def get_token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def log_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- Bearer tokens --------------------------------------------------------------------------------


def test_a_token_from_the_token_endpoint_lets_the_caller_read_who_they_are(client, world):
    response = get_token(client, "coordinator")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 40
    me = client.get("/api/v1/me", **bearer(token))
    assert me.status_code == 200
    assert me.json() == {"username": "coordinator", "role": "coordinator", "person_id": None, "region": "KZ-19"}


def test_me_gives_a_participant_their_person_and_no_region(client, world):
    token = get_token(client, "participant").json()["token"]
    assert client.get("/api/v1/me", **bearer(token)).json() == {
        "username": "participant", "role": "participant", "person_id": world.member1.pk, "region": None,
    }


def test_a_token_is_stored_only_as_a_digest_that_expires_after_30_days(client, world):
    token = get_token(client, "admin").json()["token"]
    stored = ApiToken.objects.get(user=world.admin)
    assert stored.digest == token_digest(token)
    assert token not in stored.digest
    assert abs(stored.expires_at - (timezone.now() + API_TOKEN_LIFETIME)) < datetime.timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="api_token.created", actor=world.admin).count() == 1


def test_a_bearer_token_scopes_the_api_like_the_users_session(client, world):
    token = get_token(client, "abai_coordinator").json()["token"]
    members = client.get("/api/v1/members", **bearer(token)).json()
    assert [item["surname"] for item in members["items"]] == ["Сейітов"]
    other = world.member1.memberships.get()
    assert client.get(f"/api/v1/members/{other.pk}", **bearer(token)).status_code == 404


def test_a_wrong_password_gets_401_with_code_invalid_credentials(client, world):
    response = get_token(client, "coordinator", WRONG)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(client, world):
    unknown = get_token(client, "nobody-here", WRONG)
    wrong = get_token(client, "coordinator", WRONG)
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_a_token_request_without_a_password_is_rejected_with_422(client, world):
    response = client.post("/api/v1/auth/token", {"username": "admin"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_an_expired_token_gets_401(client, world):
    token = api_token_create(user=world.admin)
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200
    ApiToken.objects.filter(user=world.admin).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/api/v1/me", **bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_token_of_a_deactivated_user_gets_401(client, world):
    token = api_token_create(user=world.trainer)
    world.trainer.is_active = False
    world.trainer.save()
    assert client.get("/api/v1/me", **bearer(token)).status_code == 401


def test_using_a_token_records_when_it_was_last_used(client, world):
    token = api_token_create(user=world.auditor)
    assert ApiToken.objects.get().last_used_at is None
    client.get("/api/v1/me", **bearer(token))
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_is_marked_used_at_most_every_five_minutes(client, world):
    token = api_token_create(user=world.auditor)
    client.get("/api/v1/me", **bearer(token))
    first = ApiToken.objects.get().last_used_at
    client.get("/api/v1/me", **bearer(token))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - datetime.timedelta(minutes=6))
    client.get("/api/v1/me", **bearer(token))
    assert ApiToken.objects.get().last_used_at > first


def test_the_tokens_user_comes_whole_with_their_person_in_one_query(world, django_assert_num_queries):
    token = api_token_create(user=world.participant)
    api_token_user(token)  # marks the token used: the next look-up only reads
    with django_assert_num_queries(1):
        user = api_token_user(token)
        assert user.person.surname == world.member1.surname
    stored = User.objects.get(pk=world.participant.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored, field.attname), field.name
    assert not user._state.adding and user.person.pk == world.member1.pk
    assert api_token_user(api_token_create(user=world.admin)).person is None
    assert api_token_user("not-a-token") is None


def test_a_token_cannot_be_used_as_a_password_or_vice_versa(client, world):
    token = api_token_create(user=world.admin)
    assert get_token(client, "admin", token).status_code == 401
    assert client.get("/api/v1/me", **bearer(PASSWORD)).status_code == 401


# --- Logging in by IIN ------------------------------------------------------------------------------


def test_the_login_page_accepts_a_username_and_password(client, world):
    response = log_in(client, "trainer")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session[SESSION_KEY]) == world.trainer.pk


def test_the_login_page_accepts_the_iin_of_the_persons_account(client, world):
    response = log_in(client, world.member1.iin)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.participant.pk


def test_the_login_page_accepts_the_iin_with_surrounding_spaces(client, world):
    response = log_in(client, f"  {world.member1.iin} ")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.participant.pk


def test_the_login_page_refuses_an_iin_with_a_wrong_password(client, world):
    response = log_in(client, world.member1.iin, WRONG)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert response.context["form"].has_error(NON_FIELD_ERRORS, code="invalid_login")


def test_the_login_page_refuses_an_iin_that_belongs_to_no_account(client, world):
    # member2 is in the registry but has no user account.
    response = log_in(client, world.member2.iin)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_token_endpoint_accepts_the_iin_of_the_persons_account(client, world):
    response = get_token(client, world.member1.iin)
    assert response.status_code == 200
    me = client.get("/api/v1/me", **bearer(response.json()["token"])).json()
    assert me["username"] == "participant"
    assert me["person_id"] == world.member1.pk


def test_the_token_endpoint_refuses_an_iin_with_a_wrong_password(client, world):
    response = get_token(client, world.member1.iin, WRONG)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_an_inactive_account_cannot_log_in_by_username_or_iin(client, world):
    world.participant.is_active = False
    world.participant.save()
    assert get_token(client, "participant").status_code == 401
    assert get_token(client, world.member1.iin).status_code == 401
    assert SESSION_KEY not in client.session


# --- Throttling failed attempts (django-axes) ------------------------------------------------------


def fail_five_times_on_the_page(client, username):
    for _ in range(5):
        log_in(client, username, WRONG)


def fail_five_times_on_the_api(client, username):
    return [get_token(client, username, WRONG) for _ in range(5)]


def test_four_wrong_passwords_do_not_lock_the_login_page(client, world):
    for _ in range(4):
        log_in(client, "coordinator", WRONG)
    response = log_in(client, "coordinator")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == world.coordinator.pk


def test_after_five_wrong_passwords_the_login_page_refuses_the_right_one(client, world):
    fail_five_times_on_the_page(client, "coordinator")
    response = log_in(client, "coordinator")
    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert SESSION_KEY not in client.session
    assert AccessAttempt.objects.get(username="coordinator").failures_since_start >= 5


def test_the_lock_is_for_that_username_only(client, world):
    fail_five_times_on_the_page(client, "coordinator")
    assert log_in(client, "trainer").status_code == 302


def test_the_lock_is_for_that_address_only(client, world):
    fail_five_times_on_the_page(client, "coordinator")
    response = client.post("/accounts/login/", {"username": "coordinator", "password": PASSWORD},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302


def test_the_lock_lifts_once_the_failures_are_reset(client, world):
    from axes.utils import reset

    fail_five_times_on_the_page(client, "coordinator")
    assert log_in(client, "coordinator").status_code == 429
    reset(username="coordinator")
    assert log_in(client, "coordinator").status_code == 302


def test_a_successful_login_clears_earlier_failures(client, world):
    for _ in range(4):
        log_in(client, "coordinator", WRONG)
    assert log_in(client, "coordinator").status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "coordinator", WRONG)
    assert log_in(client, "coordinator").status_code == 302


def test_four_wrong_passwords_on_the_api_each_get_invalid_credentials(client, world):
    responses = [get_token(client, "coordinator", WRONG) for _ in range(4)]
    assert [r.status_code for r in responses] == [401] * 4
    assert get_token(client, "coordinator").status_code == 200


def test_after_five_wrong_passwords_the_token_endpoint_refuses_the_right_one_with_429(client, world):
    fail_five_times_on_the_api(client, "coordinator")
    response = get_token(client, "coordinator")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_locked_token_request_answers_in_json_with_code_too_many_attempts(client, world):
    fail_five_times_on_the_api(client, "coordinator")
    response = get_token(client, "coordinator")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "too_many_attempts"


def test_failures_on_the_api_and_on_the_page_count_together(client, world):
    for _ in range(3):
        get_token(client, "coordinator", WRONG)
    for _ in range(2):
        log_in(client, "coordinator", WRONG)
    assert log_in(client, "coordinator").status_code == 429
    assert get_token(client, "coordinator").status_code == 429


def test_a_lock_on_the_username_also_holds_for_the_accounts_iin(client, world):
    fail_five_times_on_the_page(client, "participant")
    response = log_in(client, world.member1.iin)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_padding_the_username_with_spaces_does_not_escape_the_lock_on_the_api(client, world):
    fail_five_times_on_the_api(client, "coordinator")
    response = get_token(client, " coordinator")
    assert response.status_code == 429
    assert not ApiToken.objects.exists()


# --- Password hashing -------------------------------------------------------------------------------


def test_production_settings_hash_passwords_with_argon2_first():
    production = importlib.import_module("config.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_argon2_library_is_installed_so_production_hashing_works():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("pass-12345-word", hasher.salt())
    assert encoded.startswith("argon2$")
    assert hasher.verify("pass-12345-word", encoded)
    assert not hasher.verify("wrong", encoded)


def test_the_test_settings_only_swap_in_a_fast_hasher(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_FAILURE_LIMIT == 5

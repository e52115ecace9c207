"""Invitations: printed one-time codes and mailed links that let a registry member choose a password."""

import datetime
import io
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from saylau.accounts import services
from saylau.accounts.models import Channel, Invitation, Role, User
from saylau.commissions.models import Person
from saylau.core.models import AuditEntry

NEW_PASSWORD = "Tulpar-zhelmaya-2024"
LINK = re.compile(r"http://[^/\s]+/accounts/activate/(?P<secret>[A-Za-z0-9_\-]+)/")


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The activation throttle counts in the cache, which outlives each test's database transaction.
    cache.clear()
    yield
    cache.clear()


def activate(client, iin, code):
    return client.post("/accounts/activate/", {"iin": iin, "code": code})


def choose(client, password=NEW_PASSWORD, url="/accounts/activate/"):
    return client.post(url, {"new_password1": password, "new_password2": password})


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def print_codes(world, *people) -> dict[int, str]:
    issued = services.invitations_print(by=world.coordinator, people=list(people))
    return {item.person.pk: item.secret for item in issued}


def mailed_link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return f"/accounts/activate/{match['secret']}/"


# --- Printed codes ---------------------------------------------------------------------------------


def test_printing_invitations_creates_participant_accounts_with_unusable_passwords(world):
    issued = services.invitations_print(by=world.coordinator, people=[world.chair, world.member2])
    assert [item.person for item in issued] == [world.chair, world.member2]
    for item in issued:
        user = User.objects.get(person=item.person)
        assert user.role == Role.PARTICIPANT
        assert user.username == f"p{item.person.pk}"
        assert not user.has_usable_password()
        assert user.email == item.person.email
        assert len(item.secret) == services.CODE_LENGTH
        assert set(item.secret) <= set(services.CODE_ALPHABET)
    assert len({item.secret for item in issued}) == 2


def test_printed_codes_are_stored_only_as_digests(world):
    codes = print_codes(world, world.chair)
    invitation = Invitation.objects.get(person=world.chair)
    assert invitation.channel == Channel.PRINT
    assert invitation.created_by == world.coordinator
    assert codes[world.chair.pk] not in invitation.digest
    assert invitation.is_usable
    assert abs(invitation.expires_at - (timezone.now() + services.INVITATION_LIFETIME)) < datetime.timedelta(minutes=1)


def test_printing_invitations_is_audited_per_person(world):
    print_codes(world, world.chair, world.member2)
    entries = AuditEntry.objects.filter(action="invitation.printed")
    assert {(e.object_type, e.object_id, e.actor_id) for e in entries} == {
        ("commissions.person", str(world.chair.pk), world.coordinator.pk),
        ("commissions.person", str(world.member2.pk), world.coordinator.pk),
    }


def test_people_who_already_set_a_password_get_no_printed_code(world):
    issued = services.invitations_print(by=world.coordinator, people=[world.member1, world.member2])
    assert [item.person for item in issued] == [world.member2]
    assert not Invitation.objects.filter(person=world.member1).exists()
    assert User.objects.filter(person=world.member1).count() == 1


def test_an_iin_and_code_lead_to_choosing_a_password_which_logs_the_person_in(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    step1 = activate(client, world.member2.iin, services.format_code(code))
    assert step1.status_code == 200
    assert "accounts/choose_password.html" in template_names(step1)
    assert step1.context["person"] == world.member2

    step2 = choose(client)
    assert step2.status_code == 302
    assert step2["Location"] == "/"
    user = User.objects.get(person=world.member2)
    assert int(client.session[SESSION_KEY]) == user.pk
    assert user.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(person=world.member2).used_at is not None
    assert AuditEntry.objects.filter(action="invitation.accepted", actor=user).count() == 1


def test_after_activation_the_person_logs_in_with_iin_and_the_chosen_password(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    activate(client, world.member2.iin, code)
    choose(client)
    client.logout()
    response = client.post("/accounts/login/", {"username": world.member2.iin, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == User.objects.get(person=world.member2).pk


def test_the_newly_activated_participant_sees_only_their_own_membership(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    activate(client, world.member2.iin, code)
    choose(client)
    payload = client.get("/api/v1/members").json()
    assert [(item["surname"], item["iin"]) for item in payload["items"]] == [("Иванов", world.member2.iin)]


def test_the_code_is_accepted_in_lowercase_and_without_the_dash(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    response = activate(client, f" {world.member2.iin} ", code.lower())
    assert "accounts/choose_password.html" in template_names(response)


def test_a_used_code_cannot_be_used_again(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    activate(client, world.member2.iin, code)
    choose(client)
    client.logout()
    again = activate(client, world.member2.iin, code)
    assert again.status_code == 200
    assert "accounts/choose_password.html" not in template_names(again)
    assert again.context["form"].non_field_errors()
    assert choose(client, "Another-password-99").status_code == 200
    assert User.objects.get(person=world.member2).check_password(NEW_PASSWORD)


def test_a_wrong_code_gives_a_form_error(client, world):
    print_codes(world, world.member2)
    response = activate(client, world.member2.iin, "ABCDE-FGHJK")
    assert response.status_code == 200
    assert "accounts/choose_password.html" not in template_names(response)
    assert len(response.context["form"].non_field_errors()) == 1
    assert "activation_invitation" not in client.session


def test_a_right_code_with_someone_elses_iin_gives_a_form_error(client, world):
    code = print_codes(world, world.member2, world.chair)[world.member2.pk]
    response = activate(client, world.chair.iin, code)
    assert response.context["form"].non_field_errors()
    assert "accounts/choose_password.html" not in template_names(response)


def test_an_iin_of_the_wrong_length_is_a_field_error(client, world):
    response = activate(client, "12345", "ABCDE-FGHJK")
    assert response.context["form"].has_error("iin")


def test_a_new_invitation_revokes_the_earlier_one(client, world):
    first = print_codes(world, world.member2)[world.member2.pk]
    second = print_codes(world, world.member2)[world.member2.pk]
    assert first != second
    invitations = Invitation.objects.filter(person=world.member2).order_by("pk")
    assert [i.revoked_at is not None for i in invitations] == [True, False]
    assert activate(client, world.member2.iin, first).context["form"].non_field_errors()
    assert "accounts/choose_password.html" in template_names(activate(client, world.member2.iin, second))


def test_an_expired_code_gives_a_form_error(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = activate(client, world.member2.iin, code)
    assert response.context["form"].non_field_errors()


def test_a_weak_password_is_refused_and_the_code_stays_usable(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    activate(client, world.member2.iin, code)
    response = choose(client, "short")
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2") or response.context["form"].has_error("new_password1")
    assert SESSION_KEY not in client.session
    assert Invitation.objects.get(person=world.member2).is_usable
    assert choose(client).status_code == 302


def test_an_invitation_revoked_between_the_two_steps_cannot_set_a_password(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    activate(client, world.member2.iin, code)
    print_codes(world, world.member2)  # a coordinator reprints: the first code stops working
    response = choose(client)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert not User.objects.get(person=world.member2).has_usable_password()


def test_activation_attempts_from_one_address_are_limited_to_20_an_hour(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    for _ in range(activation_limit()):
        activate(client, world.member2.iin, "WRONG-CODE1")
    response = activate(client, world.member2.iin, code)
    assert "accounts/choose_password.html" not in template_names(response)
    assert response.context["form"].non_field_errors()
    assert Invitation.objects.get(person=world.member2).is_usable


def activation_limit() -> int:
    from saylau.accounts.views import ACTIVATION_ATTEMPTS_PER_HOUR

    assert ACTIVATION_ATTEMPTS_PER_HOUR == 20
    return ACTIVATION_ATTEMPTS_PER_HOUR


def test_a_printed_code_does_not_work_as_a_link(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    response = client.get(f"/accounts/activate/{code}/")
    assert response.status_code == 400
    assert response.context["link_error"]


def test_an_outstanding_code_does_not_reactivate_a_deactivated_account(client, world):
    code = print_codes(world, world.member2)[world.member2.pk]
    User.objects.filter(person=world.member2).update(is_active=False)
    activate(client, world.member2.iin, code)
    choose(client)
    assert not User.objects.get(person=world.member2).is_active
    assert SESSION_KEY not in client.session


# --- Mailed links -----------------------------------------------------------------------------------


@pytest.fixture
def russian_member2(world):
    Person.objects.filter(pk=world.member2.pk).update(language="ru")
    world.member2.refresh_from_db()
    return world.member2


def send_links(world, *people, capture):
    with capture(execute=True):
        return services.invitations_email(by=world.coordinator, people=list(people))


def test_emailing_invitations_sends_one_mail_per_person_after_the_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = services.invitations_email(by=world.coordinator, people=[world.chair, world.member2])
    assert queued == 2
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.chair.email, world.member2.email])
    assert Invitation.objects.filter(channel=Channel.EMAIL).count() == 2


def test_each_mail_is_written_in_the_persons_language(world, russian_member2, django_capture_on_commit_callbacks):
    send_links(world, world.chair, russian_member2, capture=django_capture_on_commit_callbacks)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    for person, language in ((world.chair, "kk"), (russian_member2, "ru")):
        message = by_recipient[person.email]
        with translation.override(language):
            subject = gettext("Your account on the electoral training platform")
            greeting = gettext("Dear %(name)s,") % {"name": person.full_name}
        assert message.subject == subject
        assert message.body.startswith(greeting)
    assert by_recipient[world.chair.email].subject != by_recipient[russian_member2.email].subject
    assert by_recipient[russian_member2.email].subject != "Your account on the electoral training platform"


def test_a_mailed_link_opens_the_password_form_and_logs_the_person_in(
    client, world, django_capture_on_commit_callbacks
):
    send_links(world, world.member2, capture=django_capture_on_commit_callbacks)
    [message] = mail.outbox
    link = mailed_link(message)
    assert LINK.search(message.body)["secret"] not in Invitation.objects.get().digest

    opened = client.get(link)
    assert opened.status_code == 200
    assert "accounts/choose_password.html" in template_names(opened)
    response = choose(client, url=link)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == User.objects.get(person=world.member2).pk


def test_a_mailed_link_works_only_once(client, world, django_capture_on_commit_callbacks):
    send_links(world, world.member2, capture=django_capture_on_commit_callbacks)
    link = mailed_link(mail.outbox[0])
    choose(client, url=link)
    client.logout()
    again = client.get(link)
    assert again.status_code == 400
    assert again.context["link_error"]
    assert choose(client, "Another-password-99", url=link).status_code == 400
    assert User.objects.get(person=world.member2).check_password(NEW_PASSWORD)


def test_people_who_already_set_a_password_get_no_mail(world, django_capture_on_commit_callbacks):
    queued = send_links(world, world.member1, world.member2, capture=django_capture_on_commit_callbacks)
    assert queued == 1
    assert [m.to for m in mail.outbox] == [[world.member2.email]]


def test_people_without_an_email_address_get_no_mail_and_no_account(world, django_capture_on_commit_callbacks):
    Person.objects.filter(pk=world.chair.pk).update(email="")
    world.chair.refresh_from_db()
    queued = send_links(world, world.chair, world.member2, capture=django_capture_on_commit_callbacks)
    assert queued == 1
    assert [m.to for m in mail.outbox] == [[world.member2.email]]
    assert not User.objects.filter(person=world.chair).exists()


def test_a_person_who_sets_a_password_before_the_worker_runs_gets_no_mail(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitations_email(by=world.coordinator, people=[world.member2])
    user = User.objects.get(person=world.member2)
    user.set_password(NEW_PASSWORD)
    user.save()
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_a_new_printed_code_revokes_an_earlier_mailed_link(client, world, django_capture_on_commit_callbacks):
    send_links(world, world.member2, capture=django_capture_on_commit_callbacks)
    link = mailed_link(mail.outbox[0])
    print_codes(world, world.member2)
    assert client.get(link).status_code == 400


# --- The invitations page ---------------------------------------------------------------------------


def post_invitations(client, commission, channel, include_subordinate=True):
    data = {"commission": commission.pk, "channel": channel}
    if include_subordinate:
        data["include_subordinate"] = "on"
    return client.post("/accounts/invitations/", data)


def test_the_invitations_page_prints_a_sheet_with_a_code_for_each_member_without_a_password(client, world):
    client.force_login(world.coordinator)
    response = post_invitations(client, world.tec, Channel.PRINT)
    assert response.status_code == 200
    assert "accounts/invitation_sheet.html" in template_names(response)
    issued = response.context["issued"]
    # member1 already has a password (the participant account); the chair and member2 get codes.
    assert [item.person for item, _code in issued] == [world.chair, world.member2]
    content = response.content.decode()
    for item, code in issued:
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
        assert code in content
        assert item.person.masked_iin in content
        assert item.person.iin not in content
    assert Invitation.objects.filter(channel=Channel.PRINT, created_by=world.coordinator).count() == 2


def test_a_code_from_the_printed_sheet_activates_the_account(client, world):
    client.force_login(world.coordinator)
    issued = dict((item.person.pk, code) for item, code in post_invitations(client, world.tec, "print").context["issued"])
    client.logout()
    assert "accounts/choose_password.html" in template_names(activate(client, world.chair.iin, issued[world.chair.pk]))


def test_without_subordinates_only_the_commissions_own_members_are_invited(client, world):
    client.force_login(world.admin)
    response = post_invitations(client, world.tec, Channel.PRINT, include_subordinate=False)
    assert [item.person for item, _code in response.context["issued"]] == [world.chair]


def test_the_invitations_page_mails_links_and_says_how_many(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_invitations(client, world.tec, Channel.EMAIL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/invitations/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.chair.email, world.member2.email])


def test_a_coordinator_cannot_invite_another_regions_commission(client, world):
    client.force_login(world.coordinator)
    response = post_invitations(client, world.abai_tec, Channel.PRINT)
    assert response.status_code == 200
    assert response.context["form"].has_error("commission")
    assert not Invitation.objects.exists()
    assert not User.objects.filter(person=world.abai_member).exists()


@pytest.mark.parametrize("role", ["trainer", "participant", "auditor"])
def test_roles_that_do_not_manage_the_registry_cannot_issue_invitations(client, world, role):
    client.force_login(getattr(world, role))
    response = post_invitations(client, world.tec, Channel.PRINT)
    assert response.status_code == 403
    assert not Invitation.objects.exists()


# --- The command line ---------------------------------------------------------------------------------


def read_sheet(path) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(path).active.iter_rows(values_only=True))


def test_the_command_writes_an_xlsx_row_per_member_without_a_password(world, tmp_path):
    output = tmp_path / "x.xlsx"
    out = io.StringIO()
    call_command("issue_invitations", "--commission", "TEC-19-01", "--output", str(output), stdout=out)
    rows = read_sheet(output)
    assert rows[0] == ("commission", "name", "iin", "code", "valid_until")
    body = sorted(rows[1:])
    assert [(r[0], r[1], r[2]) for r in body] == [
        ("PEC-19-0002", world.member2.full_name, world.member2.masked_iin),
        ("TEC-19-01", world.chair.full_name, world.chair.masked_iin),
    ]
    for row in body:
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", row[3])
    assert "2 invitation codes written" in out.getvalue()
    assert AuditEntry.objects.filter(action="invitation.printed", actor=None).count() == 2


def test_codes_from_the_command_activate_accounts(client, world, tmp_path):
    output = tmp_path / "x.xlsx"
    call_command("issue_invitations", "--commission", "tec-19-01", "--output", str(output), stdout=io.StringIO())
    codes = {row[1]: row[3] for row in read_sheet(output)[1:]}
    response = activate(client, world.chair.iin, codes[world.chair.full_name])
    assert "accounts/choose_password.html" in template_names(response)


def test_the_command_can_invite_a_whole_region(world, tmp_path):
    output = tmp_path / "abai.xlsx"
    call_command("issue_invitations", "--region", "kz-10", "--output", str(output), stdout=io.StringIO())
    assert [row[1] for row in read_sheet(output)[1:]] == [world.abai_member.full_name]


def test_the_command_refuses_to_print_codes_without_an_output_file(world):
    with pytest.raises(CommandError, match="--output"):
        call_command("issue_invitations", "--commission", "TEC-19-01", stdout=io.StringIO())
    assert not Invitation.objects.exists()


def test_the_command_refuses_an_unknown_commission(world, tmp_path):
    with pytest.raises(CommandError, match="TEC-99-99"):
        call_command("issue_invitations", "--commission", "TEC-99-99", "--output", str(tmp_path / "x.xlsx"),
                     stdout=io.StringIO())


def test_the_command_can_mail_links_instead(world, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_invitations", "--commission", "TEC-19-01", "--channel", "email", stdout=out)
    assert "2 invitation e-mails queued" in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.chair.email, world.member2.email])

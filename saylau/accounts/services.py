"""Accounts: API tokens and invitations that let people from the registry set their own password."""

from __future__ import annotations

import datetime
import functools
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saylau.commissions.models import Person
from saylau.core.audit import audit, audit_entry
from saylau.core.columns import Columns
from saylau.core.errors import DomainError, PermissionDenied
from saylau.core.models import AuditEntry

from .models import ApiToken, Channel, Invitation, Role, User, token_digest

API_TOKEN_LIFETIME = datetime.timedelta(days=30)
INVITATION_LIFETIME = datetime.timedelta(days=30)
# Printed codes avoid letters and digits people confuse on paper (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


def api_token_create(*, user: User) -> str:
    """A new bearer token; only its digest is kept, so the caller must hand the raw value over now."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(raw), expires_at=timezone.now() + API_TOKEN_LIFETIME)
    audit(actor=user, action="api_token.created", obj=user)
    return raw


# The bearer token's look-up runs on every API request: written once rather than compiled by the ORM each time
# (compiling the select_related query cost more than running it).
_TOKEN, _USER, _PERSON = Columns(ApiToken, "t", ["id", "last_used_at"]), Columns(User, "u"), Columns(Person, "p")


@functools.cache
def _token_query(vendor: str) -> str:
    """The token's id and last use, its user and the user's person, as one SELECT (per database vendor: the
    quoting of names is the backend's)."""
    return (f"SELECT {_TOKEN.sql(connection)}, {_USER.sql(connection)}, {_PERSON.sql(connection)}"  # noqa: S608
            f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
            f" LEFT JOIN {Person._meta.db_table} p ON p.id = u.person_id"
            f" WHERE t.digest = %s AND t.expires_at > %s AND u.is_active")


def api_token_user(raw: str) -> User | None:
    """The active user an unexpired bearer token belongs to, with their person (an examinee's requests, the
    busiest, all need it); the token's last use is written at most every 5 minutes."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_token_query(connection.vendor), [token_digest(raw), now])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, last_used_at = _TOKEN.values(row[:len(_TOKEN)], connection)
    user = _USER.instance(row[len(_TOKEN):len(_TOKEN) + len(_USER)], connection)
    person_row = row[len(_TOKEN) + len(_USER):]
    user.person = _PERSON.instance(person_row, connection) if person_row[0] is not None else None
    if last_used_at is None or now - last_used_at > datetime.timedelta(minutes=5):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {ApiToken._meta.db_table} SET last_used_at = %s WHERE id = %s",  # noqa: S608
                           [now, token_id])
    return user


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    person: Person
    secret: str  # the link token or the printed code; shown once, never stored


def _invitable(*, people: list[Person], now) -> list[tuple[Person, User]]:
    """People who have not yet set a password, each with an account (created where missing).

    Their earlier unused invitations stop working: only the newest one opens the account.
    """
    people_ids = [person.pk for person in people]
    users = {user.person_id: user for user in User.objects.filter(person_id__in=people_ids)}
    Invitation.objects.filter(person_id__in=people_ids, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    new_users = []
    for person in people:
        if person.pk not in users:
            user = User(username=f"p{person.pk}", role=Role.PARTICIPANT, person=person, email=person.email,
                        first_name=person.first_name, last_name=person.surname)
            user.set_unusable_password()
            new_users.append(user)
            users[person.pk] = user
    User.objects.bulk_create(new_users, batch_size=1000)
    return [(person, users[person.pk]) for person in people if not users[person.pk].has_usable_password()]


@transaction.atomic
def invitations_print(*, by: User, people: list[Person]) -> list[IssuedInvitation]:
    """One-time codes for a coordinator to print and hand out; the codes exist only in the return value."""
    now = timezone.now()
    issued = []
    for person, user in _invitable(people=people, now=now):
        code = new_code()
        invitation = Invitation(person=person, user=user, channel=Channel.PRINT, digest=token_digest(code),
                                created_by=by, expires_at=now + INVITATION_LIFETIME)
        issued.append(IssuedInvitation(invitation=invitation, person=person, secret=code))
    Invitation.objects.bulk_create([item.invitation for item in issued], batch_size=1000)
    AuditEntry.objects.bulk_create(
        [audit_entry(actor=by, action="invitation.printed", obj=item.person) for item in issued], batch_size=1000
    )
    return issued


@transaction.atomic
def invitations_email(*, by: User, people: list[Person]) -> int:
    """Queue an invitation e-mail for everyone with an address; the worker makes and mails each link."""
    now = timezone.now()
    targets = _invitable(people=[person for person in people if person.email], now=now)
    person_ids = [person.pk for person, _user in targets]
    AuditEntry.objects.bulk_create(
        [audit_entry(actor=by, action="invitation.emailed", obj=person) for person, _user in targets], batch_size=1000
    )
    if person_ids:
        from .tasks import send_invitation_emails

        by_id = by.pk if by else None
        transaction.on_commit(lambda: send_invitation_emails.enqueue(person_ids, by_id))
    return len(person_ids)


def invitation_email_send(*, person_id: int, by_id: int | None) -> bool:
    """Make a link for one person and mail it. Only the digest is stored; the link lives in the mail."""
    with transaction.atomic():
        user = User.objects.select_related("person").filter(person_id=person_id).first()
        if user is None or user.has_usable_password() or not user.person.email:
            return False
        secret = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            person=user.person, user=user, channel=Channel.EMAIL, digest=token_digest(secret),
            created_by_id=by_id, expires_at=timezone.now() + INVITATION_LIFETIME,
        )
    person = user.person
    with translation.override(person.language):
        link = settings.SITE_URL.rstrip("/") + reverse("accounts:activate_link", args=[secret])
        context = {"person": person, "link": link, "expires_at": invitation.expires_at}
        send_mail(
            subject=_("Your account on the electoral training platform"),
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )
    return True


class InvitationInvalid(DomainError):
    status = 400


def invitation_by_link(secret: str) -> Invitation:
    invitation = Invitation.objects.select_related("user", "person").filter(digest=token_digest(secret)).first()
    if invitation is None or not invitation.is_usable or not invitation.user.is_active or invitation.channel != Channel.EMAIL:
        raise InvitationInvalid("invitation_invalid", _("This invitation link is not valid or has expired."))
    return invitation


def invitation_by_code(*, iin: str, code: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("user", "person")
        .filter(digest=token_digest(normalise_code(code)), person__iin=iin.strip(), channel=Channel.PRINT)
        .first()
    )
    if invitation is None or not invitation.is_usable or not invitation.user.is_active:
        raise InvitationInvalid("invitation_invalid", _("The IIN and code do not match a valid invitation."))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Set the password chosen by the invited person; the invitation cannot be used again."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationInvalid("invitation_invalid", _("This invitation has already been used or has expired."))
    user = invitation.user
    if not user.is_active:
        # An administrator closed the account: an old invitation must not reopen it.
        raise InvitationInvalid("account_inactive", _("This account has been deactivated."))
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit(actor=user, action="invitation.accepted", obj=user)
    return user


@transaction.atomic
def user_update_access(*, by: User, user: User, role: str, region=None, is_active: bool = True) -> User:
    """Change what an account may do. Only a CEC administrator may; nobody may lock themself out."""
    if by.role != Role.ADMIN:
        raise PermissionDenied("forbidden", _("Only a CEC administrator can change roles."))
    if role == Role.COORDINATOR and region is None:
        raise DomainError("region_required", _("A regional coordinator needs a region."))
    if user.pk == by.pk and (role != Role.ADMIN or not is_active):
        raise DomainError("self_lockout", _("You cannot take away your own administrator access."))
    before = {"role": user.role, "region": user.region_id, "is_active": user.is_active}
    user.role, user.region, user.is_active = role, region if role in (Role.COORDINATOR, Role.TRAINER) else None, is_active
    user.save(update_fields=["role", "region", "is_active"])
    after = {"role": user.role, "region": user.region_id, "is_active": user.is_active}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        audit(actor=by, action="user.access_changed", obj=user, changes=changes)
    return user

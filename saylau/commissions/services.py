"""Writes to the registry. Every function is atomic and leaves an audit entry."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saylau.core.audit import audit, audit_entry, diff, snapshot
from saylau.core.errors import Conflict, DomainError
from saylau.core.models import AuditEntry

from . import iin as iin_rules
from .importing import ImportPlan, plan_import
from .models import ALLOWED_PARENT_LEVELS, Basis, Commission, MemberImport, Membership, Person, Position
from .scoping import editable_commissions

COMMISSION_FIELDS = (
    "level", "code", "number", "name_kk", "name_ru", "name_en", "parent", "region",
    "conducts_elections", "conducts_referendums", "address", "phone", "email",
)
PERSON_FIELDS = ("surname", "first_name", "patronymic", "iin", "phone", "email", "language")
MEMBERSHIP_FIELDS = ("commission", "position", "basis", "term_start", "term_end")


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def _check_parent(*, level: str, parent: Commission | None) -> None:
    allowed = ALLOWED_PARENT_LEVELS[level]
    if (parent is None) != (not allowed) or (parent is not None and parent.level not in allowed):
        raise DomainError("bad_parent", _("This level of commission cannot sit under the chosen parent."))


@transaction.atomic
def commission_create(*, by, level: str, code: str, name_kk: str, name_ru: str, parent: Commission | None,
                      name_en: str = "", number: str = "", address: str = "", phone: str = "", email: str = "",
                      conducts_elections: bool = True, conducts_referendums: bool = True) -> Commission:
    _check_parent(level=level, parent=parent)
    code = normalise_code(code)
    if Commission.objects.filter(code=code).exists():
        raise Conflict("duplicate_code", _("A commission with code %(code)s already exists.") % {"code": code})
    commission = Commission.objects.create(
        level=level, code=code, number=number, name_kk=name_kk, name_ru=name_ru, name_en=name_en,
        parent=parent, region=parent.region if parent else None, address=address, phone=phone, email=email,
        conducts_elections=conducts_elections, conducts_referendums=conducts_referendums,
    )
    audit(actor=by, action="commission.created", obj=commission, changes=snapshot(commission, COMMISSION_FIELDS))
    return commission


@transaction.atomic
def commission_update(*, by, commission: Commission, **fields) -> Commission:
    unknown = set(fields) - set(COMMISSION_FIELDS) - {"parent"}
    if unknown or "level" in fields or "region" in fields:
        raise ValueError(f"cannot update {sorted(unknown | ({'level', 'region'} & set(fields)))}")
    before = snapshot(commission, COMMISSION_FIELDS)
    if "code" in fields:
        fields["code"] = normalise_code(fields["code"])
        if Commission.objects.filter(code=fields["code"]).exclude(pk=commission.pk).exists():
            raise Conflict("duplicate_code", _("A commission with code %(code)s already exists.") % fields)
    if "parent" in fields:
        _check_parent(level=commission.level, parent=fields["parent"])
        if fields["parent"].region_id != commission.region_id:
            raise DomainError("region_change", _("A commission cannot move to another region."))
    for name, value in fields.items():
        setattr(commission, name, value)
    commission.full_clean(exclude=["parent", "region"])
    commission.save()
    changes = diff(before, snapshot(commission, COMMISSION_FIELDS))
    if changes:
        audit(actor=by, action="commission.updated", obj=commission, changes=changes)
    return commission


def _person_facts(iin: str) -> tuple[str, iin_rules.IINFacts]:
    try:
        return iin_rules.parse(iin)
    except iin_rules.InvalidIIN as exc:
        raise DomainError(exc.code, _("The IIN is not valid.")) from None


@transaction.atomic
def person_create(*, by, iin: str, surname: str, first_name: str, patronymic: str = "", phone: str = "",
                  email: str = "", language: str = "kk") -> Person:
    iin, facts = _person_facts(iin)
    if Person.objects.filter(iin=iin).exists():
        raise Conflict("duplicate_iin", _("A person with this IIN is already in the registry."))
    person = Person.objects.create(
        iin=iin, birth_date=facts.birth_date, sex=facts.sex, surname=surname, first_name=first_name,
        patronymic=patronymic, phone=phone, email=email, language=language,
    )
    audit(actor=by, action="person.created", obj=person, changes=snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(*, by, person: Person, **fields) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    before = snapshot(person, PERSON_FIELDS)
    if "iin" in fields:
        fields["iin"], facts = _person_facts(fields["iin"])
        if Person.objects.filter(iin=fields["iin"]).exclude(pk=person.pk).exists():
            raise Conflict("duplicate_iin", _("A person with this IIN is already in the registry."))
        person.birth_date, person.sex = facts.birth_date, facts.sex
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit(actor=by, action="person.updated", obj=person, changes=changes)
    return person


@transaction.atomic
def membership_create(*, by, person: Person, commission: Commission, position: str, basis: str,
                      term_start: datetime.date | None = None, term_end: datetime.date | None = None) -> Membership:
    """Seat a person on a commission. A person sits on one commission at a time, and a commission has one chair."""
    Commission.objects.select_for_update().filter(pk=commission.pk).first()
    today = timezone.localdate()
    if position == Position.CHAIR and Membership.objects.current(today).filter(
        commission=commission, position=Position.CHAIR
    ).exclude(person=person).exists():
        raise Conflict("second_chair", _("This commission already has a chair."))
    start = term_start or today
    for current in Membership.objects.not_ended(today).filter(person=person):
        _close(by=by, membership=current, on=start)
    membership = Membership.objects.create(
        person=person, commission=commission, position=position, basis=basis, term_start=start, term_end=term_end
    )
    audit(actor=by, action="membership.created", obj=membership, changes=snapshot(membership, MEMBERSHIP_FIELDS))
    return membership


def _close(*, by, membership: Membership, on: datetime.date) -> None:
    """End a term the day before ``on``; a term that would not have lasted a day is withdrawn instead."""
    end = on - datetime.timedelta(days=1)
    if membership.term_start and membership.term_start > end:
        audit(actor=by, action="membership.withdrawn", obj=membership, changes=snapshot(membership, MEMBERSHIP_FIELDS))
        membership.delete()
        return
    audit(actor=by, action="membership.ended", obj=membership, changes={"term_end": [membership.term_end, end]})
    membership.term_end = end
    membership.save(update_fields=["term_end"])


@transaction.atomic
def membership_end(*, by, membership: Membership, on: datetime.date | None = None) -> Membership:
    _close(by=by, membership=membership, on=(on or timezone.localdate()) + datetime.timedelta(days=1))
    return membership


class ImportRejected(DomainError):
    """The file has problems; ``plan.problems`` lists them all and nothing was written."""

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        count = len(plan.problems)
        super().__init__("import_rejected", ngettext(
            "The file was not imported: %(count)s problem found.",
            "The file was not imported: %(count)s problems found.", count) % {"count": count})


def member_import_apply(*, by, filename: str, content: bytes, member_import: MemberImport | None = None,
                        scope_user=None) -> ImportPlan:
    """Import a member list all-or-nothing; raises ImportRejected (with every problem) and writes nothing then.

    ``scope_user`` limits the commissions the file may name (a coordinator's region); None means all
    (the command line, run by the operator of the server).
    """
    scope = editable_commissions(scope_user) if scope_user is not None else Commission.objects.all()
    try:
        with transaction.atomic():
            # The commissions the file names are locked before the file is checked against the registry, so
            # two imports at once cannot both seat a chair in the same commission; the file is read and
            # checked once, under that lock.
            plan = plan_import(filename=filename, content=content, commission_scope=scope, lock_commissions=True)
            if not plan.ok:
                raise ImportRejected(plan)
            _write_plan(by=by, plan=plan)
            if member_import is None:
                member_import = MemberImport(created_by=by if getattr(by, "pk", None) else None,
                                             filename=filename, content=content)
            _record_import(member_import, plan, MemberImport.Status.APPLIED)
            audit(actor=by, action="members.imported", obj=member_import, changes=plan.summary())
    except ImportRejected as exc:
        if member_import is not None:  # after the rollback, so that the rejection is kept
            _record_import(member_import, exc.plan, MemberImport.Status.REJECTED)
        raise
    return plan


def _record_import(member_import: MemberImport, plan: ImportPlan, status: str) -> None:
    member_import.status = status
    member_import.summary = plan.summary()
    member_import.content = b""  # the file holds IINs: keep the summary, not the personal data
    member_import.save()


def _write_plan(*, by, plan: ImportPlan) -> None:
    today = timezone.localdate()
    actor = by if getattr(by, "pk", None) else None
    entries: list[AuditEntry] = []

    new_people = [
        Person(iin=row.iin, birth_date=row.birth_date, sex=row.sex, **row.person) for row in plan.new_people
    ]
    Person.objects.bulk_create(new_people, batch_size=1000)
    people_by_iin = dict(plan.people_by_iin)
    for person in new_people:
        people_by_iin[person.iin] = person
        entries.append(audit_entry(actor=actor, action="person.created", obj=person,
                                   changes=snapshot(person, PERSON_FIELDS)))

    changed = []
    for person, changes in plan.changed_people:
        for name, (_old, new) in changes.items():
            setattr(person, name, new)
        person.updated_at = timezone.now()
        changed.append(person)
        entries.append(audit_entry(actor=actor, action="person.updated", obj=person, changes=changes))
    if changed:
        Person.objects.bulk_update(changed, [*PERSON_FIELDS, "updated_at"], batch_size=1000)

    starts = {row.iin: row.term_start or today for row in plan.memberships_to_create}
    iin_by_person_id = {person.pk: iin for iin, person in people_by_iin.items()}
    closing, withdrawn = [], []
    for membership in plan.memberships_to_close:
        start = starts.get(iin_by_person_id.get(membership.person_id), today)
        end = start - datetime.timedelta(days=1)
        if membership.term_start and membership.term_start > end:
            # It would not last a day (seated today, or not yet begun): withdraw it rather than end it.
            withdrawn.append(membership.pk)
            entries.append(audit_entry(actor=actor, action="membership.withdrawn", obj=membership,
                                       changes=snapshot(membership, MEMBERSHIP_FIELDS)))
            continue
        entries.append(audit_entry(actor=actor, action="membership.ended", obj=membership,
                                   changes={"term_end": [membership.term_end, end]}))
        membership.term_end = end
        closing.append(membership)
    if closing:
        Membership.objects.bulk_update(closing, ["term_end"], batch_size=1000)
    if withdrawn:
        Membership.objects.filter(pk__in=withdrawn).delete()

    new_memberships = [
        Membership(person=people_by_iin[row.iin], commission=row.commission, position=row.position,
                   basis=row.basis or Basis.NON_PERMANENT, term_start=row.term_start or today, term_end=row.term_end)
        for row in plan.memberships_to_create
    ]
    Membership.objects.bulk_create(new_memberships, batch_size=1000)
    for membership in new_memberships:
        entries.append(audit_entry(actor=actor, action="membership.created", obj=membership,
                                   changes=snapshot(membership, MEMBERSHIP_FIELDS)))
    AuditEntry.objects.bulk_create(entries, batch_size=1000)

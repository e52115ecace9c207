"""Writes for training: events, programmes, enrolment, attendance, closing and accreditation. Atomic, audited."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Commission, Membership, Person
from saylau.commissions.scoping import editable_commissions
from saylau.commissions.tabular import HEADER_LOOKUP, UnreadableFile, cell_text, normalise_header, read_table
from saylau.core.audit import audit, audit_entry, diff
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry

from .models import (
    Accreditation,
    Attendance,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Event,
    EventStatus,
    EventTrainer,
    Session,
    TrainingLevel,
)
from .scoping import can_manage_event, can_mark_attendance
from .signals import event_closed

LATE_AFTER = datetime.timedelta(minutes=10)
CHECK_IN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LEVEL_RANK = {TrainingLevel.REPUBLICAN: 0, TrainingLevel.REGIONAL: 1, TrainingLevel.TERRITORIAL: 2,
              TrainingLevel.PRECINCT: 3}
EVENT_FIELDS = ("title_kk", "title_ru", "description_kk", "description_ru", "kind", "format", "level",
                "venue_address", "venue_room", "online_link", "starts_on", "ends_on", "organiser", "languages",
                "capacity", "roadmap_item", "parent", "trains_trainers", "accreditation_months",
                "min_attendance_percent")


def _require_manager(by, event: Event) -> None:
    if not can_manage_event(by, event):
        raise PermissionDenied("forbidden", _("You cannot manage this event."))


def _check_event(fields: dict) -> None:
    if fields["ends_on"] < fields["starts_on"]:
        raise DomainError("end_before_start", _("The event ends before it starts."))
    if not fields.get("title_kk") or not fields.get("title_ru"):
        raise DomainError("title_required", _("Give the title in Kazakh and in Russian."))
    parent = fields.get("parent")
    if parent is not None:
        if LEVEL_RANK[parent.level] >= LEVEL_RANK[fields["level"]]:
            raise DomainError("parent_level", _("The parent event must be at a higher level of the cascade."))
        if parent.status == EventStatus.CANCELLED:
            raise DomainError("parent_cancelled", _("The parent event was cancelled."))


@transaction.atomic
def event_create(*, by, audiences=(), partners=(), trainers=(), **fields) -> Event:
    """Create an event organised by a commission the user may manage; its region is the organiser's."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    organiser: Commission = fields["organiser"]
    if by is not None and not editable_commissions(by).filter(pk=organiser.pk).exists():
        raise PermissionDenied("forbidden", _("You cannot organise events for this commission."))
    _check_event(fields)
    event = Event(**fields, region=organiser.region, created_by=by if getattr(by, "pk", None) else None)
    try:
        event.full_clean(exclude=["created_by", "languages"])
    except ValidationError as exc:
        # A clear, coded error rather than a crash: the API and pages turn DomainError into a 400.
        raise DomainError("invalid", " ".join(exc.messages)) from None
    event.save()
    event.audiences.set(audiences)
    event.partners.set(partners)
    for person in trainers:
        trainer_add(by=by, event=event, person=person)
    audit(actor=by, action="event.created", obj=event, changes={"title_kk": event.title_kk, "starts_on": event.starts_on})
    return event


@transaction.atomic
def event_update(*, by, event: Event, audiences=None, partners=None, **fields) -> Event:
    _require_manager(by, event)
    if "organiser" in fields and fields["organiser"].region_id != event.region_id:
        raise DomainError("region_change", _("An event cannot move to another region."))
    merged = {name: getattr(event, name) for name in EVENT_FIELDS} | fields
    _check_event(merged)
    outside = event.sessions.exclude(day__range=(merged["starts_on"], merged["ends_on"]))
    if outside.exists():
        raise DomainError("sessions_outside", _("Some sessions would fall outside the event's days."))
    # diff() makes dates and related records JSON-ready for the audit row.
    changes = diff({name: getattr(event, name) for name in fields}, fields)
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    if audiences is not None:
        event.audiences.set(audiences)
    if partners is not None:
        event.partners.set(partners)
    if changes:
        audit(actor=by, action="event.updated", obj=event, changes=changes)
    return event


@transaction.atomic
def event_cancel(*, by, event: Event, reason: str) -> Event:
    _require_manager(by, event)
    if not reason.strip():
        raise DomainError("reason_required", _("Say why the event is cancelled."))
    if event.status == EventStatus.HELD:
        raise Conflict("already_held", _("A held event cannot be cancelled."))
    event.status, event.cancel_reason = EventStatus.CANCELLED, reason.strip()
    event.save(update_fields=["status", "cancel_reason"])
    audit(actor=by, action="event.cancelled", obj=event, changes={"reason": event.cancel_reason})
    return event


def _new_check_in_code() -> str:
    while True:
        code = "".join(secrets.choice(CHECK_IN_ALPHABET) for _ in range(6))
        if not Session.objects.filter(check_in_code=code).exists():
            return code


@transaction.atomic
def session_create(*, by, event: Event, day: datetime.date, starts_at: datetime.time, ends_at: datetime.time,
                   title_kk: str, title_ru: str, topic: str = "", method: str = "lecture",
                   speakers: list[dict] = ()) -> Session:
    """A session of the programme on one of the event's days. Speakers: ``{"person": Person}`` or
    ``{"name", "organisation", "position"}`` for an external speaker."""
    _require_manager(by, event)
    if not event.starts_on <= day <= event.ends_on:
        raise DomainError("session_outside_event", _("The session's day is outside the event's days."))
    if ends_at <= starts_at:
        raise DomainError("session_end_before_start", _("The session ends before it starts."))
    session = Session.objects.create(
        event=event, day=day, starts_at=starts_at, ends_at=ends_at, title_kk=title_kk, title_ru=title_ru, topic=topic,
        method=method, check_in_code=_new_check_in_code(),
    )
    for speaker in speakers:
        session.speakers.create(**speaker)
    audit(actor=by, action="session.created", obj=session, changes={"day": day, "starts_at": str(starts_at)})
    return session


MAX_MATERIAL_BYTES = 50 * 1024 * 1024


@transaction.atomic
def material_attach(*, by, session: Session, title: str, file=None, link: str = ""):
    """Attach a handout, presentation or link to a session of the programme: a file or a link, not both."""
    from .models import Material

    _require_manager(by, session.event)
    if bool(file) == bool(link):
        raise DomainError("file_or_link", _("Attach either a file or a link."))
    if not title.strip():
        raise DomainError("title_required", _("Give the material a title."))
    if file is not None and file.size > MAX_MATERIAL_BYTES:
        raise DomainError("file_too_large", _("The file is larger than 50 MB."))
    material = Material.objects.create(session=session, title=title.strip(), file=file or "", link=link)
    audit(actor=by, action="material.attached", obj=session, changes={"title": material.title})
    return material


@transaction.atomic
def trainer_add(*, by, event: Event, person: Person) -> EventTrainer:
    """A cascade event below another is taught by people accredited as trainers, valid on its first day."""
    if by is not None:  # None: the demo and scripts, like event_create
        _require_manager(by, event)
    if event.parent_id is not None:
        accredited = Accreditation.objects.filter(person=person, valid_until__gte=event.starts_on,
                                                  issued_on__lte=event.starts_on)
        if event.region_id:  # a trainer accredited for one region teaches there
            accredited = accredited.filter(Q(region_id=event.region_id) | Q(region__isnull=True))
        if not accredited.exists():
            raise DomainError("not_accredited", _("%(name)s has no valid trainer accreditation.")
                              % {"name": person.full_name})
    trainer, _created = EventTrainer.objects.get_or_create(event=event, person=person)
    audit(actor=by, action="event.trainer_added", obj=event, changes={"person": person.pk})
    return trainer


# --- Enrolment ----------------------------------------------------------------------------------


@dataclass
class EnrolmentResult:
    enrolled: int = 0
    waitlisted: int = 0
    pending: int = 0
    already: int = 0
    person_ids: list[int] = field(default_factory=list)


def _current_commissions(person_ids: list[int]) -> dict[int, int]:
    today = timezone.localdate()
    return dict(Membership.objects.current(today).filter(person_id__in=person_ids).values_list("person_id", "commission_id"))


def _enrol(*, by, event: Event, people: list[Person], source: str, status: str | None = None) -> EnrolmentResult:
    """Enrol each person once; beyond capacity they go to the waiting list. The event row is locked.

    A manager may enrol again someone whose place was cancelled or request rejected (the row is reused);
    a self-registration never revives a decided request.
    """
    if event.status != EventStatus.SCHEDULED:
        raise Conflict("event_closed", _("Enrolment is closed: the event was held or cancelled."))
    Event.objects.select_for_update().filter(pk=event.pk).first()
    result = EnrolmentResult()
    existing = {
        person_id: (pk, state)
        for pk, person_id, state in Enrolment.objects.filter(event=event, person__in=people).values_list(
            "pk", "person_id", "status")
    }
    revivable = {EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED} if status is None else set()
    taken = Enrolment.objects.filter(event=event, status=EnrolmentStatus.ENROLLED).count()
    commissions = _current_commissions([p.pk for p in people])
    now = timezone.now()
    new, revived, seen = [], [], set()
    for person in people:
        if person.pk in seen or (person.pk in existing and existing[person.pk][1] not in revivable):
            result.already += 1
            continue
        seen.add(person.pk)
        if status == EnrolmentStatus.PENDING:
            state = EnrolmentStatus.PENDING
            result.pending += 1
        elif event.capacity is not None and taken >= event.capacity:
            state = EnrolmentStatus.WAITLISTED
            result.waitlisted += 1
        else:
            state = EnrolmentStatus.ENROLLED
            taken += 1
            result.enrolled += 1
        enrolment = Enrolment(event=event, person=person, status=state, source=source, created_at=now,
                              commission_id=commissions.get(person.pk), created_by=by if getattr(by, "pk", None) else None)
        if person.pk in existing:
            enrolment.pk = existing[person.pk][0]
            revived.append(enrolment)
        else:
            new.append(enrolment)
    Enrolment.objects.bulk_create(new, batch_size=1000)
    # created_at moves too: a revived request joins the end of the waiting list.
    Enrolment.objects.bulk_update(revived, ["status", "source", "commission", "created_by", "created_at"],
                                  batch_size=1000)
    written = new + revived
    result.person_ids = [e.person_id for e in written if e.status == EnrolmentStatus.ENROLLED]
    AuditEntry.objects.bulk_create(
        [audit_entry(actor=by, action=f"enrolment.{e.status}", obj=event, changes={"person": e.person_id, "source": source})
         for e in written], batch_size=1000,
    )
    _notify_enrolled(event.pk, result.person_ids)
    return result


def _notify_enrolled(event_id: int, person_ids: list[int]) -> None:
    """Mail the programme and the iCal file to people who got a place, once the transaction commits."""
    if not person_ids:
        return
    from .tasks import send_enrolment_notices

    ids = list(person_ids)
    transaction.on_commit(lambda: send_enrolment_notices.enqueue(event_id, ids))


@transaction.atomic
def enrol_list(*, by, event: Event, people: list[Person]) -> EnrolmentResult:
    _require_manager(by, event)
    return _enrol(by=by, event=event, people=people, source=EnrolmentSource.LIST)


@transaction.atomic
def enrol_by_filter(*, by, event: Event, memberships) -> EnrolmentResult:
    """Enrol the people behind a registry filter. Only current memberships count: an ex-member is never picked."""
    _require_manager(by, event)
    person_ids = memberships.current().values_list("person_id", flat=True).distinct()
    people = list(Person.objects.filter(pk__in=person_ids).order_by("surname", "first_name", "pk"))
    if not people:
        raise DomainError("filter_empty", _("Nobody in the registry matches this filter."))
    return _enrol(by=by, event=event, people=people, source=EnrolmentSource.FILTER)


class EnrolmentFileRejected(DomainError):
    def __init__(self, problems: list[dict]):
        self.problems = problems
        count = len(problems)
        super().__init__("file_rejected", ngettext(
            "The file was not used: %(count)s problem found.", "The file was not used: %(count)s problems found.", count
        ) % {"count": count})


@transaction.atomic
def enrol_by_file(*, by, event: Event, filename: str, content: bytes, people_scope) -> EnrolmentResult:
    """Enrol the people whose IINs a file lists (an IIN column; other columns are ignored). All or nothing."""
    _require_manager(by, event)
    problems: list[dict] = []
    try:
        table = read_table(filename, content)
    except UnreadableFile as exc:
        raise EnrolmentFileRejected([{"row": 0, "column": "", "code": exc.code, "message": str(exc.message)}]) from None
    columns = [i for i, h in enumerate(table.headers) if HEADER_LOOKUP.get(normalise_header(h)) == "iin"]
    if not columns:
        raise EnrolmentFileRejected([{"row": 1, "column": "", "code": "missing_column",
                                      "message": _("The header row has no IIN column.")}])
    index = columns[0]
    header = table.headers[index]
    wanted: dict[str, int] = {}
    for row, cells in table.rows:
        raw = cells[index] if index < len(cells) else None
        try:
            iin, _facts = iin_rules.parse(raw)
        except iin_rules.InvalidIIN as exc:
            problems.append({"row": row, "column": header, "code": exc.code,
                             "message": _("“%(value)s” is not a valid IIN.") % {"value": cell_text(raw)}})
            continue
        wanted.setdefault(iin, row)
    found = {p.iin: p for p in people_scope.filter(iin__in=list(wanted))}
    for iin, row in wanted.items():
        if iin not in found:
            problems.append({"row": row, "column": header, "code": "unknown_person",
                             "message": _("Nobody with IIN %(iin)s in your part of the registry.") % {"iin": iin}})
    if problems:
        raise EnrolmentFileRejected(sorted(problems, key=lambda p: p["row"]))
    return _enrol(by=by, event=event, people=[found[iin] for iin in wanted], source=EnrolmentSource.FILE)


@transaction.atomic
def self_register(*, user, event: Event) -> Enrolment:
    from .scoping import events_open_for_registration

    if not user.person_id or not events_open_for_registration(user).filter(pk=event.pk).exists():
        raise PermissionDenied("forbidden", _("This event is not open for registration."))
    _enrol(by=user, event=event, people=[user.person], source=EnrolmentSource.SELF, status=EnrolmentStatus.PENDING)
    return Enrolment.objects.get(event=event, person_id=user.person_id)


@transaction.atomic
def enrolment_decide(*, by, enrolment: Enrolment, approve: bool) -> Enrolment:
    _require_manager(by, enrolment.event)
    if enrolment.status != EnrolmentStatus.PENDING:
        raise Conflict("not_pending", _("This request was already decided."))
    if not approve:
        enrolment.status = EnrolmentStatus.REJECTED
        enrolment.save(update_fields=["status"])
    else:
        Event.objects.select_for_update().filter(pk=enrolment.event_id).first()
        event = enrolment.event
        taken = event.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
        full = event.capacity is not None and taken >= event.capacity
        enrolment.status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
        enrolment.save(update_fields=["status"])
        if enrolment.status == EnrolmentStatus.ENROLLED:
            _notify_enrolled(enrolment.event_id, [enrolment.person_id])
    audit(actor=by, action=f"enrolment.{enrolment.status}", obj=enrolment.event, changes={"person": enrolment.person_id})
    return enrolment


@transaction.atomic
def enrolment_cancel(*, by, enrolment: Enrolment) -> Enrolment | None:
    """Cancel a place; the first on the waiting list takes it. Returns the promoted enrolment, if any."""
    _require_manager(by, enrolment.event)
    Event.objects.select_for_update().filter(pk=enrolment.event_id).first()
    freed = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.save(update_fields=["status"])
    audit(actor=by, action="enrolment.cancelled", obj=enrolment.event, changes={"person": enrolment.person_id})
    if not freed:
        return None
    promoted = enrolment.event.enrolments.filter(status=EnrolmentStatus.WAITLISTED).order_by("created_at", "pk").first()
    if promoted:
        promoted.status = EnrolmentStatus.ENROLLED
        promoted.save(update_fields=["status"])
        audit(actor=by, action="enrolment.promoted", obj=enrolment.event, changes={"person": promoted.person_id})
        _notify_enrolled(enrolment.event_id, [promoted.person_id])
    return promoted


# --- Attendance ----------------------------------------------------------------------------------


def _session_start(session: Session) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(session.day, session.starts_at))


@transaction.atomic
def attendance_mark(*, by, session: Session, person: Person, present: bool) -> Attendance | None:
    """The trainer's roster: one tap marks a person present (or clears the mark)."""
    if not can_mark_attendance(by, session):
        raise PermissionDenied("forbidden", _("You cannot mark attendance for this session."))
    if not session.event.enrolments.filter(person=person, status=EnrolmentStatus.ENROLLED).exists():
        raise DomainError("not_enrolled", _("This person is not enrolled in the event."))
    if not present:
        Attendance.objects.filter(session=session, person=person).delete()
        audit(actor=by, action="attendance.cleared", obj=session, changes={"person": person.pk})
        return None
    now = timezone.now()
    attendance, created = Attendance.objects.get_or_create(
        session=session, person=person,
        defaults={"checked_in_at": now, "method": Attendance.Method.ROSTER, "marked_by": by,
                  "late": now > _session_start(session) + LATE_AFTER and timezone.localdate() == session.day},
    )
    if created:
        audit(actor=by, action="attendance.marked", obj=session, changes={"person": person.pk})
    return attendance


@transaction.atomic
def check_in(*, user, code: str, method: str = Attendance.Method.CODE) -> Attendance:
    """Self check-in with the session's QR or short code, on the session's day, until check-in closes."""
    session = Session.objects.select_related("event").filter(check_in_code=code.strip().upper()).first()
    if session is None:
        raise DomainError("unknown_code", _("No session has this code."))
    if session.event.status == EventStatus.CANCELLED:
        raise DomainError("event_cancelled", _("This event was cancelled."))
    now = timezone.now()
    closes = session.check_in_open_until or timezone.make_aware(datetime.datetime.combine(session.day, session.ends_at))
    opens = _session_start(session) - datetime.timedelta(hours=1)
    if now > closes:
        raise DomainError("code_expired", _("Check-in for this session has closed."))
    if now < opens:
        raise DomainError("code_not_yet", _("Check-in for this session has not opened yet."))
    if not user.person_id or not session.event.enrolments.filter(
        person_id=user.person_id, status=EnrolmentStatus.ENROLLED
    ).exists():
        raise DomainError("not_enrolled", _("You are not enrolled in this event."))
    attendance, created = Attendance.objects.get_or_create(
        session=session, person_id=user.person_id,
        defaults={"checked_in_at": now, "method": method, "marked_by": user, "late": now > _session_start(session) + LATE_AFTER},
    )
    if created:
        audit(actor=user, action="attendance.checked_in", obj=session, changes={"method": method})
    return attendance


# --- Closing and the cascade ---------------------------------------------------------------------


def attendance_counts(event: Event) -> tuple[int, dict[int, int]]:
    """The number of sessions held (cancelled ones do not count) and how many of them each enrolled person
    attended. Integers, so that "at least N %" is decided exactly (3 of 4 sessions is 75 %, not 74.99…)."""
    held = event.sessions.filter(cancelled=False).count()
    counts = dict(
        Attendance.objects.filter(session__event=event, session__cancelled=False)
        .values("person_id").annotate(n=Count("session", distinct=True)).values_list("person_id", "n")
    )
    enrolled = event.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("person_id", flat=True)
    return held, {person_id: counts.get(person_id, 0) for person_id in enrolled}


def attended_enough(attended: int, held: int, percent: int) -> bool:
    return held > 0 and attended * 100 >= percent * held


def attendance_rates(event: Event) -> dict[int, float]:
    """Share of the event's sessions held that each enrolled person attended (0..1)."""
    held, counts = attendance_counts(event)
    if not held:
        return {}
    return {person_id: n / held for person_id, n in counts.items()}


@transaction.atomic
def session_set_cancelled(*, by, session: Session, cancelled: bool) -> Session:
    """Mark a session as not held (or held after all); attendance rates and certificates count only held ones."""
    _require_manager(by, session.event)
    if session.cancelled != cancelled:
        session.cancelled = cancelled
        session.save(update_fields=["cancelled"])
        audit(actor=by, action="session.cancelled" if cancelled else "session.restored", obj=session)
    return session


@transaction.atomic
def event_close(*, by, event: Event) -> list[Accreditation]:
    """Mark the event held. After a training of trainers, those who attended enough become accredited trainers."""
    _require_manager(by, event)
    if event.status != EventStatus.SCHEDULED:
        raise Conflict("not_scheduled", _("Only a scheduled event can be closed."))
    if event.starts_on > timezone.localdate():
        raise DomainError("not_started", _("The event has not started yet."))
    event.status = EventStatus.HELD
    event.save(update_fields=["status"])
    issued = []
    if event.trains_trainers:
        valid_until = _add_months(event.ends_on, event.accreditation_months)
        held, counts = attendance_counts(event)
        completed = [pid for pid, n in counts.items() if attended_enough(n, held, event.min_attendance_percent)]
        regions = dict(
            Membership.objects.current().filter(person_id__in=completed).values_list("person_id", "commission__region_id")
        )
        issued = [
            Accreditation(person_id=pid, event=event, region_id=regions.get(pid) or event.region_id,
                          issued_on=event.ends_on, valid_until=valid_until)
            for pid in completed
        ]
        Accreditation.objects.bulk_create(issued, ignore_conflicts=True)
    audit(actor=by, action="event.closed", obj=event, changes={"accreditations": len(issued)})
    transaction.on_commit(lambda: event_closed.send(sender=Event, event=event))
    return issued


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# --- Roadmap and targets ------------------------------------------------------------------------


def _require_admin(by) -> None:
    if getattr(by, "role", None) != "admin":
        raise PermissionDenied("forbidden", _("Only a CEC administrator can change the roadmap."))


@transaction.atomic
def roadmap_create(*, by, year: int, resolution_number: str, resolution_date: datetime.date, document=None):
    from .models import Roadmap

    _require_admin(by)
    if Roadmap.objects.filter(year=year).exists():
        raise Conflict("roadmap_exists", _("The roadmap for %(year)s already exists.") % {"year": year})
    roadmap = Roadmap.objects.create(year=year, resolution_number=resolution_number, resolution_date=resolution_date,
                                     document=document or "")
    audit(actor=by, action="roadmap.created", obj=roadmap, changes={"resolution": resolution_number})
    return roadmap


@transaction.atomic
def roadmap_item_create(*, by, roadmap, audiences=(), partners=(), **fields):
    from .models import RoadmapItem

    _require_admin(by)
    if fields.get("planned_month") and not 1 <= fields["planned_month"] <= 12:
        raise DomainError("bad_month", _("The month must be between 1 and 12."))
    if fields.get("planned_quarter") and not 1 <= fields["planned_quarter"] <= 4:
        raise DomainError("bad_quarter", _("The quarter must be between 1 and 4."))
    if fields.get("planned_month") and not fields.get("planned_quarter"):
        fields["planned_quarter"] = (fields["planned_month"] - 1) // 3 + 1
    number = fields.pop("number", None) or roadmap.items.count() + 1
    item = RoadmapItem.objects.create(roadmap=roadmap, number=number, **fields)
    item.audiences.set(audiences)
    item.partners.set(partners)
    audit(actor=by, action="roadmap_item.created", obj=item, changes={"title_kk": item.title_kk})
    return item


@transaction.atomic
def coverage_target_set(*, by, year: int, region, audience, target: int):
    from .models import CoverageTarget

    _require_admin(by)
    row, _created = CoverageTarget.objects.update_or_create(year=year, region=region, audience=audience,
                                                            defaults={"target": target})
    audit(actor=by, action="coverage_target.set", obj=row, changes={"target": target})
    return row

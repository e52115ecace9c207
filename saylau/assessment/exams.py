"""Writes for tests: creating a test (fixed list or blueprint), entry/final pairs, the seminar room's live control,
and who may take a test."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Commission, Membership, Person
from saylau.commissions.selectors import subtree_ids
from saylau.core.audit import audit
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.training.models import Enrolment, EnrolmentStatus, Event

from .models import Attempt, AttemptStatus, Eligibility, Exam, ExamItem, Item, ItemStatus, Mode, RoomState, Topic
from .scoping import can_create_exams

# No 0/O, 1/I/L: read off a projector at the back of a room and typed on a phone.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
FILTER_KEYS = {"region", "under", "level", "position", "basis"}


def new_join_code() -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(6))
        if not Exam.objects.filter(join_code=code).exists():
            return code


def drawable_items(language: str | None = None) -> QuerySet[Item]:
    """Items a test may draw: approved, and available in the examinee's language."""
    qs = Item.objects.filter(status=ItemStatus.APPROVED).exclude(type="description")
    if language == "kk":
        qs = qs.filter(has_kk=True)
    elif language == "ru":
        qs = qs.filter(has_ru=True)
    return qs


def _check_blueprint(blueprint) -> list[dict]:
    if not isinstance(blueprint, list) or not blueprint:
        raise DomainError("invalid_blueprint", _("A blueprint needs at least one row."), field="blueprint")
    topics = set(Topic.objects.values_list("code", flat=True))
    rows = []
    for index, row in enumerate(blueprint):
        where = f"blueprint.{index}"
        if not isinstance(row, dict) or row.get("topic") not in topics:
            raise DomainError("unknown_topic", _("Row %(row)s of the blueprint names no known topic.") % {
                "row": index + 1}, field=f"{where}.topic")
        try:
            count = int(row.get("count"))
            low, high = int(row.get("difficulty_min") or 1), int(row.get("difficulty_max") or 5)
        except (TypeError, ValueError):
            raise DomainError("invalid_blueprint", _("Row %(row)s of the blueprint: numbers expected.") % {
                "row": index + 1}, field=where) from None
        if count < 1 or not 1 <= low <= high <= 5:
            raise DomainError("invalid_blueprint", _(
                "Row %(row)s of the blueprint: at least one item, difficulty between 1 and 5.") % {"row": index + 1},
                field=where)
        available = _blueprint_pool(row["topic"], low, high, None).count()
        if available < count:
            raise DomainError("bank_too_small", _(
                "Row %(row)s of the blueprint asks for %(count)s items, the bank has %(available)s approved.") % {
                "row": index + 1, "count": count, "available": available}, field=f"{where}.count")
        rows.append({"topic": row["topic"], "count": count, "difficulty_min": low, "difficulty_max": high})
    return rows


def _blueprint_pool(topic: str, low: int, high: int, language: str | None) -> QuerySet[Item]:
    qs = drawable_items(language).filter(topic__code=topic)
    if (low, high) != (1, 5):
        qs = qs.filter(difficulty__gte=low, difficulty__lte=high)
    return qs


class Drawn(NamedTuple):
    """An item drawn for a form, with what an attempt freezes of it."""

    pk: int
    current_id: int
    topic_id: int | None
    points: Decimal


def draw_blueprint(blueprint: list[dict], *, language: str | None, rng: random.Random,
                   avoid: set[int] = frozenset()) -> list[Drawn]:
    """The items of one form: per row, ``count`` items of its topic and band, avoiding ``avoid`` (item ids) where
    the bank allows (a parallel form), never the same item twice."""
    # The candidates of every row in one query (a nationwide test's starts come all at once at its opening).
    candidates = list(drawable_items(language).filter(topic__code__in={row["topic"] for row in blueprint})
                      .values_list("pk", "topic__code", "difficulty", "current_id", "topic_id", "points"))
    by_pk, by_topic = {}, {}
    for pk, topic, difficulty, current_id, topic_id, points in candidates:
        by_pk[pk] = Drawn(pk, current_id, topic_id, points)
        by_topic.setdefault(topic, []).append((pk, difficulty))
    chosen: list[int] = []
    for row in blueprint:
        band = (row["difficulty_min"], row["difficulty_max"])
        pool = sorted({pk for pk, difficulty in by_topic.get(row["topic"], [])
                       if band == (1, 5) or band[0] <= difficulty <= band[1]} - set(chosen))
        fresh = [pk for pk in pool if pk not in avoid]
        rng.shuffle(fresh)
        picked = fresh[:row["count"]]
        if len(picked) < row["count"]:
            rest = [pk for pk in pool if pk in avoid]
            rng.shuffle(rest)
            picked += rest[:row["count"] - len(picked)]
        chosen.extend(picked)
    return [by_pk[pk] for pk in chosen]


def draw_fixed(exam: Exam, *, language: str | None) -> list[Drawn]:
    """A fixed list's items in its order, those the examinee's language can draw."""
    return [Drawn(*row) for row in ExamItem.objects.filter(exam=exam, item__in=drawable_items(language))
            .order_by("position").values_list("item_id", "item__current_id", "item__topic_id", "item__points")]


def _check_fields(fields: dict) -> None:
    if fields.get("time_limit_minutes") is not None and not 1 <= fields["time_limit_minutes"] <= 24 * 60:
        raise DomainError("invalid_time_limit", _("The time limit must be between 1 minute and 24 hours."),
                          field="time_limit_minutes")
    mark = Decimal(str(fields.get("pass_mark_percent", 60)))
    if not 0 <= mark <= 100:
        raise DomainError("invalid_pass_mark", _("The pass mark is a percentage between 0 and 100."),
                          field="pass_mark_percent")
    if fields.get("attempts_allowed", 1) < 1:
        raise DomainError("invalid_attempts", _("At least one attempt must be allowed."), field="attempts_allowed")
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    if opens and closes and closes <= opens:
        raise DomainError("window_reversed", _("The test must close after it opens."), field="closes_at")
    # A course's test stays open as long as the course does: its learners' deadlines bound it.
    if fields.get("mode") == Mode.DISTANCE and not closes and fields.get("eligibility") != Eligibility.COURSE:
        raise DomainError("window_required", _("A distance test needs a closing time."), field="closes_at")
    for language_field in ("title_kk", "title_ru"):
        if not (fields.get(language_field) or "").strip():
            raise DomainError("required", _("The title is required in Kazakh and Russian."), field=language_field)


def _check_eligibility(eligibility: str, event: Event | None, people, eligible_filter: dict) -> None:
    if eligibility == Eligibility.EVENT and event is None:
        raise DomainError("event_required", _("Tests for an event's participants need the event."), field="event")
    if eligibility == Eligibility.PERSONS and not people:
        raise DomainError("people_required", _("Name at least one person who may take the test."),
                          field="eligible")
    if eligibility == Eligibility.FILTER:
        if not eligible_filter or set(eligible_filter) - FILTER_KEYS:
            raise DomainError("invalid_filter", _("The registry filter may use: %(keys)s.") % {
                "keys": ", ".join(sorted(FILTER_KEYS))}, field="eligible.filter")


@transaction.atomic
def exam_create(*, by, commission: Commission, items: list[Item] | None = None, blueprint: list | None = None,
                event: Event | None = None, eligible_people=(), eligible_filter: dict | None = None,
                pre_test: Exam | None = None, **fields) -> Exam:
    """A test with a fixed list of approved items or a blueprint checked against the bank."""
    if not can_create_exams(by):
        raise PermissionDenied("forbidden", _("You are not allowed to create tests."))
    _check_fields(fields)
    eligibility = fields.setdefault("eligibility", Eligibility.EVENT if event else Eligibility.PERSONS)
    _check_eligibility(eligibility, event, eligible_people, eligible_filter or {})
    if bool(items) == bool(blueprint):
        raise DomainError("items_or_blueprint", _("Give either a list of items or a blueprint."), field="items")
    rows = _check_blueprint(blueprint) if blueprint else []
    if items:
        not_drawable = [item.pk for item in items if item.status != ItemStatus.APPROVED or item.type == "description"]
        if not_drawable:
            raise DomainError("items_not_approved", _("Only approved items can be put in a test: %(ids)s.") % {
                "ids": ", ".join(map(str, not_drawable))}, field="items")
        if len({item.pk for item in items}) != len(items):
            raise DomainError("duplicate_items", _("An item appears twice in the list."), field="items")
    exam = Exam.objects.create(commission=commission, event=event, blueprint=rows, join_code=new_join_code(),
                               eligible_filter=eligible_filter or {}, pre_test=pre_test,
                               created_by=by if by.pk else None, **fields)
    if items:
        ExamItem.objects.bulk_create([ExamItem(exam=exam, item=item, position=position)
                                      for position, item in enumerate(items, start=1)])
    if eligible_people:
        exam.eligible_people.set(eligible_people)
    audit(actor=by, action="assessment.exam.created", obj=exam, changes={
        "mode": exam.mode, "purpose": exam.purpose, "items": [item.pk for item in items or []], "blueprint": rows,
        "event": event.pk if event else None})
    return exam


@transaction.atomic
def exam_pair_create(*, by, event: Event, commission: Commission, blueprint: list, seed: int | None = None,
                     **fields) -> tuple[Exam, Exam]:
    """An entry and a final test for an event: parallel forms drawn from the same blueprint, with no item in
    both when the bank allows (``bank_shared`` in the audit says how many had to be shared)."""
    rows = _check_blueprint(blueprint)
    rng = random.Random(seed)
    pre_ids = [drawn.pk for drawn in draw_blueprint(rows, language=None, rng=rng)]
    post_ids = [drawn.pk for drawn in draw_blueprint(rows, language=None, rng=rng, avoid=set(pre_ids))]
    items = Item.objects.in_bulk(pre_ids + post_ids)
    title_kk, title_ru = fields.pop("title_kk"), fields.pop("title_ru")
    common = {"commission": commission, "event": event, "eligibility": Eligibility.EVENT, **fields}
    pre = exam_create(by=by, items=[items[pk] for pk in pre_ids], purpose="pre",
                      title_kk=f"{title_kk}: бастапқы тестілеу", title_ru=f"{title_ru}: входное тестирование", **common)
    post = exam_create(by=by, items=[items[pk] for pk in post_ids], purpose="post", pre_test=pre,
                       title_kk=f"{title_kk}: қорытынды тестілеу", title_ru=f"{title_ru}: итоговое тестирование",
                       **common)
    shared = len(set(pre_ids) & set(post_ids))
    audit(actor=by, action="assessment.exam.pair_created", obj=post, changes={"pre": pre.pk, "shared_items": shared})
    return pre, post


@transaction.atomic
def room_set_state(*, by, exam: Exam, state: str) -> Exam:
    """The trainer opens the in-room test (participants can join) and closes it (every open attempt is
    submitted with what was saved). The caller's ``exam`` shows the new state too."""
    from .attempts import attempt_submit

    given, exam = exam, Exam.objects.select_for_update().get(pk=exam.pk)
    if exam.mode != Mode.ROOM:
        raise Conflict("not_a_room_test", _("Only in-room tests are opened and closed live."))
    allowed = {RoomState.WAITING: {RoomState.OPEN}, RoomState.OPEN: {RoomState.CLOSED},
               RoomState.CLOSED: {RoomState.OPEN}}
    if state not in allowed[exam.room_state]:
        raise Conflict("room_state", _("The test is already %(state)s.") % {"state": RoomState(exam.room_state).label})
    old, exam.room_state = exam.room_state, state
    exam.save(update_fields=["room_state"])
    given.room_state = state
    submitted = 0
    if state == RoomState.CLOSED:
        for attempt in Attempt.objects.filter(exam=exam, status=AttemptStatus.OPEN):
            attempt_submit(attempt=attempt, by=by, at_deadline=True)
            submitted += 1
    audit(actor=by, action="assessment.exam.room", obj=exam, changes={"state": [old, state], "submitted": submitted})
    if state == RoomState.CLOSED:  # the statistics are computed once the test is over, by the worker
        from saylau.psychometrics.tasks import refresh_test

        transaction.on_commit(lambda: refresh_test.enqueue(exam.pk))
    return exam


# Eligibility decided by an app built on this one (``courses`` registers "course"): name → check(exam, person).
ELIGIBILITY_CHECKS: dict[str, Callable[[Exam, Person], bool]] = {}


def is_eligible(exam: Exam, person: Person) -> bool:
    if exam.eligibility in ELIGIBILITY_CHECKS:
        return ELIGIBILITY_CHECKS[exam.eligibility](exam, person)
    if exam.eligibility == Eligibility.EVENT:
        return bool(exam.event_id) and Enrolment.objects.filter(
            event_id=exam.event_id, person=person, status=EnrolmentStatus.ENROLLED).exists()
    if exam.eligibility == Eligibility.PERSONS:
        return Exam.eligible_people.through.objects.filter(exam_id=exam.pk, person_id=person.pk).exists()
    return filter_memberships(exam.eligible_filter).filter(person=person).exists()


def filter_memberships(spec: dict) -> QuerySet[Membership]:
    """Current memberships matching a registry filter (region ISO code, a commission code and everything under
    it, levels, positions, basis)."""
    qs = Membership.objects.current()
    if spec.get("region"):
        qs = qs.filter(commission__region__iso_code=str(spec["region"]).upper())
    if spec.get("under"):
        under = Commission.objects.filter(code=spec["under"]).first()
        qs = qs.filter(commission_id__in=subtree_ids(under)) if under else qs.none()
    if spec.get("level"):
        qs = qs.filter(commission__level__in=list(spec["level"]))
    if spec.get("position"):
        qs = qs.filter(position__in=list(spec["position"]))
    if spec.get("basis"):
        qs = qs.filter(basis=spec["basis"])
    return qs


def is_open_now(exam: Exam, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if exam.mode == Mode.ROOM:
        return exam.room_state == RoomState.OPEN
    return (exam.opens_at is None or exam.opens_at <= now) and (exam.closes_at is None or now < exam.closes_at)

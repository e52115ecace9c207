"""The attempt lifecycle: start (items drawn and frozen), answers saved as given, submit (scored), hand grading.

Guarantees: one open attempt per person and test (a second start resumes it); the deadline is the server's and
an attempt past it is submitted with what was saved, whoever touches it first (the examinee, the trainer's
view, the sweeper); after submission nothing changes except hand grading of essays; the payload sent to the
examinee holds no answer key (fractions, accepted answers, feedback) until the attempt is submitted and the
test's feedback policy allows it.
"""

from __future__ import annotations

import datetime
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Person
from saylau.core.audit import audit, audit_entry
from saylau.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from saylau.core.models import AuditEntry

from . import scoring
from .exams import draw_blueprint, draw_fixed, is_eligible, is_open_now
from .models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Exam,
    FeedbackPolicy,
    ItemVersion,
    Mode,
)
from .signals import attempt_scored

LANGUAGES = ("kk", "ru")


def _overdue(attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    return attempt.status == AttemptStatus.OPEN and attempt.deadline is not None and (now or timezone.now()) >= attempt.deadline


def settle(attempt: Attempt) -> Attempt:
    """The attempt as it stands now: if its deadline has passed, it is submitted first (with what was saved)."""
    if _overdue(attempt):
        return attempt_submit(attempt=attempt, by=None, at_deadline=True)
    return attempt


def attempt_start(*, by, exam: Exam, person: Person, language: str | None = None) -> Attempt:
    """Start (or resume) ``person``'s attempt. Items are drawn now and frozen with their current versions and
    the order of their options; the deadline is the earlier of the time limit and the test's closing time."""
    return attempt_start_with_items(by=by, exam=exam, person=person, language=language)[0]


class FrozenItem(NamedTuple):
    """An item as a new attempt froze it, and what the examinee's view of it (``item_payload``) needs."""

    position: int
    item_id: int
    version_id: int
    topic_id: int | None
    order: list
    max_points: Decimal
    response: None = None


def attempt_start_with_items(*, by, exam: Exam, person: Person,
                             language: str | None = None) -> tuple[Attempt, list[FrozenItem] | None]:
    """``attempt_start``, and the new attempt's items as written (None when an open attempt is resumed): the
    API answers a start with them, without reading them back. ``exam`` as read in this request (its room state
    decides)."""
    language = language if language in LANGUAGES else (person_language(person))
    now = timezone.now()
    # No lock on the test: thousands start at once. Two starts by one person are kept apart by the unique
    # constraints (one open attempt; one row per attempt number).
    earlier = list(Attempt.objects.filter(exam=exam, person=person).order_by("number"))
    current = next((attempt for attempt in earlier if attempt.status == AttemptStatus.OPEN), None)
    if current is not None:
        current = settle(current)
        if current.status == AttemptStatus.OPEN:
            return current, None
    if not is_eligible(exam, person):
        raise PermissionDenied("not_eligible", _("You are not on the list of people who may take this test."))
    if not is_open_now(exam, now):
        if exam.mode == Mode.ROOM:
            raise Conflict("room_closed", _("The trainer has not opened this test, or has already closed it."))
        raise Conflict("outside_window", _("The test is not open at this time."))
    used = len(earlier)
    if used >= exam.attempts_allowed:
        raise Conflict("no_attempts_left", _("You have used all the attempts allowed for this test."))
    rng = random.Random()
    if exam.blueprint:
        drawn = draw_blueprint(exam.blueprint, language=language, rng=rng)
    else:
        drawn = draw_fixed(exam, language=language)
    if not drawn:
        raise Conflict("no_items", _("This test has no items in the language you chose."))
    if exam.shuffle_items:
        rng.shuffle(drawn)
    deadline = exam.closes_at if exam.mode == Mode.DISTANCE else None
    if exam.time_limit_minutes:
        limit = now + datetime.timedelta(minutes=exam.time_limit_minutes)
        deadline = min(deadline, limit) if deadline else limit
    attempt = Attempt(exam=exam, person=person, number=used + 1, language=language, started_at=now,
                      deadline=deadline, last_activity_at=now)
    documents = version_documents([item.current_id for item in drawn])
    rows = [FrozenItem(position, item.pk, item.current_id, item.topic_id,
                       _order(documents[item.current_id], exam.shuffle_options, rng), item.points)
            for position, item in enumerate(drawn, start=1)]
    entry = audit_entry(actor=by, action="assessment.attempt.started", obj=attempt,
                        changes={"exam": exam.pk, "language": language, "items": [item.pk for item in drawn]})
    if not _insert_attempt(attempt, rows, entry):
        raise Conflict("already_started", _("An attempt at this test is already in progress."))
    _keep_frozen(attempt.pk, person.pk, {item.pk: item.current_id for item in drawn})  # its saves come next
    return attempt, rows


def _insert_attempt(attempt: Attempt, rows: list[FrozenItem], entry: AuditEntry) -> bool:
    """Write a new attempt, its items and its audit entry, all or nothing; False (nothing written) when a unique
    constraint says another start of the same person got there first.

    On PostgreSQL one statement, the items as one JSON parameter (a nationwide test's opening is thousands of
    starts at once: docs/decisions.md, "Start and submit"); elsewhere the ORM in a transaction. Either way the
    attempt and the entry come back saved (ids set)."""
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                attempt.save(force_insert=True)
                AttemptItem.objects.bulk_create([AttemptItem(attempt=attempt, **row._asdict()) for row in rows])
                entry.object_id = str(attempt.pk)
                entry.save()
        except IntegrityError:
            return False
        return True
    attempt_table, item_table = Attempt._meta.db_table, AttemptItem._meta.db_table
    audit_table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        # ON CONFLICT DO NOTHING: a lost race inserts no attempt, so the items and the entry select no row.
        cursor.execute(
            f"WITH attempt AS ("  # noqa: S608 — table names from the models; every value is a parameter
            f" INSERT INTO {attempt_table} (exam_id, person_id, number, language, status, started_at, deadline,"
            f" submitted_at_deadline, awaiting_grading, last_activity_at)"
            f" VALUES (%s, %s, %s, %s, %s, %s, %s, false, false, %s) ON CONFLICT DO NOTHING RETURNING id),"
            f" items AS (INSERT INTO {item_table} (attempt_id, position, item_id, version_id, topic_id, \"order\","
            f" max_points, grader_comment)"
            f" SELECT attempt.id, item.position, item.item_id, item.version_id, item.topic_id, item.shown,"
            f" item.max_points, '' FROM attempt, jsonb_to_recordset(CAST(%s AS jsonb)) AS item (position integer,"
            f" item_id bigint, version_id bigint, topic_id bigint, shown jsonb, max_points numeric)),"
            f" entry AS (INSERT INTO {audit_table} (at, actor_id, action, object_type, object_id, object_repr, changes)"
            f" SELECT %s, %s, %s, %s, CAST(attempt.id AS text), %s, CAST(%s AS jsonb) FROM attempt RETURNING id)"
            f" SELECT (SELECT id FROM attempt), (SELECT id FROM entry)",
            [attempt.exam_id, attempt.person_id, attempt.number, attempt.language, attempt.status,
             attempt.started_at, attempt.deadline, attempt.last_activity_at,
             json.dumps([{"position": row.position, "item_id": row.item_id, "version_id": row.version_id,
                          "topic_id": row.topic_id, "shown": row.order, "max_points": str(row.max_points)}
                         for row in rows]),
             attempt.started_at, entry.actor_id, entry.action, entry.object_type, entry.object_repr,
             json.dumps(entry.changes)])
        attempt_id, entry_id = cursor.fetchone()
    if attempt_id is None:
        return False
    attempt.pk, attempt._state.adding, attempt._state.db = attempt_id, False, connection.alias
    entry.pk, entry.object_id, entry.at = entry_id, str(attempt_id), attempt.started_at
    return True


def person_language(person: Person) -> str:
    language = getattr(getattr(person, "user", None), "language", "") or ""
    return language if language in LANGUAGES else "kk"


def _order(document: dict, shuffle: bool, rng: random.Random) -> list:
    """The ids in the order this attempt shows them (options; a matching item's responses; per scenario step)."""
    def maybe_shuffled(ids: list) -> list:
        if shuffle and document.get("shuffle", True):
            ids = list(ids)
            rng.shuffle(ids)
        return ids

    kind = document["type"]
    if kind in ("single_choice", "multiple_choice", "true_false"):
        return maybe_shuffled([option["id"] for option in document["options"]])
    if kind == "matching":
        return maybe_shuffled([pair["id"] for pair in document["pairs"]])
    if kind == "scenario":
        return [maybe_shuffled([option["id"] for option in step["options"]]) for step in document["steps"]]
    return []


# --- Saving answers (the hot path) ----------------------------------------------------------------------------


# What an attempt shows never changes once it started: each of its items is frozen to one version, and a version's
# document never changes either (bank.item_update makes a new version). So a process may keep, per attempt, the
# version of each item, and per version its document; a save then needs one statement, the conditional UPDATE,
# which itself checks that the attempt is the person's, open and before its deadline. Bounded: the oldest attempts
# are forgotten first; documents (a bank's worth) are cleared when full.
_FROZEN: dict[int, tuple[int, dict[int, int]]] = {}  # attempt id -> (its person's id, {item id: version id})
_FROZEN_MAX_ATTEMPTS = 30_000  # ~2 KB each
_DOCUMENTS: dict[int, dict] = {}  # version id -> document
_DOCUMENTS_MAX = 20_000


def forget_frozen_items() -> None:
    """Empty the per-process cache (tests: ids come back after a rollback)."""
    _FROZEN.clear()
    _DOCUMENTS.clear()


def _keep_frozen(attempt_id: int, person_id: int, versions: dict[int, int]) -> None:
    while len(_FROZEN) >= _FROZEN_MAX_ATTEMPTS:
        del _FROZEN[next(iter(_FROZEN))]
    _FROZEN[attempt_id] = (person_id, versions)


def _keep_document(version_id: int, document: dict) -> None:
    if len(_DOCUMENTS) >= _DOCUMENTS_MAX:
        _DOCUMENTS.clear()
    _DOCUMENTS[version_id] = document


def version_documents(version_ids) -> dict[int, dict]:
    """Documents by version id, from memory or (those this process has not read yet) one query."""
    found = {pk: _DOCUMENTS[pk] for pk in set(version_ids) if pk in _DOCUMENTS}
    missing = [pk for pk in set(version_ids) if pk not in found]
    if missing:
        for pk, document in ItemVersion.objects.filter(pk__in=missing).values_list("pk", "document"):
            found[pk] = document
            _keep_document(pk, document)
    return found


def frozen_version(attempt_id: int, item_id: int, read_items) -> tuple[int, dict] | None:
    """The version an attempt froze for an item and its document, whoever the attempt's person is: for the
    answer route (``answer_route``), whose single statement checks the person. From memory, or once per process
    and attempt ``read_items(attempt_id)`` → ``(person id, {item id: version id})`` or None; documents by
    version, once. None: no such item in the attempt."""
    frozen = _FROZEN.get(attempt_id)
    if frozen is None:
        frozen = read_items(attempt_id)
        if frozen is None:
            return None
        _keep_frozen(attempt_id, *frozen)
    version_id = frozen[1].get(item_id)
    if version_id is None:
        return None
    return version_id, version_documents([version_id])[version_id]


def _read_frozen(attempt_id: int, person_id: int) -> tuple[dict[int, tuple[int, dict]], str, object] | None:
    """One query: the attempt's frozen items (into the cache), its status and deadline; None if not the person's."""
    rows = list(AttemptItem.objects.filter(attempt_id=attempt_id, attempt__person_id=person_id).order_by()
                .values_list("item_id", "version_id", "version__document", "attempt__status", "attempt__deadline"))
    if not rows:
        return None
    _keep_frozen(attempt_id, person_id, {item_id: version_id for item_id, version_id, *_rest in rows})
    for _item_id, version_id, document, _status, _deadline in rows:
        _keep_document(version_id, document)
    items = {item_id: (version_id, document) for item_id, version_id, document, _status, _deadline in rows}
    return items, rows[0][3], rows[0][4]


def answer_save(*, person_id: int, attempt_id: int, item_id: int, response: dict) -> None:
    """Store the examinee's answer to one item of their open attempt, replacing the previous one.

    The hot path of a nationwide test (docs/decisions.md, "The answer save"): when this process has seen the
    attempt before, one statement — validate the answer against the frozen version held in memory, then one
    conditional UPDATE that writes only while the attempt is the person's, open and before its deadline, and
    only to the version validated against. When that UPDATE writes nothing, or the attempt is new to this
    process, the full path reads the row to say why (404 not the person's or unknown item, 409 submitted or past
    the deadline, 400 invalid answer). Nothing is written on an error. Concurrent saves of the same answer: the
    last write wins, each is whole.
    """
    now = timezone.now()
    person_of_attempt, versions = _FROZEN.get(attempt_id, (None, {}))
    version_id = versions.get(item_id) if person_of_attempt == person_id else None
    document = _DOCUMENTS.get(version_id) if version_id is not None else None
    if document is not None:
        try:
            clean = scoring.validate_response(document, response)
        except scoring.InvalidResponse:
            clean = None  # the full path says so
        if clean is not None and _write_answer(person_id, attempt_id, item_id, version_id, clean, now):
            return
    known = _read_frozen(attempt_id, person_id)
    if known is None or item_id not in known[0]:
        raise NotFound("not_found", _("Attempt not found."))
    items, status, deadline = known
    version_id, document = items[item_id]
    if status != AttemptStatus.OPEN or (deadline is not None and now >= deadline):
        raise Conflict("attempt_closed", _("This attempt has been submitted; answers can no longer change."))
    try:
        clean = scoring.validate_response(document, response)
    except scoring.InvalidResponse as error:
        raise DomainError(f"invalid_answer.{error.code}", _("The answer is not valid for this item."),
                          field=getattr(error, "field", "")) from None
    if not _write_answer(person_id, attempt_id, item_id, version_id, clean, now):  # submitted in between
        raise Conflict("attempt_closed", _("This attempt has been submitted; answers can no longer change."))


def _write_answer(person_id: int, attempt_id: int, item_id: int, version_id: int, clean: dict, now) -> bool:
    """The one conditional UPDATE. The attempt's conditions as ``attempt_id IN (…)`` rather than a join: an
    UPDATE with a join becomes ``id IN (SELECT … JOIN …)``, which PostgreSQL may plan as a scan."""
    still_open = (Attempt.objects.filter(pk=attempt_id, person_id=person_id, status=AttemptStatus.OPEN)
                  .exclude(deadline__lte=now).values("pk"))
    return bool(AttemptItem.objects.filter(attempt_id=attempt_id, item_id=item_id, version_id=version_id,
                                           attempt_id__in=still_open).update(response=clean, saved_at=now))


# --- Submitting and grading ------------------------------------------------------------------------------------


def _quantize(value: float | Decimal, places: str = "0.0001") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _total(attempt: Attempt, rows: list[tuple] | None = None) -> None:
    """Score, maximum, percent, pass/fail from the attempt's (points, max_points, fraction) rows (read if not
    given)."""
    if rows is None:
        rows = list(AttemptItem.objects.filter(attempt=attempt).values_list("points", "max_points", "fraction"))
    score = sum((points or Decimal(0) for points, _max, _fraction in rows), Decimal(0))
    max_score = sum((maximum for _points, maximum, _fraction in rows), Decimal(0))
    attempt.score = _quantize(score)
    attempt.max_score = _quantize(max_score)
    attempt.percent = _quantize(100 * score / max_score, "0.01") if max_score else Decimal(0)
    attempt.awaiting_grading = any(fraction is None and maximum > 0 for _points, maximum, fraction in rows)
    attempt.passed = None if attempt.awaiting_grading else attempt.percent >= attempt.exam.pass_mark_percent


class ScoredItem(NamedTuple):
    """An item of an attempt as scored at submission: what its result (``results.attempt_result``) needs."""

    pk: int
    position: int
    version_id: int
    topic_id: int | None
    max_points: Decimal
    fraction: float | None
    points: Decimal | None


def attempt_submit(*, attempt: Attempt, by, at_deadline: bool = False) -> Attempt:
    """Score every item (Moodle's rules, ``scoring``) and close the attempt. Submitting twice returns the first
    result; an attempt submitted after its deadline is marked as submitted at the deadline."""
    return attempt_submit_scored(attempts=Attempt.objects.filter(pk=attempt.pk), by=by, at_deadline=at_deadline)[0]


@transaction.atomic
def attempt_submit_scored(*, attempts: QuerySet[Attempt], by,
                          at_deadline: bool = False) -> tuple[Attempt, list[ScoredItem] | None]:
    """``attempt_submit`` of the one attempt ``attempts`` selects, and its items as scored, in position order
    (None when it had been submitted before). The API passes the examinee's own attempts with the id
    (``scoping.own_attempts``), so that finding, checking and locking the attempt is one query; NotFound when
    ``attempts`` selects none."""
    # The person too: the audit entry names them. Only the attempt's row is locked.
    attempt = attempts.select_for_update(of=("self",)).select_related("exam", "person").first()
    if attempt is None:
        raise NotFound("not_found", _("Attempt not found."))
    if attempt.status == AttemptStatus.SUBMITTED:
        return attempt, None
    now = timezone.now()
    scored = []
    unscored = AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(
        "pk", "position", "version_id", "topic_id", "max_points", "response")
    documents = version_documents([version_id for _pk, _position, version_id, *_rest in unscored])
    for pk, position, version_id, topic_id, max_points, response in unscored:
        fraction = scoring.score_fraction(documents[version_id], response)
        points = None if fraction is None else _quantize(Decimal(str(fraction)) * max_points)
        scored.append(ScoredItem(pk, position, version_id, topic_id, max_points, fraction, points))
    attempt.status = AttemptStatus.SUBMITTED
    late = attempt.deadline is not None and now >= attempt.deadline
    attempt.submitted_at = attempt.deadline if late else now
    attempt.submitted_at_deadline = at_deadline or late
    _total(attempt, [(row.points, row.max_points, row.fraction) for row in scored])
    entry = audit_entry(actor=by, action="assessment.attempt.submitted", obj=attempt, changes={
        "score": attempt.score, "max_score": attempt.max_score, "percent": attempt.percent,
        "at_deadline": attempt.submitted_at_deadline})
    entry.at = now
    _write_submission(attempt, scored, entry)
    transaction.on_commit(lambda: attempt_scored.send(sender=Attempt, attempt=attempt))
    return attempt, scored


_SUBMISSION_FIELDS = ("status", "submitted_at", "submitted_at_deadline", "score", "max_score", "percent",
                      "awaiting_grading", "passed")


def _write_submission(attempt: Attempt, scored: list[ScoredItem], entry: AuditEntry) -> None:
    """The items' scores, the attempt's result and the audit entry: on PostgreSQL one statement (thousands submit
    at a distance test's closing: docs/decisions.md, "Start and submit"), elsewhere the ORM."""
    if connection.vendor != "postgresql":
        AttemptItem.objects.bulk_update([AttemptItem(pk=row.pk, fraction=row.fraction, points=row.points)
                                         for row in scored], ["fraction", "points"])
        attempt.save(update_fields=_SUBMISSION_FIELDS)
        entry.save()
        return
    item_table, attempt_table = AttemptItem._meta.db_table, Attempt._meta.db_table
    audit_table = AuditEntry._meta.db_table
    settings = ", ".join(f"{name} = %s" for name in _SUBMISSION_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH scores AS (UPDATE {item_table} SET fraction = scored.fraction, points = scored.points"  # noqa: S608
            f" FROM jsonb_to_recordset(CAST(%s AS jsonb)) AS scored (id bigint, fraction double precision,"
            f" points numeric) WHERE {item_table}.id = scored.id),"
            f" result AS (UPDATE {attempt_table} SET {settings} WHERE id = %s)"
            f" INSERT INTO {audit_table} (at, actor_id, action, object_type, object_id, object_repr, changes)"
            f" VALUES (%s, %s, %s, %s, %s, %s, CAST(%s AS jsonb)) RETURNING id",
            [json.dumps([{"id": row.pk, "fraction": row.fraction, "points": None if row.points is None
                          else str(row.points)} for row in scored]),
             *(getattr(attempt, name) for name in _SUBMISSION_FIELDS), attempt.pk,
             entry.at, entry.actor_id, entry.action, entry.object_type, entry.object_id, entry.object_repr,
             json.dumps(entry.changes)])
        entry.pk = cursor.fetchone()[0]


@transaction.atomic
def essay_grade(*, by, attempt_item: AttemptItem, points: Decimal, comment: str = "") -> AttemptItem:
    """A trainer's mark for an essay of a submitted attempt; the attempt's result is recomputed."""
    row = AttemptItem.objects.select_for_update().select_related("attempt__exam", "version").get(pk=attempt_item.pk)
    if row.attempt.status != AttemptStatus.SUBMITTED:
        raise Conflict("not_submitted", _("Essays are graded after the attempt is submitted."))
    if row.version.document["type"] != "essay":
        raise Conflict("not_an_essay", _("Only essays are graded by hand."))
    points = Decimal(str(points))
    if not 0 <= points <= row.max_points:
        raise DomainError("out_of_range", _("The mark must be between 0 and %(max)s.") % {"max": row.max_points},
                          field="points")
    row.points, row.fraction = points, float(points / row.max_points) if row.max_points else 0.0
    row.graded_by, row.graded_at, row.grader_comment = by, timezone.now(), comment.strip()
    row.save(update_fields=["points", "fraction", "graded_by", "graded_at", "grader_comment"])
    attempt = Attempt.objects.select_for_update().select_related("exam").get(pk=row.attempt_id)
    _total(attempt)
    attempt.save()
    audit(actor=by, action="assessment.essay.graded", obj=attempt, changes={"item": row.item_id, "points": points})
    transaction.on_commit(lambda: attempt_scored.send(sender=Attempt, attempt=attempt))
    return row


def submit_overdue(now: datetime.datetime | None = None) -> int:
    """Submit every open attempt whose deadline has passed (the worker runs this every minute)."""
    count = 0
    for attempt in Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__lte=now or timezone.now()):
        attempt_submit(attempt=attempt, by=None, at_deadline=True)
        count += 1
    return count


# --- What the examinee sees -----------------------------------------------------------------------------------


def feedback_visible(attempt: Attempt, now: datetime.datetime | None = None) -> bool:
    """Correct answers and commentary: only for a submitted attempt, and as the test's feedback policy says."""
    if attempt.status != AttemptStatus.SUBMITTED:
        return False
    policy = attempt.exam.feedback_policy
    if policy == FeedbackPolicy.AFTER_SUBMIT:
        return True
    if policy == FeedbackPolicy.AFTER_CLOSE:
        exam = attempt.exam
        if exam.mode == Mode.ROOM:
            return exam.room_state == "closed"
        return exam.closes_at is not None and (now or timezone.now()) >= exam.closes_at
    return False


def _text(texts: dict, language: str) -> str:
    return texts.get(language) or texts.get("ru" if language == "kk" else "kk") or ""


def item_payload(row: AttemptItem, language: str, *, with_key: bool, document: dict | None = None) -> dict:
    """One item as the examinee's page and API show it. Without ``with_key``: texts, options in the attempt's
    order, the saved answer, and for a scenario only the steps reached so far — no fraction, accepted answer,
    feedback or commentary. ``document``: the row's version's, when the caller has it already."""
    document = document if document is not None else row.version.document
    kind = document["type"]
    payload = {"id": row.item_id, "position": row.position, "type": kind, "text": _text(document["text"], language),
               "points": float(row.max_points), "answer": row.response}
    if kind in ("single_choice", "multiple_choice", "true_false"):
        options = {option["id"]: option for option in document["options"]}
        payload["options"] = [{"id": option_id, "text": _text(options[option_id]["text"], language)}
                              for option_id in row.order if option_id in options]
    elif kind == "matching":
        pairs = {pair["id"]: pair for pair in document["pairs"]}
        payload["premises"] = [{"id": pair["id"], "text": _text(pair["premise"], language)}
                               for pair in document["pairs"] if pair["premise"]]
        payload["responses"] = [{"id": pair_id, "text": _text(pairs[pair_id]["response"], language)}
                                for pair_id in row.order if pair_id in pairs]
    elif kind == "scenario":
        visible = len(document["steps"]) if with_key else scoring.scenario_visible_steps(document, row.response)
        steps = []
        for step, order in zip(document["steps"][:visible], row.order, strict=False):
            options = {option["id"]: option for option in step["options"]}
            steps.append({"id": step["id"], "text": _text(step["text"], language),
                          "options": [{"id": option_id, "text": _text(options[option_id]["text"], language)}
                                      for option_id in order if option_id in options]})
        payload["steps"] = steps
        payload["steps_total"] = len(document["steps"])
    elif kind == "essay":
        payload["essay"] = {"response_format": document["essay"]["response_format"],
                            "min_words": document["essay"]["min_words"]}
    if with_key:
        payload["key"] = answer_key(document, language)
        payload["score"] = None if row.points is None else float(row.points)
        payload["fraction"] = row.fraction
        payload["grader_comment"] = row.grader_comment
    return payload


def answer_key(document: dict, language: str) -> dict:
    """The right answers with commentary and legal references (after submission only)."""
    key: dict = {"general_feedback": _text(document.get("general_feedback", {}), language),
                 "references": document.get("references", [])}
    kind = document["type"]
    if kind in ("single_choice", "multiple_choice", "true_false"):
        key["options"] = [{"id": option["id"], "fraction": option["fraction"],
                           "feedback": _text(option["feedback"], language)} for option in document["options"]]
    elif kind == "short_answer":
        key["answers"] = [{"text": answer["text"], "fraction": answer["fraction"]} for answer in document["answers"]]
    elif kind == "numerical":
        key["numbers"] = [{"value": number["value"], "tolerance": number["tolerance"], "fraction": number["fraction"]}
                          for number in document["numbers"]]
    elif kind == "matching":
        key["pairs"] = {pair["id"]: pair["id"] for pair in document["pairs"] if pair["premise"]}
    elif kind == "scenario":
        key["steps"] = [{"id": step["id"], "options": [
            {"id": option["id"], "fraction": option["fraction"], "feedback": _text(option["feedback"], language)}
            for option in step["options"]]} for step in document["steps"]]
    return key

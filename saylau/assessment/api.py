"""The item bank, tests and attempts under /api/v1/ (scoped by role: an examinee only reaches their own attempts,
and an attempt's items carry no answer key before it is submitted)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any, Literal

import pydantic
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from saylau.commissions.scoping import access_commission_by_id, people_visible_to
from saylau.core.errors import DomainError, NotFound, PermissionDenied
from saylau.training.scoping import access_event_by_id

from . import attempts as attempt_services
from . import bank, exams, results
from .models import Attempt, AttemptItem, Exam, Item, LegalAct, Topic
from .scoping import (
    access_attempt_by_id,
    access_exam_by_id,
    access_item_by_id,
    access_own_attempt,
    can_review_items,
    items_visible_to,
    own_attempts,
)

router = Router(tags=["assessment"])


# --- Item bank ------------------------------------------------------------------------------------------------


class ItemFilters(Schema):
    status: str | None = None
    topic: str | None = None
    type: str | None = None
    language: Literal["kk", "ru"] | None = None
    page: int = 1
    page_size: int = 50


def _item_out(item: Item, *, document: bool = False) -> dict:
    out = {"id": item.pk, "type": item.type, "status": item.status, "name": item.name,
           "topic": item.topic.code if item.topic_id else None, "difficulty": item.difficulty,
           "points": float(item.points), "languages": [lang for lang, has in (("kk", item.has_kk), ("ru", item.has_ru))
                                                        if has],
           "version": item.current.number if item.current_id else None, "review_reason": item.review_reason}
    if document:
        out["document"] = item.current.document
    return out


@router.get("/topics")
def list_topics(request):
    return [{"code": t.code, "name_kk": t.name_kk, "name_ru": t.name_ru, "name_en": t.name_en,
             "parent": t.parent.code if t.parent_id else None} for t in Topic.objects.select_related("parent")]


@router.get("/items")
def list_items(request, filters: Query[ItemFilters]):
    qs = items_visible_to(request.auth).select_related("topic", "current")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.topic:
        qs = qs.filter(topic__code=filters.topic)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.language:
        qs = qs.filter(**{f"has_{filters.language}": True})
    page_size = max(1, min(filters.page_size, 500))
    offset = (max(filters.page, 1) - 1) * page_size
    return {"items": [_item_out(item) for item in qs[offset:offset + page_size]], "count": qs.count()}


class ItemIn(Schema):
    document: dict[str, Any]
    status: Literal["draft", "review", "approved"] = "draft"


@router.post("/items", response={201: dict})
def create_item(request, payload: ItemIn):
    item = bank.item_create(by=request.auth, document=payload.document, status=payload.status)
    return Status(201, _item_out(item, document=True))


@router.get("/items/{int:item_id}")
def get_item(request, item_id: int):
    return _item_out(access_item_by_id(request.auth, item_id), document=True)


class ItemUpdateIn(Schema):
    document: dict[str, Any]


@router.put("/items/{int:item_id}")
def update_item(request, item_id: int, payload: ItemUpdateIn):
    item = bank.item_update(by=request.auth, item=access_item_by_id(request.auth, item_id), document=payload.document)
    return _item_out(Item.objects.select_related("current", "topic").get(pk=item.pk), document=True)


class StatusIn(Schema):
    status: Literal["draft", "review", "approved", "retired"]
    reason: str = ""


@router.post("/items/{int:item_id}/status")
def set_item_status(request, item_id: int, payload: StatusIn):
    item = bank.item_set_status(by=request.auth, item=access_item_by_id(request.auth, item_id),
                                status=payload.status, reason=payload.reason)
    return _item_out(Item.objects.select_related("current", "topic").get(pk=item.pk))


@router.post("/items/import")
def import_items(request, file: File[UploadedFile], language: Form[Literal["kk", "ru"]] = "ru",
                 topic: Form[str] = "", status: Form[Literal["draft", "approved"]] = "draft"):
    """Moodle XML or GIFT (detected from the content); all or nothing."""
    topic_obj = None
    if topic:
        topic_obj = Topic.objects.filter(code=topic).first()
        if topic_obj is None:
            raise DomainError("unknown_topic", _("Unknown topic code."), field="topic")
    result = bank.items_import(by=request.auth, data=file.read(), language=language, topic=topic_obj, status=status)
    return {"format": result.format, "imported": result.imported, "item_ids": result.item_ids,
            "unsupported": result.unsupported}


@router.get("/items/export", url_name="items_export")
def export_items(request, format: Literal["moodle-xml", "gift"] = "moodle-xml", status: str = "approved",
                 topic: str | None = None, language: Literal["kk", "ru"] | None = None):
    qs = items_visible_to(request.auth).select_related("current", "topic").filter(status=status)
    if topic:
        qs = qs.filter(topic__code=topic)
    data = bank.items_export(list(qs), format=format, language=language)
    extension, content_type = ("xml", "application/xml") if format == "moodle-xml" else ("gift", "text/plain")
    response = HttpResponse(data, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="items.{extension}"'
    return response


class AmendmentIn(Schema):
    act: str
    article: str
    paragraph: str = ""
    amended_on: datetime.date
    note: str = ""


@router.post("/amendments", response={201: dict})
def record_amendment(request, payload: AmendmentIn):
    if not can_review_items(request.auth):
        raise PermissionDenied("forbidden", _("Only administrators record amendments."))
    act = LegalAct.objects.filter(code=payload.act).first()
    if act is None:
        raise DomainError("unknown_act", _("Unknown legal act."), field="act")
    amendment = bank.amendment_record(by=request.auth, act=act, article=payload.article, paragraph=payload.paragraph,
                                      amended_on=payload.amended_on, note=payload.note)
    return Status(201, {"id": amendment.pk, "items_flagged": amendment.items_flagged})


# --- Tests ----------------------------------------------------------------------------------------------------


class BlueprintRow(Schema):
    topic: str
    count: int
    difficulty_min: int = 1
    difficulty_max: int = 5


class EligibleIn(Schema):
    persons: list[int] | None = None
    event: int | None = None
    filter: dict[str, Any] | None = None


class TestIn(Schema):
    title_kk: str
    title_ru: str
    commission: int
    purpose: Literal["pre", "post", "distance", "practice"] = "distance"
    mode: Literal["room", "distance"] = "distance"
    event: int | None = None
    items: list[int] | None = None
    blueprint: list[BlueprintRow] | None = None
    time_limit_minutes: int | None = None
    pass_mark_percent: Decimal = Decimal(60)
    shuffle_items: bool = True
    shuffle_options: bool = True
    attempts_allowed: int = 1
    feedback_policy: Literal["after_submit", "after_close", "never"] = "after_submit"
    one_item_per_page: bool = False
    eligible: EligibleIn | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    pre_test: int | None = None


def _exam_out(exam: Exam) -> dict:
    return {"id": exam.pk, "title_kk": exam.title_kk, "title_ru": exam.title_ru, "purpose": exam.purpose,
            "mode": exam.mode, "event": exam.event_id, "join_code": exam.join_code, "room_state": exam.room_state,
            "time_limit_minutes": exam.time_limit_minutes, "pass_mark_percent": float(exam.pass_mark_percent),
            "attempts_allowed": exam.attempts_allowed, "feedback_policy": exam.feedback_policy,
            "opens_at": exam.opens_at, "closes_at": exam.closes_at, "blueprint": exam.blueprint,
            "items": list(exam.fixed_items.values_list("item_id", flat=True)), "eligibility": exam.eligibility,
            "pre_test": exam.pre_test_id}


@router.post("/tests", response={201: dict})
def create_test(request, payload: TestIn):
    data = payload.dict()
    user = request.auth
    commission = access_commission_by_id(user, data.pop("commission"))
    event_id = data.pop("event")
    eligible = data.pop("eligible") or {}
    if eligible.get("event"):
        event_id = event_id or eligible["event"]
    event = access_event_by_id(user, event_id) if event_id else None
    item_ids = data.pop("items")
    items = None
    if item_ids is not None:
        found = items_visible_to(user).in_bulk(item_ids)
        missing = [pk for pk in item_ids if pk not in found]
        if missing:
            raise NotFound("unknown_items", _("Unknown items: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
        items = [found[pk] for pk in item_ids]
    people = []
    if eligible.get("persons"):
        visible = people_visible_to(user).in_bulk(eligible["persons"])
        if len(visible) != len(set(eligible["persons"])):
            raise NotFound("unknown_people", _("Some of the people are unknown."))
        people = list(visible.values())
    eligibility = ("event" if eligible.get("event") or (event and not eligible) else
                   "persons" if eligible.get("persons") else "filter" if eligible.get("filter") else "persons")
    pre_test_id = data.pop("pre_test")
    pre_test = access_exam_by_id(user, pre_test_id, manage=True) if pre_test_id else None
    exam = exams.exam_create(by=user, commission=commission, event=event, items=items,
                             blueprint=data.pop("blueprint"), eligible_people=people,
                             eligible_filter=eligible.get("filter") or {}, eligibility=eligibility,
                             pre_test=pre_test, **data)
    return Status(201, {"id": exam.pk, "join_code": exam.join_code})


@router.get("/tests/{int:test_id}")
def get_test(request, test_id: int):
    return _exam_out(access_exam_by_id(request.auth, test_id))


class RoomIn(Schema):
    state: Literal["open", "closed"]


@router.post("/tests/{int:test_id}/room")
def set_room_state(request, test_id: int, payload: RoomIn):
    exam = exams.room_set_state(by=request.auth, exam=access_exam_by_id(request.auth, test_id, manage=True),
                                state=payload.state)
    return _exam_out(exam)


@router.get("/tests/{int:test_id}/results")
def test_results(request, test_id: int):
    exam = access_exam_by_id(request.auth, test_id)
    if request.auth.role == "participant":
        raise NotFound("not_found", _("Test not found."))
    summary = results.exam_results(exam)
    out = {"count": summary.count, "passed": summary.passed, "mean_percent": summary.mean_percent,
           "median_percent": summary.median_percent, "distribution": summary.distribution,
           "top": [{"rank": r.rank, "person_id": r.attempt.person_id, "name": str(r.attempt.person),
                    "percent": float(r.attempt.percent)} for r in summary.top],
           "weakest_topics": [{"topic": t.code, "percent": t.percent} for t in summary.weakest_topics],
           "attempts": [{"attempt_id": a.pk, "person_id": a.person_id, "percent": float(a.percent or 0),
                         "passed": a.passed} for a in summary.attempts]}
    gain = results.pre_post(exam)
    if gain:
        out["pre_post"] = {"pre_mean": gain.pre_mean, "post_mean": gain.post_mean, "average_gain": gain.average_gain,
                           "matched": gain.matched,
                           "rows": [{"person_id": row.person.pk, "pre": row.pre, "post": row.post, "gain": row.gain}
                                    for row in gain.rows]}
    return out


# --- Attempts -------------------------------------------------------------------------------------------------


class StartIn(Schema):
    language: Literal["kk", "ru"] | None = None


def _examinee(user):
    if not getattr(user, "person_id", None):
        raise PermissionDenied("no_person", _("Your account is not linked to a person in the registry."))
    return user.person


def _attempt_out(attempt: Attempt, rows: list[AttemptItem] | None = None) -> dict:
    """The attempt as its examinee sees it; ``rows``: its items when the caller has them (in position order)."""
    with_key = attempt_services.feedback_visible(attempt)
    if rows is None:
        rows = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
    documents = attempt_services.version_documents([row.version_id for row in rows])  # versions never change
    out = {"attempt_id": attempt.pk, "test_id": attempt.exam_id, "status": attempt.status,
           "language": attempt.language, "deadline": attempt.deadline, "started_at": attempt.started_at,
           "submitted_at": attempt.submitted_at,
           "items": [attempt_services.item_payload(row, attempt.language, with_key=with_key,
                                                   document=documents[row.version_id]) for row in rows]}
    out["answered"] = sum(1 for item in out["items"] if item["answer"] is not None)
    if attempt.status == "submitted":
        out["result"] = _result_out(attempt)
    return out


def _result_out(attempt: Attempt, rows: list | None = None) -> dict:
    result = results.attempt_result(attempt, rows)
    return {"score": result.score, "max_score": result.max_score, "percent": result.percent, "passed": result.passed,
            "awaiting_grading": result.awaiting_grading,
            "topics": [{"topic": t.code, "name": t.name, "score": t.score, "max_score": t.max_score}
                       for t in result.topics],
            "weakest_topics": [t.code for t in result.weakest], "references": result.references}


@router.post("/tests/{int:test_id}/attempts", response={201: dict})
def start_attempt(request, test_id: int):
    """Start or resume; the body ``{"language": "kk"|"ru"}`` is optional (default: the account's language)."""
    try:
        is_json = request.content_type == "application/json" and request.body.strip()
        body = json.loads(request.body) if is_json else {}
        payload = StartIn(**body) if isinstance(body, dict) else None
    except (ValueError, pydantic.ValidationError):
        raise DomainError("invalid", _("The request is not valid.")) from None
    person = _examinee(request.auth)
    exam = Exam.objects.filter(pk=test_id).first()
    if exam is None:
        raise NotFound("not_found", _("Test not found."))
    attempt, rows = attempt_services.attempt_start_with_items(by=request.auth, exam=exam, person=person,
                                                              language=payload.language if payload else None)
    return Status(201, _attempt_out(attempt, rows))


class JoinIn(Schema):
    code: str


@router.post("/tests/join")
def join_test(request, payload: JoinIn):
    """The test behind a six-character join code (what a participant types from the projector)."""
    exam = Exam.objects.filter(join_code=payload.code.strip().upper()).first()
    if exam is None:
        raise NotFound("unknown_code", _("No test has this code."))
    return {"id": exam.pk, "title_kk": exam.title_kk, "title_ru": exam.title_ru, "mode": exam.mode,
            "room_state": exam.room_state, "time_limit_minutes": exam.time_limit_minutes}


@router.get("/attempts/{int:attempt_id}")
def get_attempt(request, attempt_id: int):
    user = request.auth
    if user.role == "participant":
        attempt = access_own_attempt(user, attempt_id)
    else:
        attempt = access_attempt_by_id(user, attempt_id)
    return _attempt_out(attempt_services.settle(attempt))


class AnswerIn(Schema):
    choices: list[str] | None = None
    text: str | None = None
    number: float | str | None = None
    pairs: dict[str, str] | None = None


@router.put("/attempts/{int:attempt_id}/answers/{int:item_id}", response={204: None})
def save_answer(request, attempt_id: int, item_id: int, payload: AnswerIn):
    response = {key: value for key, value in payload.dict().items() if value is not None}
    attempt_services.answer_save(person_id=request.auth.person_id, attempt_id=attempt_id, item_id=item_id,
                                 response=response)
    return Status(204, None)


@router.post("/attempts/{int:attempt_id}/submit")
def submit_attempt(request, attempt_id: int):
    attempt, scored = attempt_services.attempt_submit_scored(
        attempts=own_attempts(request.auth).filter(pk=attempt_id), by=request.auth)
    return _result_out(attempt, scored)


class GradeIn(Schema):
    points: Decimal
    comment: str = ""


@router.post("/attempts/{int:attempt_id}/items/{int:item_id}/grade")
def grade_essay(request, attempt_id: int, item_id: int, payload: GradeIn):
    attempt = access_attempt_by_id(request.auth, attempt_id)
    access_exam_by_id(request.auth, attempt.exam_id, manage=True)
    row = AttemptItem.objects.filter(attempt=attempt, item_id=item_id).first()
    if row is None:
        raise NotFound("not_found", _("Item not found."))
    attempt_services.essay_grade(by=request.auth, attempt_item=row, points=payload.points, comment=payload.comment)
    return _result_out(Attempt.objects.select_related("exam").get(pk=attempt.pk))


"""Pages: taking a test on a phone. Joining by code or QR, answering (works without JavaScript; with it, every
answer is saved as it is given), submitting, and the result with the topic breakdown."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from saylau.core.errors import DomainError, NotFound

from .. import attempts as attempt_services
from .. import results
from ..models import Attempt, AttemptItem, AttemptStatus, Exam, LegalAct, Mode, RoomState
from ..scoping import access_own_attempt


def _own_attempt(request, attempt_id: int) -> Attempt:
    try:
        return attempt_services.settle(access_own_attempt(request.user, attempt_id))
    except NotFound as error:
        raise Http404(error.message) from None


@login_required
def join(request):
    """The code typed from the projector."""
    code = (request.GET.get("code") or "").strip().upper()
    if code:
        if Exam.objects.filter(join_code=code).exists():
            return redirect("assessment:join_code", code=code)
        messages.error(request, _("No test has the code %(code)s. Check the six characters on the screen.") % {
            "code": code})
    return render(request, "assessment/take/join.html", {"code": code, "my_attempts": _my_attempts(request.user)})


def _my_attempts(user):
    if not user.person_id:
        return []
    return list(Attempt.objects.filter(person_id=user.person_id).select_related("exam").order_by("-started_at")[:20])


@login_required
@require_http_methods(["GET", "POST"])
def join_code(request, code: str):
    exam = Exam.objects.filter(join_code=code.strip().upper()).select_related("event").first()
    if exam is None:
        raise Http404(_("No test has this code."))
    person = request.user.person
    if request.method == "POST":
        if person is None:
            messages.error(request, _("Your account is not linked to a person in the registry."))
        else:
            try:
                attempt = attempt_services.attempt_start(by=request.user, exam=exam, person=person,
                                                         language=request.POST.get("language"))
            except DomainError as error:
                messages.error(request, error.message)
            else:
                return redirect("assessment:attempt", attempt_id=attempt.pk)
    open_attempt = (Attempt.objects.filter(exam=exam, person=person, status=AttemptStatus.OPEN).first()
                    if person else None)
    waiting = exam.mode == Mode.ROOM and exam.room_state == RoomState.WAITING
    return render(request, "assessment/take/start.html", {
        "exam": exam, "open_attempt": open_attempt, "waiting": waiting,
        "closed": exam.mode == Mode.ROOM and exam.room_state == RoomState.CLOSED,
        "item_count": sum(row["count"] for row in exam.blueprint) if exam.blueprint else exam.fixed_items.count(),
        "language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("kk", "ru") else "kk",
    })


def response_from_post(row: AttemptItem, data) -> dict | None:
    """The answer to one item from the page's form fields, or None when the form holds none for it."""
    document = row.version.document
    kind, prefix = document["type"], f"item-{row.item_id}"
    if kind in ("single_choice", "true_false"):
        value = data.get(prefix)
        return {"choices": [value]} if value else None
    if kind == "multiple_choice":
        if f"{prefix}-present" not in data:
            return None
        return {"choices": data.getlist(prefix)}
    if kind in ("short_answer", "essay"):
        value = data.get(f"{prefix}-text")
        return {"text": value} if value is not None and (value.strip() or row.response) else None
    if kind == "numerical":
        value = (data.get(f"{prefix}-number") or "").strip()
        return {"number": value} if value else None
    if kind == "matching":
        pairs = {pair["id"]: data.get(f"{prefix}-pair-{pair['id']}") for pair in document["pairs"] if pair["premise"]}
        pairs = {premise: response for premise, response in pairs.items() if response}
        return {"pairs": pairs} if pairs else None
    if kind == "scenario":
        choices = []
        for step in document["steps"]:
            value = data.get(f"{prefix}-step-{step['id']}")
            if not value:
                break
            choices.append(value)
        return {"choices": choices} if choices else None
    return None


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect("assessment:attempt_result", attempt_id=attempt.pk)
    rows = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    one_per_page = attempt.exam.one_item_per_page
    try:
        current = min(max(int(request.GET.get("item") or request.POST.get("item") or 1), 1), len(rows))
    except ValueError:
        current = 1
    shown = [rows[current - 1]] if one_per_page else rows
    errors = {}
    if request.method == "POST":
        for row in shown:
            response = response_from_post(row, request.POST)
            if response is None:
                continue
            try:
                attempt_services.answer_save(person_id=attempt.person_id, attempt_id=attempt.pk, item_id=row.item_id,
                                             response=response)
            except DomainError as error:
                if error.code == "attempt_closed":
                    return redirect("assessment:attempt_result", attempt_id=attempt.pk)
                errors[row.item_id] = error.message
        if not errors:
            action = request.POST.get("action", "save")
            if action == "finish":
                return redirect("assessment:attempt_submit", attempt_id=attempt.pk)
            target = current + (1 if action == "next" else -1 if action == "previous" else 0)
            url = reverse("assessment:attempt", args=[attempt.pk])
            if one_per_page:
                url += f"?item={min(max(target, 1), len(rows))}"
            anchor = "" if one_per_page or action != "save" else f"#item-{request.POST.get('focus', '')}"
            return redirect(url + (anchor if anchor != "#item-" else ""))
        for row in shown:
            row.refresh_from_db(fields=["response"])
    items = [attempt_services.item_payload(row, attempt.language, with_key=False) | {"error": errors.get(row.item_id)}
             for row in shown]
    answered = sum(1 for row in rows if row.response is not None)
    return render(request, "assessment/take/attempt.html", {
        "attempt": attempt, "exam": attempt.exam, "items": items, "answered": answered, "total": len(rows),
        "one_per_page": one_per_page, "current": current, "navigation": [
            {"position": row.position, "answered": row.response is not None} for row in rows],
    }, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.status == AttemptStatus.OPEN and request.method == "POST":
        attempt_services.attempt_submit(attempt=attempt, by=request.user)
        return redirect("assessment:attempt_result", attempt_id=attempt.pk)
    if attempt.status == AttemptStatus.SUBMITTED:
        return redirect("assessment:attempt_result", attempt_id=attempt.pk)
    rows = AttemptItem.objects.filter(attempt=attempt)
    unanswered = [row.position for row in rows.filter(response__isnull=True).order_by("position")]
    return render(request, "assessment/take/submit.html", {
        "attempt": attempt, "exam": attempt.exam, "total": rows.count(), "unanswered": unanswered})


@login_required
def attempt_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.status != AttemptStatus.SUBMITTED:
        return redirect("assessment:attempt", attempt_id=attempt.pk)
    result = results.attempt_result(attempt)
    with_key = attempt_services.feedback_visible(attempt)
    review = []
    if with_key:
        rows = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        review = [attempt_services.item_payload(row, attempt.language, with_key=True) for row in rows]
    acts = {act.code: act.title for act in LegalAct.objects.all()}
    references = [reference | {"act_title": acts.get(reference["act"], reference["act"])}
                  for reference in result.references]
    return render(request, "assessment/take/result.html", {
        "attempt": attempt, "exam": attempt.exam, "result": result, "review": review, "with_key": with_key,
        "references": references,
        # Set by the page that started the attempt (a distance course's lesson): the way back to it.
        "return_url": request.session.get("attempt_return", {}).get(str(attempt.pk))})


urlpatterns = [
    path("join/", join, name="join"),
    path("join/<str:code>/", join_code, name="join_code"),
    path("attempts/<int:attempt_id>/", attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/submit/", attempt_submit, name="attempt_submit"),
    path("attempts/<int:attempt_id>/result/", attempt_result, name="attempt_result"),
]

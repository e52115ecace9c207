"""Pages: tests, for the people who run them (administrators, coordinators, trainers; auditors read).

The list, creating a test (a fixed list of items or a blueprint) and an event's entry/final pair, a test's page
with the seminar room's controls, the projector (join code and QR), the live view of the room, the results
(distribution, top performers, weakest topics, entry vs final with the normalised gain, XLSX), the essays
awaiting a mark and one attempt's review. Every page works without JavaScript; ``assessment/live.js`` refreshes
the live view and the projector every few seconds.
"""

from __future__ import annotations

import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saylau.accounts.models import Role
from saylau.commissions.models import Basis, Commission, Level, Person, Position, Region
from saylau.commissions.scoping import can_see_iin, commissions_visible_to, people_visible_to
from saylau.core.errors import DomainError, NotFound
from saylau.core.i18n import current_language
from saylau.training.models import EnrolmentStatus, Event, EventStatus
from saylau.training.scoping import access_event_by_id, events_manageable_by

from .. import attempts as attempt_services
from .. import exams, results
from ..exams import drawable_items, filter_memberships
from ..forms_exams import ExamFilterForm, ExamForm, GradeForm, PairForm, blueprint_formset
from ..models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Eligibility,
    Exam,
    ExamItem,
    FeedbackPolicy,
    Item,
    Mode,
    Purpose,
    RoomState,
    Topic,
)
from ..scoping import access_exam_by_id, can_create_exams, exams_manageable_by, exams_visible_to, items_visible_to

STAFF = {Role.ADMIN, Role.AUDITOR, Role.COORDINATOR, Role.TRAINER}
# Where a service's error lands on the create form (the services name the API's fields).
FIELD_MAP = {"items": "item_ids", "eligible": "iins", "eligible.filter": "filter_region"}
ITEMS_SHOWN_PER_TOPIC = 300


# --- Who may do what ------------------------------------------------------------------------------------------


def _staff(user) -> bool:
    return user.is_authenticated and user.role in STAFF


def _exam(request, exam_id: int, *, manage: bool = False) -> Exam:
    """The test, if the user sees it (else 404); ``manage``: and may run it (else 403)."""
    if not _staff(request.user):
        raise Http404(_("Test not found."))
    try:
        exam = access_exam_by_id(request.user, exam_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if manage and not can_manage(request.user, exam):
        raise PermissionDenied
    return exam


def can_manage(user, exam: Exam) -> bool:
    return exams_manageable_by(user).filter(pk=exam.pk).exists()


def events_for_tests(user) -> QuerySet[Event]:
    """Events the user may attach tests to: the ones they manage, and for a trainer the ones they train at."""
    if not can_create_exams(user):
        return Event.objects.none()
    if user.role == Role.TRAINER:
        qs = Event.objects.filter(trainers__person_id=user.person_id) if user.person_id else Event.objects.none()
    else:
        qs = events_manageable_by(user)
    return qs.exclude(status=EventStatus.CANCELLED).distinct()


def can_test_event(user, event: Event) -> bool:
    return events_for_tests(user).filter(pk=event.pk).exists()


def _organisers(user, events: QuerySet[Event] | None = None) -> QuerySet[Commission]:
    """Commissions a test may be organised by: those the user sees above the precincts, and the organisers of
    the events they test."""
    condition = Q(pk__in=commissions_visible_to(user).exclude(level=Level.PRECINCT).values("pk"))
    if events is not None:
        condition |= Q(pk__in=events.values("organiser_id"))
    return Commission.objects.filter(condition).order_by("code")


def exam_state(exam: Exam, now: datetime.datetime | None = None) -> tuple[str, str]:
    """(code, label): a room test's state, or where a distance test's window stands."""
    if exam.mode == Mode.ROOM:
        return exam.room_state, str(RoomState(exam.room_state).label)
    now = now or timezone.now()
    if exam.opens_at and now < exam.opens_at:
        return "scheduled", _("not open yet")
    if exam.closes_at and now >= exam.closes_at:
        return "closed", _("closed")
    return "open", _("open")


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _join_url(request, exam: Exam) -> str:
    return request.build_absolute_uri(reverse("assessment:join_code", args=[exam.join_code]))


# --- The list -------------------------------------------------------------------------------------------------


@login_required
def exam_list(request):
    user = request.user
    if not _staff(user):
        raise PermissionDenied
    visible = exams_visible_to(user)
    events = Event.objects.filter(pk__in=visible.exclude(event=None).values("event_id")).order_by("-starts_on")
    form = ExamFilterForm(request.GET or None, events=events)
    qs = visible
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["purpose"]:
            qs = qs.filter(purpose=data["purpose"])
        if data["mode"]:
            qs = qs.filter(mode=data["mode"])
        if data["event"]:
            qs = qs.filter(event=data["event"])
    qs = (qs.select_related("event", "commission")
          .annotate(submitted=Count("attempts", filter=Q(attempts__status=AttemptStatus.SUBMITTED), distinct=True))
          .order_by("-created_at", "-pk"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(request, "assessment/tests/list.html", {
        "form": form, "page": page, "rows": [(exam, exam_state(exam, now)) for exam in page],
        "can_create": can_create_exams(user),
    })


# --- Creating a test ------------------------------------------------------------------------------------------


def _form_values(form) -> dict:
    """What a bound form holds, as initial values for showing it again (no validation, no errors)."""
    return {name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            for name, field in form.fields.items()}


def _formset_rows(formset) -> list[dict]:
    rows = []
    for row_form in formset.forms:
        values = _form_values(row_form)
        if values.get("topic") or values.get("count"):
            rows.append(values)
    return rows


def _exam_form(request, data=None, initial=None):
    user = request.user
    events = events_for_tests(user).filter(ends_on__gte=timezone.localdate() - datetime.timedelta(days=365))
    events = events.select_related("organiser").order_by("-starts_on")
    region_fixed = user.role != Role.ADMIN and user.region_id is not None
    regions = Region.objects.filter(pk=user.region_id) if region_fixed else Region.objects.order_by("iso_code")
    return ExamForm(data, initial=initial, commissions=_organisers(user, events), events=events,
                    pre_tests=exams_manageable_by(user).filter(purpose=Purpose.PRE, post_test__isnull=True),
                    items=drawable_items(), regions=regions, region_fixed=region_fixed)


def _initial_for_new(request) -> dict:
    initial = {"composition": "fixed", "eligibility": Eligibility.PERSONS}
    event_id = request.GET.get("event")
    if event_id and event_id.isdigit():
        event = events_for_tests(request.user).filter(pk=int(event_id)).first()
        if event is not None:
            initial.update(event=event.pk, eligibility=Eligibility.EVENT, commission=event.organiser_id,
                           mode=Mode.ROOM, purpose=Purpose.PRACTICE,
                           title_kk=event.title_kk[:255], title_ru=event.title_ru[:255])
    if request.GET.get("topic"):
        initial["item_topic"] = request.GET["topic"]
    return initial


def _people_by_iin(user, iins: list[str]) -> list[Person]:
    found = {person.iin: person for person in people_visible_to(user).filter(iin__in=iins)}
    missing = [iin for iin in iins if iin not in found]
    if missing:
        raise DomainError("unknown_people", _("Not found among the people you see in the registry: %(iins)s.")
                          % {"iins": ", ".join(missing)}, field="eligible")
    return [found[iin] for iin in iins]


def _blueprint(formset) -> tuple[list[dict], list]:
    """The blueprint's rows and the row forms they came from (to put the service's errors on)."""
    rows, forms = [], []
    for row_form in formset.forms:
        row = row_form.row()
        if row is not None:
            rows.append(row)
            forms.append(row_form)
    return rows, forms


def _show_error(error: DomainError, form, row_forms: list, blueprint_errors: list, *, blueprint: bool) -> None:
    """Put a service's error on the field it names, a blueprint row's on that row, others above the form."""
    field = str(error.params.get("field") or "")
    if field.startswith("blueprint") or (blueprint and field == "items"):
        parts = field.split(".")
        if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(row_forms):
            row_form = row_forms[int(parts[1])]
            row_form.add_error(parts[2] if len(parts) > 2 and parts[2] in row_form.fields else None, error.message)
        else:
            blueprint_errors.append(error.message)
        return
    name = FIELD_MAP.get(field, field)
    form.add_error(name if name in form.fields else None, error.message)


def _items_to_show(form) -> tuple[str, list[Item], set[int]]:
    """The approved items of the topic chosen on the form, and which of them are ticked."""
    values = _form_values(form) if form.is_bound else {}
    topic = (values.get("item_topic") if form.is_bound else form.initial.get("item_topic")) or ""
    ticked = values.get("items") if form.is_bound else form.initial.get("items")
    ticked = {int(pk) for pk in ticked or [] if str(pk).isdigit()}
    if not topic:
        return "", [], ticked
    shown = list(drawable_items().filter(topic__code=topic).select_related("topic")
                 .order_by("difficulty", "pk")[:ITEMS_SHOWN_PER_TOPIC])
    return topic, shown, ticked


@login_required
@require_http_methods(["GET", "POST"])
def exam_new(request):
    user = request.user
    if not can_create_exams(user):
        raise PermissionDenied
    action = request.POST.get("action", "create") if request.method == "POST" else ""
    blueprint_errors: list = []
    status = 200
    if action in ("show_items", "more_rows"):
        # Redisplay without creating: ticked items move into the numbers field, the blueprint keeps its rows.
        bound, bound_rows = _exam_form(request, request.POST), blueprint_formset(request.POST)
        initial = _form_values(bound)
        typed = [part.strip() for part in (initial.get("item_ids") or "").split(",") if part.strip()]
        ticked = [pk for pk in initial.pop("items", None) or [] if pk not in typed]
        initial["item_ids"] = ", ".join(typed + ticked)
        form = _exam_form(request, initial=initial)
        formset = blueprint_formset(initial=_formset_rows(bound_rows))
    elif action == "create":
        form, formset = _exam_form(request, request.POST), blueprint_formset(request.POST)
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        if form_ok and rows_ok:
            data = form.cleaned_data
            use_blueprint = data["composition"] == "blueprint"
            rows, row_forms = _blueprint(formset) if use_blueprint else ([], [])
            try:
                exam = _create(user, form, rows, use_blueprint)
            except DomainError as error:
                _show_error(error, form, row_forms, blueprint_errors, blueprint=use_blueprint)
            else:
                messages.success(request, _("The test is created. Its join code is %(code)s.") % {
                    "code": exam.join_code})
                return redirect("assessment:test_detail", exam_id=exam.pk)
        status = 400
    else:
        form = _exam_form(request, initial=_initial_for_new(request))
        formset = blueprint_formset()
    topic, shown_items, ticked = _items_to_show(form)
    return render(request, "assessment/tests/form.html", {
        "form": form, "formset": formset, "blueprint_errors": blueprint_errors, "item_topic": topic,
        "shown_items": shown_items, "ticked": ticked, "items_limit": ITEMS_SHOWN_PER_TOPIC,
    }, status=status)


def _create(user, form, rows: list[dict], use_blueprint: bool) -> Exam:
    data = form.cleaned_data
    items = None
    if not use_blueprint:
        ids = list(dict.fromkeys(data["item_ids"] + [item.pk for item in data["items"]]))
        found = items_visible_to(user).in_bulk(ids)
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise DomainError("unknown_items", _("No items have the numbers %(ids)s.") % {
                "ids": ", ".join(map(str, missing))}, field="items")
        items = [found[pk] for pk in ids]
    eligibility = data["eligibility"]
    people = _people_by_iin(user, data["iins"]) if eligibility == Eligibility.PERSONS else []
    return exams.exam_create(
        by=user, commission=data["commission"], items=items, blueprint=rows if use_blueprint else None,
        event=data["event"], eligible_people=people,
        eligible_filter=form.eligible_filter() if eligibility == Eligibility.FILTER else {},
        pre_test=data["pre_test"], title_kk=data["title_kk"].strip(), title_ru=data["title_ru"].strip(),
        purpose=data["purpose"], mode=data["mode"], eligibility=eligibility, **form.settings())


@login_required
@require_http_methods(["GET", "POST"])
def exam_pair_new(request, event_id: int):
    """An event's entry and final tests: parallel forms drawn from one blueprint, for the enrolled participants."""
    user = request.user
    try:
        event = access_event_by_id(user, event_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if not can_test_event(user, event):
        raise PermissionDenied
    commissions = _organisers(user, Event.objects.filter(pk=event.pk))
    action = request.POST.get("action", "create") if request.method == "POST" else ""
    blueprint_errors: list = []
    status = 200
    if action == "more_rows":
        bound = PairForm(request.POST, commissions=commissions)
        form = PairForm(initial=_form_values(bound), commissions=commissions)
        formset = blueprint_formset(initial=_formset_rows(blueprint_formset(request.POST)))
    elif action == "create":
        form, formset = PairForm(request.POST, commissions=commissions), blueprint_formset(request.POST)
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        if form_ok and rows_ok:
            rows, row_forms = _blueprint(formset)
            data = form.cleaned_data
            try:
                pre, post = exams.exam_pair_create(
                    by=user, event=event, commission=data["commission"], blueprint=rows,
                    title_kk=data["title_kk"].strip(), title_ru=data["title_ru"].strip(), mode=data["mode"],
                    **form.settings())
            except DomainError as error:
                _show_error(error, form, row_forms, blueprint_errors, blueprint=True)
            else:
                shared = len(set(pre.fixed_items.values_list("item_id", flat=True))
                             & set(post.fixed_items.values_list("item_id", flat=True)))
                messages.success(request, _("The entry and final tests are created."))
                if shared:
                    messages.warning(request, _(
                        "The bank is too small for fully parallel forms: %(count)s items are in both tests.") % {
                        "count": shared})
                return redirect("assessment:test_detail", exam_id=pre.pk)
        status = 400
    else:
        initial = {"title_kk": event.title_kk[:200], "title_ru": event.title_ru[:200], "mode": Mode.ROOM,
                   "commission": event.organiser_id, "feedback_policy": FeedbackPolicy.AFTER_CLOSE}
        form, formset = PairForm(initial=initial, commissions=commissions), blueprint_formset()
    return render(request, "assessment/tests/pair_form.html", {
        "event": event, "form": form, "formset": formset, "blueprint_errors": blueprint_errors,
        "existing": exams_visible_to(user).filter(event=event).order_by("created_at"),
    }, status=status)


# --- A test's page and the room -------------------------------------------------------------------------------


def _blueprint_view(exam: Exam) -> list[dict]:
    names = {topic.code: topic.name for topic in Topic.objects.all()}
    rows = []
    for row in exam.blueprint:
        pool = drawable_items().filter(topic__code=row["topic"])
        if (row["difficulty_min"], row["difficulty_max"]) != (1, 5):
            pool = pool.filter(difficulty__gte=row["difficulty_min"], difficulty__lte=row["difficulty_max"])
        rows.append(row | {"name": names.get(row["topic"], row["topic"]), "available": pool.count()})
    return rows


def _eligibility_view(exam: Exam) -> dict:
    if exam.eligibility == Eligibility.EVENT:
        count = (exam.event.enrolments.filter(status=EnrolmentStatus.ENROLLED).count() if exam.event_id else 0)
        return {"kind": "event", "count": count}
    if exam.eligibility == Eligibility.PERSONS:
        people = exam.eligible_people.order_by("surname", "first_name")
        return {"kind": "persons", "count": people.count(), "people": list(people[:100])}
    if exam.eligibility == Eligibility.COURSE:
        return {"kind": "course"}
    spec = exam.eligible_filter
    parts = []
    if spec.get("region"):
        region = Region.objects.filter(iso_code=str(spec["region"]).upper()).first()
        parts.append((_("region"), region.name if region else spec["region"]))
    if spec.get("under"):
        parts.append((_("commission and its subordinates"), spec["under"]))
    if spec.get("level"):
        parts.append((_("commission level"), ", ".join(str(Level(value).label) for value in spec["level"]
                                                        if value in Level.values)))
    if spec.get("position"):
        parts.append((_("position"), ", ".join(str(Position(value).label) for value in spec["position"]
                                               if value in Position.values)))
    if spec.get("basis"):
        parts.append((_("basis"), str(Basis(spec["basis"]).label) if spec["basis"] in Basis.values else spec["basis"]))
    count = filter_memberships(spec).values("person_id").distinct().count()
    return {"kind": "filter", "parts": parts, "count": count}


@login_required
def exam_detail(request, exam_id: int):
    exam = _exam(request, exam_id)
    user = request.user
    fixed = list(ExamItem.objects.filter(exam=exam).select_related("item", "item__topic").order_by("position"))
    counts = dict(Attempt.objects.filter(exam=exam).values("status").annotate(n=Count("pk")).values_list("status", "n"))
    post_test = Exam.objects.filter(pre_test=exam).first()
    essays_waiting = AttemptItem.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.SUBMITTED,
                                                points__isnull=True, version__document__type="essay").count()
    return render(request, "assessment/tests/detail.html", {
        "exam": exam, "state": exam_state(exam), "manage": can_manage(user, exam), "fixed": fixed,
        "blueprint": _blueprint_view(exam) if exam.blueprint else [], "eligibility": _eligibility_view(exam),
        "open_count": counts.get(AttemptStatus.OPEN, 0), "submitted_count": counts.get(AttemptStatus.SUBMITTED, 0),
        "post_test": post_test if post_test and exams_visible_to(user).filter(pk=post_test.pk).exists() else None,
        "pre_test": exam.pre_test if exam.pre_test_id and exams_visible_to(user).filter(pk=exam.pre_test_id).exists()
        else None, "join_url": _join_url(request, exam), "essays_waiting": essays_waiting,
    })


@login_required
@require_POST
def exam_room(request, exam_id: int):
    """Open or close an in-room test (a plain form button on the test's page, the live view and the projector)."""
    exam = _exam(request, exam_id, manage=True)
    state = request.POST.get("state")
    if state not in (RoomState.OPEN, RoomState.CLOSED):
        messages.error(request, _("Choose whether to open or close the test."))
    else:
        still_open = Attempt.objects.filter(exam=exam, status=AttemptStatus.OPEN).count()
        try:
            exams.room_set_state(by=request.user, exam=exam, state=state)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if state == RoomState.OPEN:
                messages.success(request, _("The test is open: participants can join with the code %(code)s.") % {
                    "code": exam.join_code})
            else:
                messages.success(request, _("The test is closed. Attempts submitted on closing: %(count)s.") % {
                    "count": still_open})
    return redirect(_next_url(request, reverse("assessment:test_detail", args=[exam.pk])))


@login_required
def exam_projector(request, exam_id: int):
    """For the seminar room's screen: the join code and a QR code, readable from the back of the room."""
    exam = _exam(request, exam_id, manage=True)
    view = results.room_view(exam)
    context = {"exam": exam, "state": exam_state(exam), "view": view, "join_url": _join_url(request, exam),
               "join_page": request.build_absolute_uri(reverse("assessment:join"))}
    return _maybe_fragment(request, "assessment/tests/projector.html", "assessment/tests/_projector_status.html",
                           context)


@login_required
def exam_qr(request, exam_id: int):
    exam = _exam(request, exam_id, manage=True)
    buffer = io.BytesIO()
    segno.make(_join_url(request, exam), error="m").save(buffer, kind="svg", scale=10, border=2,
                                                          title=exam.join_code)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _maybe_fragment(request, page: str, fragment: str, context: dict) -> HttpResponse:
    """The whole page, or (``X-Fragment: 1``, what live.js asks for) only the part that refreshes."""
    response = render(request, fragment if request.headers.get("X-Fragment") else page, context)
    patch_vary_headers(response, ["X-Fragment"])
    response["Cache-Control"] = "no-store"
    return response


@login_required
def exam_live(request, exam_id: int):
    """Who joined, who is answering, who submitted; refreshes itself every 5 s with JavaScript."""
    exam = _exam(request, exam_id, manage=True)
    context = {"exam": exam, "state": exam_state(exam), "view": results.room_view(exam),
               "join_url": _join_url(request, exam), "updated_at": timezone.now()}
    return _maybe_fragment(request, "assessment/tests/live.html", "assessment/tests/_live_status.html", context)


# --- Results --------------------------------------------------------------------------------------------------

CHART_HEIGHT = 160
CHART_BAR = 40
CHART_GAP = 12


def _chart(bands: list[dict]) -> dict:
    """A bar chart of the distribution as SVG geometry (drawn by the template; the table holds the numbers)."""
    peak = max((band["count"] for band in bands), default=0) or 1
    bars = []
    for index, band in enumerate(bands):
        height = round(CHART_HEIGHT * band["count"] / peak)
        x = CHART_GAP + index * (CHART_BAR + CHART_GAP)
        bars.append(band | {"x": x, "y": 20 + CHART_HEIGHT - height, "height": height, "mid": x + CHART_BAR // 2,
                            "label_y": 20 + CHART_HEIGHT - height - 4})
    return {"bars": bars, "width": CHART_GAP + len(bands) * (CHART_BAR + CHART_GAP), "bar": CHART_BAR,
            "height": CHART_HEIGHT + 44, "axis_y": 20 + CHART_HEIGHT, "label_y": CHART_HEIGHT + 38}


def _band_label(band: dict) -> str:
    high = band["high"] if band["high"] == 100 else band["high"] - 1
    return f"{band['low']}–{high}"


def _results_context(request, exam: Exam) -> dict:
    summary = results.exam_results(exam)
    for band in summary.distribution:
        band["label"] = _band_label(band)
    return {"exam": exam, "summary": summary, "chart": _chart(summary.distribution),
            "pre_post": results.pre_post(exam) if exam.pre_test_id else None,
            "show_iin": can_see_iin(request.user), "manage": can_manage(request.user, exam),
            "pass_mark": float(exam.pass_mark_percent),
            "can_review": _can_review(request.user, exam),
            "post_test": exams_visible_to(request.user).filter(pre_test=exam).first()}


@login_required
def exam_results(request, exam_id: int):
    exam = _exam(request, exam_id)
    return render(request, "assessment/tests/results.html", _results_context(request, exam))


def _number(value) -> float | None:
    return None if value is None else float(value)


@login_required
def exam_results_xlsx(request, exam_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    exam = _exam(request, exam_id)
    context = _results_context(request, exam)
    summary, show_iin = context["summary"], context["show_iin"]
    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows: list[list], first: bool = False):
        ws = workbook.active if first else workbook.create_sheet()
        ws.title = title[:31]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        return ws

    headers = [_("Name")] + ([_("IIN")] if show_iin else []) + [
        _("Percent"), _("Score"), _("Maximum score"), _("Passed"), _("Awaiting a mark"), _("Attempt"),
        _("Submitted")]
    rows = []
    for attempt in summary.attempts:
        submitted = timezone.localtime(attempt.submitted_at).replace(tzinfo=None) if attempt.submitted_at else None
        rows.append([attempt.person.full_name] + ([attempt.person.iin] if show_iin else []) + [
            _number(attempt.percent), _number(attempt.score), _number(attempt.max_score),
            None if attempt.passed is None else (_("yes") if attempt.passed else _("no")),
            _("yes") if attempt.awaiting_grading else _("no"), attempt.number, submitted])
    people = sheet(_("Results"), headers, rows, first=True)
    if show_iin:
        for (cell,) in people.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.number_format = "@"
    sheet(_("Summary"), [_("Figure"), _("Value")], [
        [_("Test"), exam.title], [_("Submitted"), summary.count], [_("Passed"), summary.passed],
        [_("Mean, %"), summary.mean_percent], [_("Median, %"), summary.median_percent],
        [_("Pass mark, %"), float(exam.pass_mark_percent)], [_("Awaiting a mark"), summary.awaiting_grading]])
    sheet(_("Distribution"), [_("Percent"), _("People")],
          [[band["label"], band["count"]] for band in summary.distribution])
    sheet(_("Topics"), [_("Topic"), _("Percent"), _("Points"), _("Maximum")],
          [[topic.name, topic.percent, topic.score, topic.max_score] for topic in summary.weakest_topics])
    gain = context["pre_post"]
    if gain is not None:
        sheet(_("Entry vs final"), [_("Name"), _("Entry, %"), _("Final, %"), _("Normalised gain")],
              [[row.person.full_name, row.pre, row.post, row.gain] for row in gain.rows]
              + [[_("Group (took both)"), gain.pre_mean, gain.post_mean, gain.average_gain]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="test-{exam.pk}-results.xlsx"'
    return response


# --- Marking essays and reviewing an attempt ------------------------------------------------------------------


def _text(texts: dict | None, language: str) -> str:
    texts = texts or {}
    return texts.get(language) or texts.get("kk") or texts.get("ru") or ""


def _reading_language(row: AttemptItem) -> str:
    """The page's language when an item can be in it (Kazakh, Russian), else the attempt's."""
    language = current_language()
    return language if language in ("kk", "ru") else row.attempt.language


def _essays(exam: Exam) -> QuerySet[AttemptItem]:
    return (AttemptItem.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.SUBMITTED,
                                       version__document__type="essay")
            .select_related("attempt__person", "version", "graded_by")
            .order_by("attempt__submitted_at", "attempt_id", "position"))


@login_required
@require_http_methods(["GET", "POST"])
def exam_grading(request, exam_id: int):
    """Submitted essays awaiting a mark (``?all=1``: and the marked ones, to change a mark)."""
    exam = _exam(request, exam_id, manage=True)
    show_all = request.GET.get("all") == "1"
    essays = _essays(exam)
    failed, failed_row = None, None
    if request.method == "POST":
        form = GradeForm(request.POST)
        row = essays.filter(pk=request.POST.get("row")).first() if str(request.POST.get("row", "")).isdigit() else None
        if row is None:
            raise Http404(_("Answer not found."))
        if form.is_valid():
            try:
                attempt_services.essay_grade(by=request.user, attempt_item=row, points=form.cleaned_data["points"],
                                             comment=form.cleaned_data["comment"])
            except DomainError as error:
                field = error.params.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("The mark is saved: %(name)s, %(points)s of %(max)s.") % {
                    "name": row.attempt.person.full_name, "points": form.cleaned_data["points"],
                    "max": row.max_points})
                url = reverse("assessment:test_grading", args=[exam.pk])
                return redirect(url + ("?all=1" if show_all else ""))
        failed, failed_row = form, row.pk
    rows = essays if show_all else essays.filter(points__isnull=True)
    entries = []
    for row in rows:
        document = row.version.document
        form = failed if row.pk == failed_row else GradeForm(initial={
            "row": row.pk, "points": row.points, "comment": row.grader_comment})
        form.auto_id = f"id_%s_{row.pk}"
        form.fields["points"].widget.attrs["max"] = row.max_points
        entries.append({"row": row, "form": form, "question": _text(document.get("text"), row.attempt.language),
                        "answer": (row.response or {}).get("text", ""),
                        "grader_info": _text((document.get("essay") or {}).get("grader_info"), _reading_language(row)),
                        "min_words": (document.get("essay") or {}).get("min_words")})
    if failed is not None and not any(entry["row"].pk == failed_row for entry in entries):
        failed.auto_id = f"id_%s_{failed_row}"
    return render(request, "assessment/tests/grading.html", {
        "exam": exam, "entries": entries, "show_all": show_all,
        "waiting": essays.filter(points__isnull=True).count(), "total": essays.count(),
    }, status=400 if failed is not None else 200)


def _can_review(user, exam: Exam) -> bool:
    return user.role == Role.AUDITOR or can_manage(user, exam)


def _review(payload: dict) -> dict:
    """One item of an attempt as the reviewer sees it: what was chosen or written, and what was right."""
    key, answer = payload.get("key") or {}, payload.get("answer") or {}
    chosen = set(answer.get("choices") or [])
    entry = {"position": payload["position"], "type": payload["type"], "text": payload["text"],
             "points": payload["points"], "score": payload.get("score"), "comment": payload.get("grader_comment"),
             "feedback": key.get("general_feedback"), "answered": payload.get("answer") is not None}
    if "options" in payload:
        credit = {option["id"]: option["fraction"] for option in key.get("options", [])}
        entry["options"] = [{"text": option["text"], "chosen": option["id"] in chosen,
                             "credit": round(100 * credit.get(option["id"], 0))} for option in payload["options"]]
    if "steps" in payload:
        credits = {step["id"]: {o["id"]: o["fraction"] for o in step["options"]} for step in key.get("steps", [])}
        entry["steps"] = [{"text": step["text"], "options": [
            {"text": option["text"], "chosen": option["id"] in chosen,
             "credit": round(100 * credits.get(step["id"], {}).get(option["id"], 0))} for option in step["options"]]}
            for step in payload["steps"]]
    if payload["type"] in ("short_answer", "essay"):
        entry["written"] = answer.get("text", "")
    if payload["type"] == "short_answer":
        entry["accepted"] = [a["text"] for a in key.get("answers", []) if a["fraction"] > 0]
    if payload["type"] == "numerical":
        entry["written"] = answer.get("number", "")
        entry["accepted"] = [f"{n['value']} ± {n['tolerance']}" if n["tolerance"] else str(n["value"])
                             for n in key.get("numbers", []) if n["fraction"] > 0]
    if payload["type"] == "matching":
        responses = {response["id"]: response["text"] for response in payload.get("responses", [])}
        pairs = answer.get("pairs") or {}
        entry["pairs"] = [{"premise": premise["text"], "chosen": responses.get(pairs.get(premise["id"]), ""),
                           "right": responses.get(premise["id"], ""), "ok": pairs.get(premise["id"]) == premise["id"]}
                          for premise in payload.get("premises", [])]
    return entry


@login_required
def exam_attempt(request, exam_id: int, attempt_id: int):
    """One examinee's attempt with their answers and the key, for the test's managers (and auditors)."""
    exam = _exam(request, exam_id)
    if not _can_review(request.user, exam):
        raise PermissionDenied
    attempt = Attempt.objects.filter(exam=exam, pk=attempt_id).select_related("person", "exam").first()
    if attempt is None:
        raise Http404(_("Attempt not found."))
    attempt = attempt_services.settle(attempt)
    rows = AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
    items = [_review(attempt_services.item_payload(row, attempt.language, with_key=True)) for row in rows]
    topic_result = results.attempt_result(attempt) if attempt.status == AttemptStatus.SUBMITTED else None
    return render(request, "assessment/tests/attempt.html", {
        "exam": exam, "attempt": attempt, "items": items, "result": topic_result,
        "show_iin": can_see_iin(request.user, attempt.person), "manage": can_manage(request.user, exam),
        "awaiting": sum(1 for item in items if item["type"] == "essay" and item["score"] is None),
    })


urlpatterns = [
    path("", exam_list, name="tests"),
    path("new/", exam_new, name="test_new"),
    path("pair/<int:event_id>/", exam_pair_new, name="test_pair_new"),
    path("<int:exam_id>/", exam_detail, name="test_detail"),
    path("<int:exam_id>/room/", exam_room, name="test_room"),
    path("<int:exam_id>/projector/", exam_projector, name="test_projector"),
    path("<int:exam_id>/qr.svg", exam_qr, name="test_qr"),
    path("<int:exam_id>/live/", exam_live, name="test_live"),
    path("<int:exam_id>/results/", exam_results, name="test_results"),
    path("<int:exam_id>/results.xlsx", exam_results_xlsx, name="test_results_xlsx"),
    path("<int:exam_id>/grading/", exam_grading, name="test_grading"),
    path("<int:exam_id>/attempts/<int:attempt_id>/", exam_attempt, name="test_attempt"),
]

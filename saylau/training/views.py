import calendar
import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saylau.commissions.models import Person, Region
from saylau.commissions.scoping import editable_commissions, people_visible_to
from saylau.commissions.selectors import filtered_memberships
from saylau.core.errors import DomainError, NotFound

from . import selectors, services
from .forms import (
    CancelForm,
    CheckInForm,
    CoverageTargetForm,
    EnrolFileForm,
    EnrolFilterForm,
    EventFilterForm,
    EventForm,
    RoadmapForm,
    RoadmapItemForm,
    SessionForm,
    month_param,
)
from .models import Attendance, Enrolment, EnrolmentStatus, Event, Roadmap
from .notifications import event_calendar
from .scoping import (
    access_event_by_id,
    access_session_by_id,
    can_manage_event,
    can_mark_attendance,
    events_manageable_by,
    events_open_for_registration,
    events_visible_to,
)


def _or_404(fetch, *args):
    try:
        return fetch(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def event_list(request):
    form = EventFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_bound and form.is_valid() else {}).items() if v}
    page = Paginator(selectors.event_list(request.user, **filters), 50).get_page(request.GET.get("page"))
    return render(request, "training/event_list.html", {
        "form": form, "page": page, "can_create": editable_commissions(request.user).exists(),
        "open_events": events_open_for_registration(request.user).exclude(enrolments__person_id=request.user.person_id)[:10]
        if request.user.person_id else [],
    })


@login_required
def event_calendar_month(request):
    year, month = month_param(request.GET.get("month"))
    events = list(selectors.event_list(request.user).filter(
        starts_on__lte=datetime.date(year, month, calendar.monthrange(year, month)[1]),
        ends_on__gte=datetime.date(year, month, 1),
    ))
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([(day, day.month == month, [e for e in events if e.starts_on <= day <= e.ends_on]) for day in week])
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (first + datetime.timedelta(days=32)).strftime("%Y-%m")
    return render(request, "training/calendar.html", {
        "weeks": weeks, "month": first, "previous": previous, "following": following,
    })


def ical_feed(request):
    """The events the user sees, for a calendar application (a year back and ahead).

    Calendar applications cannot log in: they subscribe with ``?token=`` (an API token of the user)."""
    from saylau.accounts.services import api_token_user

    user = request.user
    if request.GET.get("token"):
        user = api_token_user(request.GET["token"])
    if user is None or not user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    today = timezone.localdate()
    events = selectors.event_list(user).filter(
        starts_on__gte=today - datetime.timedelta(days=365), starts_on__lte=today + datetime.timedelta(days=365)
    ).prefetch_related("sessions")
    response = HttpResponse(event_calendar(list(events), language=request.LANGUAGE_CODE), content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="events.ics"'
    return response


@login_required
def event_detail(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    sessions = list(event.sessions.prefetch_related("speakers__person", "materials"))
    days = {}
    for session in sessions:
        days.setdefault(session.day, []).append(session)
    manage = can_manage_event(request.user, event)
    enrolments = (
        event.enrolments.select_related("person", "commission").order_by("status", "person__surname")
        if manage or request.user.role in ("admin", "auditor", "trainer") else Enrolment.objects.none()
    )
    rates = services.attendance_rates(event) if enrolments else {}
    own = event.enrolments.filter(person_id=request.user.person_id).first() if request.user.person_id else None
    counts = dict(event.enrolments.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(request, "training/event_detail.html", {
        "event": event, "days": sorted(days.items()), "manage": manage,
        "enrolments": [(e, round(100 * rates.get(e.person_id, 0))) for e in enrolments],
        "counts": counts, "own": own, "cancel_form": CancelForm(),
        "trainers": event.trainers.select_related("person"),
        "can_register": bool(request.user.person_id and own is None
                             and events_open_for_registration(request.user).filter(pk=event.pk).exists()),
        "mark_sessions": [s for s in sessions if can_mark_attendance(request.user, s)],
        "trainer_choices": selectors.accredited_trainers(event) if manage else [],
    })


@login_required
def event_programme_print(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    sessions = event.sessions.prefetch_related("speakers__person")
    days = {}
    for session in sessions:
        days.setdefault(session.day, []).append(session)
    return render(request, "training/programme_print.html", {"event": event, "days": sorted(days.items())})


def _event_form(request, *, instance=None):
    organisers = editable_commissions(request.user).exclude(level="precinct").order_by("code")
    parents = events_visible_to(request.user).exclude(status="cancelled").order_by("-starts_on")
    if instance is not None:
        parents = parents.exclude(pk=instance.pk)
    return EventForm(request.POST or None, instance=instance, organisers=organisers, parents=parents)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not editable_commissions(request.user).exists():
        raise PermissionDenied
    form = _event_form(request)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name not in ("audiences",)}
        try:
            event = services.event_create(by=request.user, audiences=form.cleaned_data["audiences"], **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is created. Now add its programme."))
            return redirect("training:event", event.pk)
    return render(request, "training/event_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    form = _event_form(request, instance=Event.objects.get(pk=event.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "audiences"}
        try:
            services.event_update(by=request.user, event=event, audiences=form.cleaned_data["audiences"], **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The event is saved."))
            return redirect("training:event", event.pk)
    return render(request, "training/event_form.html", {"form": form, "event": event})


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    form = SessionForm(request.POST or None, request.FILES or None, initial={"day": event.starts_on})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith(("speaker_", "material_"))}
        try:
            with transaction.atomic():
                session = services.session_create(by=request.user, event=event, speakers=form.speakers(), **data)
                if form.cleaned_data["material_title"]:
                    services.material_attach(
                        by=request.user, session=session, title=form.cleaned_data["material_title"],
                        file=form.cleaned_data["material_file"], link=form.cleaned_data["material_link"] or "",
                    )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The session is added to the programme."))
            if "another" in request.POST:
                return redirect("training:session_add", event.pk)
            return redirect("training:event", event.pk)
    return render(request, "training/session_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_cancel(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.event_cancel(by=request.user, event=event, reason=form.cleaned_data["reason"])
            messages.success(request, _("The event is cancelled."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Say why the event is cancelled."))
    return redirect("training:event", event.pk)


@login_required
@require_POST
def event_close(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    try:
        issued = services.event_close(by=request.user, event=event)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The event is marked as held. Trainer accreditations issued: %(count)s.")
                         % {"count": len(issued)})
    return redirect("training:event", event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    regions = Region.objects.filter(pk__in=editable_commissions(request.user).values("region_id"))
    filter_form = EnrolFilterForm(request.POST if "by_filter" in request.POST else None, regions=regions,
                                  commissions=editable_commissions(request.user))
    file_form = EnrolFileForm(request.POST if "by_file" in request.POST else None,
                              request.FILES if "by_file" in request.POST else None)
    problems = []
    preview = None
    if request.method == "POST" and "by_filter" in request.POST and filter_form.is_valid():
        memberships = filtered_memberships(request.user, filter_form.cleaned_data)
        if "confirm" not in request.POST:
            preview = memberships.current().values("person_id").distinct().count()
        else:
            try:
                result = services.enrol_by_filter(by=request.user, event=event, memberships=memberships)
            except DomainError as exc:
                filter_form.add_error(None, exc.message)
            else:
                _enrolment_message(request, result)
                return redirect("training:event", event.pk)
    if request.method == "POST" and "by_file" in request.POST and file_form.is_valid():
        upload = file_form.cleaned_data["file"]
        try:
            result = services.enrol_by_file(by=request.user, event=event, filename=upload.name, content=upload.read(),
                                            people_scope=people_visible_to(request.user))
        except services.EnrolmentFileRejected as exc:
            problems = exc.problems
        except DomainError as exc:
            file_form.add_error(None, exc.message)
        else:
            _enrolment_message(request, result)
            return redirect("training:event", event.pk)
    pending = event.enrolments.filter(status=EnrolmentStatus.PENDING).select_related("person")
    return render(request, "training/enrol.html", {
        "event": event, "filter_form": filter_form, "file_form": file_form, "problems": problems,
        "preview": preview, "pending": pending,
    }, status=422 if problems else 200)


def _enrolment_message(request, result):
    messages.success(request, _(
        "Enrolled: %(enrolled)s; on the waiting list: %(waitlisted)s; already enrolled: %(already)s."
    ) % {"enrolled": result.enrolled, "waitlisted": result.waitlisted, "already": result.already})


@login_required
@require_POST
def enrolment_decide(request, enrolment_id: int):
    enrolment = get_object_or_404(Enrolment.objects.select_related("event"), pk=enrolment_id,
                                  event__in=events_manageable_by(request.user))
    try:
        if request.POST.get("action") == "cancel":
            services.enrolment_cancel(by=request.user, enrolment=enrolment)
        else:
            services.enrolment_decide(by=request.user, enrolment=enrolment, approve=request.POST.get("action") == "approve")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or reverse("training:event", args=[enrolment.event_id]))


@login_required
@require_POST
def self_register(request, event_id: int):
    event = get_object_or_404(Event, pk=event_id)
    try:
        services.self_register(user=request.user, event=event)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:events")
    messages.success(request, _("Your request is sent; the organiser will confirm it."))
    return redirect("training:event", event.pk)


@login_required
@require_POST
def session_cancel(request, session_id: int):
    """Mark a session as not held (attendance and certificates count held sessions only), or restore it."""
    session = _or_404(access_session_by_id, request.user, session_id)
    if not can_manage_event(request.user, session.event):
        raise PermissionDenied
    services.session_set_cancelled(by=request.user, session=session, cancelled=request.POST.get("cancelled") == "1")
    return redirect("training:event", event_id=session.event_id)


@login_required
@require_http_methods(["GET", "POST"])
def roster(request, session_id: int):
    """The trainer's roster: one tap per person (a plain form button; works on a tablet without scripts)."""
    session = _or_404(access_session_by_id, request.user, session_id)
    if not can_mark_attendance(request.user, session):
        raise PermissionDenied
    if request.method == "POST":
        person = get_object_or_404(Person, pk=request.POST.get("person"))
        try:
            services.attendance_mark(by=request.user, session=session, person=person,
                                     present=request.POST.get("present") == "1")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{reverse('training:roster', args=[session.pk])}#p{person.pk}")
    present = {a.person_id: a for a in Attendance.objects.filter(session=session)}
    enrolled = session.event.enrolments.filter(status=EnrolmentStatus.ENROLLED).select_related("person").order_by(
        "person__surname", "person__first_name"
    )
    return render(request, "training/roster.html", {
        "session": session, "event": session.event,
        "rows": [(e.person, present.get(e.person_id)) for e in enrolled],
        "present_count": len(present), "check_in_url": request.build_absolute_uri(
            reverse("training:check_in_code", args=[session.check_in_code])),
    })


@login_required
def session_qr(request, session_id: int):
    session = _or_404(access_session_by_id, request.user, session_id)
    if not can_mark_attendance(request.user, session):
        raise PermissionDenied
    url = request.build_absolute_uri(reverse("training:check_in_code", args=[session.check_in_code]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, title=session.check_in_code)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, code: str = ""):
    """Self check-in: scanning the room's QR opens this page with the code filled in; one button confirms."""
    form = CheckInForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        method = Attendance.Method.QR if request.POST.get("via") == "qr" else Attendance.Method.CODE
        try:
            attendance = services.check_in(user=request.user, code=form.cleaned_data["code"], method=method)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            return render(request, "training/checked_in.html", {"attendance": attendance})
    return render(request, "training/check_in.html", {"form": form, "via_qr": bool(code)})


@login_required
def cascade_page(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    return render(request, "training/cascade.html", {"event": event, "root": selectors.cascade(request.user, event)})


@login_required
@require_http_methods(["GET", "POST"])
def coverage_page(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    form = None
    if request.user.role == "admin":
        form = CoverageTargetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.coverage_target_set(by=request.user, year=year, **form.cleaned_data)
            messages.success(request, _("The target is saved."))
            return redirect(f"{reverse('training:coverage')}?year={year}")
    elif request.method == "POST":
        raise PermissionDenied
    rows = selectors.coverage(request.user, year=year, region=request.GET.get("region") or None)
    return render(request, "training/coverage.html", {"rows": rows, "year": year, "form": form})


@login_required
def roadmap_page(request, year: int | None = None):
    roadmaps = Roadmap.objects.all()
    roadmap = roadmaps.filter(year=year).first() if year else roadmaps.first()
    items = []
    if roadmap:
        for item in roadmap.items.select_related("responsible").prefetch_related("events", "audiences", "partners"):
            items.append((item, selectors.roadmap_item_status(item)))
    return render(request, "training/roadmap.html", {"roadmap": roadmap, "roadmaps": roadmaps, "items": items})


@login_required
def my_training(request):
    if not request.user.person_id:
        return redirect("training:events")
    person = request.user.person
    enrolments = person.enrolments.select_related("event").order_by("-event__starts_on")
    accreditations = person.accreditations.select_related("event").order_by("-valid_until")
    return render(request, "training/my_training.html", {"enrolments": enrolments, "accreditations": accreditations})



@login_required
@require_POST
def trainer_add(request, event_id: int):
    event = _or_404(access_event_by_id, request.user, event_id)
    if not can_manage_event(request.user, event):
        raise PermissionDenied
    # distinct(): the join on accreditations repeats a person accredited twice (get() would fail).
    person = get_object_or_404((people_visible_to(request.user) | Person.objects.filter(
        accreditations__valid_until__gte=event.starts_on)).distinct(), pk=request.POST.get("person"))
    try:
        services.trainer_add(by=request.user, event=event, person=person)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("training:event", event.pk)


@login_required
def material_download(request, material_id: int):
    """Uploaded materials are served through the event's access check, never from a public folder."""
    from django.http import FileResponse

    from .models import Material

    material = get_object_or_404(Material.objects.select_related("session__event"), pk=material_id,
                                 session__event__in=events_visible_to(request.user))
    if not material.file:
        return redirect(material.link)
    return FileResponse(material.file.open("rb"), as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_create(request):
    if request.user.role != "admin":
        raise PermissionDenied
    form = RoadmapForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            roadmap = services.roadmap_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The roadmap is saved. Now add its measures."))
            return redirect("training:roadmap_year", roadmap.year)
    return render(request, "training/roadmap_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def roadmap_item_add(request, year: int):
    if request.user.role != "admin":
        raise PermissionDenied
    roadmap = get_object_or_404(Roadmap, year=year)
    form = RoadmapItemForm(request.POST or None, responsible=editable_commissions(request.user).exclude(level="precinct"))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("audiences", "partners")}
        try:
            services.roadmap_item_create(by=request.user, roadmap=roadmap, audiences=form.cleaned_data["audiences"],
                                         partners=form.cleaned_data["partners"], **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The measure is added to the roadmap."))
            return redirect("training:roadmap_year", roadmap.year)
    return render(request, "training/roadmap_form.html", {"form": form, "roadmap": roadmap})


@login_required
def roadmap_document(request, year: int):
    from django.http import FileResponse

    roadmap = get_object_or_404(Roadmap, year=year)
    if not roadmap.document:
        raise Http404
    return FileResponse(roadmap.document.open("rb"), as_attachment=True,
                        filename=roadmap.document.name.rsplit("/", 1)[-1])

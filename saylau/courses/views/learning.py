"""Pages of distance courses: the list, a course as its learner sees it (with where to resume), a lesson (material,
article or test), the editor, enrolling a cohort, progress for coordinators with exports, and reminder settings."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saylau.assessment import attempts as attempt_services
from saylau.assessment.models import Eligibility, Exam
from saylau.commissions.models import Commission, Region
from saylau.commissions.scoping import editable_commissions, people_visible_to
from saylau.commissions.selectors import filtered_memberships
from saylau.core.errors import DomainError, NotFound

from .. import selectors, services
from ..forms import CohortForm, CourseForm, CourseTestForm, LessonForm, ModuleForm, ProgressFilterForm
from ..markup import render_markdown, title_and_body
from ..models import (
    Course,
    CourseEnrolment,
    CourseStatus,
    Lesson,
    LessonKind,
    Material,
    MaterialKind,
    ReminderKind,
    ReminderOptOut,
)
from ..reminders import read_opt_out_token
from ..scoping import (
    access_course_by_id,
    can_enrol_learners,
    can_manage_courses,
    can_manage_library,
    can_see_progress,
    courses_visible_to,
)
from .common import article_language, form_error


def _course(request, course_id: int) -> Course:
    try:
        return access_course_by_id(request.user, course_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _enrolment(request, course: Course) -> CourseEnrolment | None:
    if not request.user.person_id:
        return None
    return CourseEnrolment.objects.filter(course=course, person_id=request.user.person_id).select_related(
        "course").first()


@login_required
def course_list(request):
    mine = list(selectors.my_enrolments(request.user.person_id)) if request.user.person_id else []
    enrolled = {row.course_id for row in mine}
    courses = courses_visible_to(request.user).exclude(pk__in=enrolled).select_related("commission")
    if not can_see_progress(request.user):
        courses = courses.filter(open_enrolment=True)
    return render(request, "courses/list.html", {
        "mine": mine, "courses": courses, "can_create": can_manage_courses(request.user)})


@login_required
def course_page(request, course_id: int):
    course = _course(request, course_id)
    enrolment = _enrolment(request, course)
    view = selectors.learner_course(enrolment) if enrolment else None
    lessons = services.ordered_lessons(course) if view is None else None  # the outline, for everyone else
    award = getattr(course, "award", None)
    certificate = None
    if enrolment and award is not None:
        certificate = award.certificates.filter(person_id=enrolment.person_id).first()
    return render(request, "courses/course.html", {
        "course": course, "enrolment": enrolment, "view": view, "lessons": lessons,
        "can_manage": can_manage_courses(request.user, course), "can_see_progress": can_see_progress(request.user),
        "can_enrol": can_enrol_learners(request.user, course),
        "award": award, "certificate": certificate, "behind": enrolment and selectors.is_behind(enrolment),
        "reminders_on": enrolment and not _opted_out(request.user.person_id),
    })


def _opted_out(person_id: int) -> bool:
    return ReminderOptOut.objects.filter(kind=ReminderKind.LEARNER, person_id=person_id).exists()


@login_required
@require_POST
def course_join(request, course_id: int):
    course = _course(request, course_id)
    try:
        services.self_enrol(user=request.user, course=course)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect("courses:course", course.pk)


def _lesson_context(request, course: Course, lesson_id: int):
    enrolment = _enrolment(request, course)
    if enrolment is None:
        raise Http404(_("You are not enrolled in this course."))
    lesson = next((row for row in services.ordered_lessons(course) if row.pk == lesson_id), None)
    if lesson is None:
        raise Http404(_("No such lesson."))
    return enrolment, lesson


@login_required
@require_http_methods(["GET", "POST"])
def lesson_page(request, course_id: int, lesson_id: int):
    course = _course(request, course_id)
    enrolment, lesson = _lesson_context(request, course, lesson_id)
    try:
        row = services.lesson_open(enrolment=enrolment, lesson=lesson)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("courses:course", course.pk)
    if request.method == "POST":
        try:
            services.lesson_complete(enrolment=enrolment, lesson=lesson)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("courses:lesson", course.pk, lesson.pk)
        view = selectors.learner_course(CourseEnrolment.objects.select_related("course").get(pk=enrolment.pk))
        following = next((item for item in view.lessons if not item.done and not item.locked), None)
        if following is None:
            return redirect("courses:course", course.pk)
        return redirect("courses:lesson", course.pk, following.lesson.pk)
    view = selectors.learner_course(enrolment)
    lessons = view.lessons
    index = next(i for i, item in enumerate(lessons) if item.lesson.pk == lesson.pk)
    context = {"course": course, "enrolment": enrolment, "lesson": lesson, "row": row, "view": view,
               "previous": lessons[index - 1] if index > 0 else None,
               "next": lessons[index + 1] if index + 1 < len(lessons) else None,
               "position": index + 1, "total": len(lessons)}
    if lesson.kind == LessonKind.MATERIAL:
        material = lesson.material
        version = lesson.material_version or material.current
        context.update(material=material, version=version)
        if material.kind == MaterialKind.ARTICLE:
            language = article_language(request, material)
            title, body = title_and_body(version.body(language))
            context.update(language=language, article_html=render_markdown(body))
        context["quality"] = "low" if request.GET.get("quality") == "low" and version.low_file else "full"
    else:
        attempts = selectors.test_attempts(enrolment.person_id, lesson.exam_id)
        open_attempt = any(attempt.status == "open" for attempt in attempts)
        context.update(exam=lesson.exam, attempts=attempts, can_start=open_attempt or (
            len(attempts) < lesson.exam.attempts_allowed and not (lesson.is_final and row.passed)))
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def lesson_beat(request, course_id: int, lesson_id: int):
    course = _course(request, course_id)
    enrolment, lesson = _lesson_context(request, course, lesson_id)
    try:
        seconds = int(request.POST.get("seconds", "0"))
    except ValueError:
        seconds = 0
    services.lesson_heartbeat(enrolment=enrolment, lesson=lesson, seconds=seconds)
    return HttpResponse(status=204)


@login_required
@require_POST
def lesson_test_start(request, course_id: int, lesson_id: int):
    course = _course(request, course_id)
    enrolment, lesson = _lesson_context(request, course, lesson_id)
    if lesson.kind != LessonKind.TEST:
        raise Http404
    try:
        services.lesson_open(enrolment=enrolment, lesson=lesson)
        attempt = attempt_services.attempt_start(by=request.user, exam=lesson.exam, person=request.user.person,
                                                 language=request.POST.get("language"))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("courses:lesson", course.pk, lesson.pk)
    # The result page offers the way back to the course (assessment knows nothing of courses).
    returns = request.session.get("attempt_return", {})
    returns[str(attempt.pk)] = reverse("courses:course", args=[course.pk])
    request.session["attempt_return"] = dict(list(returns.items())[-20:])
    return redirect("assessment:attempt", attempt_id=attempt.pk)


# --- Editing -----------------------------------------------------------------------------------------------------


def _managed(request, course_id: int) -> Course:
    course = _course(request, course_id)
    if not can_manage_courses(request.user, course):
        raise PermissionDenied
    return course


@login_required
@require_http_methods(["GET", "POST"])
def course_form(request, course_id: int | None = None):
    course = _managed(request, course_id) if course_id else None
    if course is None and not can_manage_courses(request.user):
        raise PermissionDenied
    form = CourseForm(request.POST or None, instance=course, commissions=editable_commissions(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        audiences = data.pop("audiences")
        try:
            if course is None:
                course = services.course_create(by=request.user, audiences=audiences, **data)
            else:
                services.course_update(by=request.user, course=course, audiences=audiences, **data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("courses:editor", course.pk)
    return render(request, "courses/library/form.html", {
        "form": form, "title": _("Edit the course") if course else _("New course"), "course": course},
        status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def editor(request, course_id: int):
    course = _managed(request, course_id)
    modules = list(course.modules.prefetch_related("lessons__exam", "lessons__material"))
    exams = Exam.objects.filter(eligibility=Eligibility.COURSE).order_by("-created_at")[:200]
    module_form = ModuleForm(request.POST if "add_module" in request.POST else None)
    lesson_form = LessonForm(request.POST if "add_lesson" in request.POST else None, modules=modules, exams=exams)
    test_form = CourseTestForm(request.POST if "add_test" in request.POST else None)
    if request.method == "POST":
        try:
            if "add_module" in request.POST and module_form.is_valid():
                services.module_add(by=request.user, course=course, **module_form.cleaned_data)
                return redirect("courses:editor", course.pk)
            if "add_lesson" in request.POST and lesson_form.is_valid():
                data = lesson_form.cleaned_data
                module = next(m for m in modules if m.pk == data["module"])
                material = Material.objects.filter(pk=data["material"]).first() if data["material"] else None
                if data["material"] and material is None:
                    raise DomainError("material_required", _("No material has this number."), field="material")
                exam = Exam.objects.filter(pk=data["exam"]).first() if data["exam"] else None
                services.lesson_add(by=request.user, module=module, kind=LessonKind.TEST if exam else
                                    LessonKind.MATERIAL, material=material, exam=exam, is_final=data["is_final"],
                                    title_kk=data["title_kk"], title_ru=data["title_ru"], minutes=data["minutes"])
                return redirect("courses:editor", course.pk)
            if "add_test" in request.POST and test_form.is_valid():
                data = test_form.cleaned_data
                exam = services.course_test_create(
                    by=request.user, course=course, title_kk=data["title_kk"], title_ru=data["title_ru"],
                    blueprint=[{"topic": data["topic"], "count": data["count"]}], final=data["final"],
                    pass_mark_percent=data["pass_mark_percent"], attempts_allowed=data["attempts_allowed"])
                messages.success(request, _("The test «%(title)s» is made: add it to a module as a lesson.")
                                 % {"title": exam.title})
                return redirect("courses:editor", course.pk)
        except DomainError as error:
            form = {"add_module": module_form, "add_lesson": lesson_form, "add_test": test_form}.get(
                next((key for key in ("add_module", "add_lesson", "add_test") if key in request.POST), ""))
            if form is not None:
                form_error(form, error)
            else:
                messages.error(request, error.message)
    return render(request, "courses/editor.html", {
        "course": course, "modules": modules, "module_form": module_form, "lesson_form": lesson_form,
        "test_form": test_form, "can_edit_library": can_manage_library(request.user),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def editor_action(request, course_id: int):
    """One structural change: move or remove a module or a lesson, publish or archive the course."""
    course = _managed(request, course_id)
    action = request.POST.get("action", "")
    try:
        if action in ("module_up", "module_down", "module_remove"):
            module = get_object_or_404(course.modules, pk=request.POST.get("module"))
            if action == "module_remove":
                services.module_remove(by=request.user, module=module)
            else:
                services.move(by=request.user, thing=module, offset=-1 if action == "module_up" else 1)
        elif action in ("lesson_up", "lesson_down", "lesson_remove"):
            lesson = get_object_or_404(Lesson.objects.filter(module__course=course), pk=request.POST.get("lesson"))
            if action == "lesson_remove":
                services.lesson_remove(by=request.user, lesson=lesson)
            else:
                services.move(by=request.user, thing=lesson, offset=-1 if action == "lesson_up" else 1)
        elif action in CourseStatus.values:
            services.course_set_status(by=request.user, course=course, status=action)
            messages.success(request, _("The course is now: %(status)s.") % {
                "status": CourseStatus(action).label})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("courses:editor", args=[course.pk]) + request.POST.get("anchor", ""))


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, course_id: int):
    course = _course(request, course_id)
    if not can_enrol_learners(request.user, course):
        raise PermissionDenied
    regions = Region.objects.filter(pk__in=editable_commissions(request.user).values("region_id"))
    form = CohortForm(request.POST or None, regions=regions, commissions=editable_commissions(request.user))
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        iins = [value for value in data["iins"].replace(",", " ").split() if value]
        try:
            if iins:
                people = list(people_visible_to(request.user).filter(iin__in=iins))
                missing = sorted(set(iins) - {person.iin for person in people})
                if missing:
                    raise DomainError("unknown_iin", _("Not in the registry (or not in your region): %(iins)s.")
                                      % {"iins": ", ".join(missing[:20])}, field="iins")
                memberships = None
            else:
                memberships, people = filtered_memberships(request.user, data), None
            if "confirm" not in request.POST:
                preview = len(people) if people is not None else memberships.values("person_id").distinct().count()
            else:
                spec = {key: (value.pk if hasattr(value, "pk") else str(value) if key == "since" else value)
                        for key, value in data.items() if value and key in ("region", "under", "level", "position",
                                                                            "basis", "since")}
                cohort = services.cohort_enrol(by=request.user, course=course, name=data["name"],
                                               memberships=memberships, people=people, deadline=data["deadline"],
                                               registry_filter=spec)
                messages.success(request, _("%(count)s learners enrolled in the cohort «%(name)s».")
                                 % {"count": cohort.size, "name": cohort.name})
                return redirect("courses:progress", course.pk)
        except DomainError as error:
            form_error(form, error)
    return render(request, "courses/enrol.html", {
        "course": course, "form": form, "preview": preview, "cohorts": course.cohorts.all()},
        status=400 if form.errors else 200)


# --- Progress ---------------------------------------------------------------------------------------------------

EXPORT_HEADER = ("commission", "surname", "first name", "status", "lessons done", "percent", "time spent (min)",
                 "final test (%)", "last activity", "deadline", "behind")


def _progress_data(request, course: Course):
    regions = Region.objects.all()
    if request.user.region_id and request.user.role != "admin":
        regions = regions.filter(pk=request.user.region_id)
    form = ProgressFilterForm(request.GET or None, regions=regions)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data


@login_required
def progress_page(request, course_id: int):
    course = _course(request, course_id)
    if not can_see_progress(request.user):
        raise PermissionDenied
    form, data = _progress_data(request, course)
    region, under = data.get("region") or "", data.get("under")
    if region or request.user.region_id or under:
        groups, total = selectors.progress_by_commission(request.user, course, region=region, under=under,
                                                         territorial=True)
        grouped_by = "commission"
    else:
        groups, total = selectors.progress_by_region(request.user, course)
        grouped_by = "region"
    rows = selectors.progress_rows(request.user, course, region=region, commission=data.get("commission"),
                                   status=data.get("status") or "", q=data.get("q") or "", under=under)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "courses/progress.html", {
        "course": course, "form": form, "groups": groups, "total": total, "grouped_by": grouped_by, "page": page,
        "today": today, "behind_ids": {row.pk for row in page if selectors.is_behind(row, today)},
        "region": region, "commission": data.get("commission"), "status": data.get("status") or "",
        "under": Commission.objects.filter(pk=under).first() if under else None,
    })


def _export_rows(request, course: Course):
    form, data = _progress_data(request, course)
    rows = selectors.progress_rows(request.user, course, region=data.get("region") or "",
                                   commission=data.get("commission"), status=data.get("status") or "",
                                   q=data.get("q") or "", under=data.get("under"))
    today = timezone.localdate()
    for row in rows.iterator(chunk_size=2000):
        yield (row.commission.code if row.commission else "", row.person.surname, row.person.first_name,
               row.get_status_display(), row.lessons_done, row.percent, row.time_spent_seconds // 60,
               float(row.final_percent) if row.final_percent is not None else "",
               timezone.localtime(row.last_activity_at).strftime("%Y-%m-%d %H:%M") if row.last_activity_at else "",
               row.deadline.isoformat() if row.deadline else "", "yes" if selectors.is_behind(row, today) else "")


@login_required
def progress_export(request, course_id: int, fmt: str):
    course = _course(request, course_id)
    if not can_see_progress(request.user):
        raise PermissionDenied
    name = f"course-{course.pk}-progress-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(_export_rows(request, course))
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Progress")[:31])
    sheet.append(EXPORT_HEADER)
    for row in _export_rows(request, course):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- Reminders ---------------------------------------------------------------------------------------------------


@login_required
@require_POST
def reminders(request):
    wanted = request.POST.get("wanted") == "1"
    if request.POST.get("kind") == ReminderKind.DIGEST:
        services.reminders_set(user=request.user, kind=ReminderKind.DIGEST, wanted=wanted)
    elif request.user.person_id:
        services.reminders_set(person=request.user.person, user=request.user, kind=ReminderKind.LEARNER,
                               wanted=wanted)
    messages.success(request, _("Reminders are on.") if wanted else _("Reminders are off."))
    return redirect(request.POST.get("next") if (request.POST.get("next") or "").startswith("/") else "courses:list")


@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """The link at the foot of every reminder: turns reminders off without logging in."""
    from saylau.accounts.models import User
    from saylau.commissions.models import Person

    parsed = read_opt_out_token(token)
    if parsed is None:
        raise Http404(_("This link is not valid."))
    kind, target_id = parsed
    target = (Person.objects.filter(pk=target_id).first() if kind == ReminderKind.LEARNER
              else User.objects.filter(pk=target_id).first())
    if target is None:
        raise Http404(_("This link is not valid."))
    done = False
    if request.method == "POST":
        if kind == ReminderKind.LEARNER:
            services.reminders_set(person=target, kind=kind, wanted=False)
        else:
            services.reminders_set(user=target, kind=kind, wanted=False)
        done = True
    return render(request, "courses/opt_out.html", {"kind": kind, "done": done})


urlpatterns = [
    path("", course_list, name="list"),
    path("new/", course_form, name="course_new"),
    path("reminders/", reminders, name="reminders"),
    path("unsubscribe/<str:token>/", opt_out, name="opt_out"),
    path("<int:course_id>/", course_page, name="course"),
    path("<int:course_id>/join/", course_join, name="join"),
    path("<int:course_id>/settings/", course_form, name="course_edit"),
    path("<int:course_id>/editor/", editor, name="editor"),
    path("<int:course_id>/editor/action/", editor_action, name="editor_action"),
    path("<int:course_id>/enrol/", enrol, name="enrol"),
    path("<int:course_id>/progress/", progress_page, name="progress"),
    path("<int:course_id>/progress.<str:fmt>", progress_export, name="progress_export"),
    path("<int:course_id>/lessons/<int:lesson_id>/", lesson_page, name="lesson"),
    path("<int:course_id>/lessons/<int:lesson_id>/beat/", lesson_beat, name="lesson_beat"),
    path("<int:course_id>/lessons/<int:lesson_id>/start/", lesson_test_start, name="lesson_test_start"),
]

"""Pages: a test's item statistics (with XLSX), the item bank's health, a person's results over time, an event's
entry vs final report, and sending a flagged item back to review.

The pages read what the worker stored (``TestAnalysis``, ``ItemAnalysis``, ``AttemptAbility``); nothing here runs
the analysis, except the "Recompute now" button, which queues it. Who sees what:

| page                        | who                                                                        |
|-----------------------------|----------------------------------------------------------------------------|
| a test's statistics, XLSX,  | the bank's readers who see the test (``assessment.scoping``), others 404;  |
| entry vs final report       | "Recompute now": those who manage the test (others 403)                    |
| bank health                 | the bank's readers (others 403, as the bank's pages)                       |
| a person's history          | whoever sees the person (``commissions.scoping``): their attempts at the   |
|                             | tests the viewer sees; ``/statistics/me/``: all of one's own               |
| send back to review         | the bank's reviewers (others 403; an item they cannot see 404)             |
"""

from __future__ import annotations

import html
import io
from collections import defaultdict

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format, number_format
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from saylau.assessment import bank
from saylau.assessment.exams import drawable_items
from saylau.assessment.models import (
    Attempt,
    AttemptStatus,
    Exam,
    Item,
    ItemStatus,
    Topic,
)
from saylau.assessment.results import final_attempts
from saylau.assessment.scoping import (
    access_exam_by_id,
    access_item_by_id,
    attempts_visible_to,
    can_read_bank,
    can_review_items,
    exams_manageable_by,
    exams_visible_to,
    items_visible_to,
)
from saylau.commissions.scoping import access_person_by_id
from saylau.core.errors import DomainError, NotFound
from saylau.core.i18n import current_language

from . import charts, gains, irt
from .analysis import IRT_MIN_ATTEMPTS, analysable_attempts
from .flags import LABELS, MIN_ATTEMPTS
from .models import ItemAnalysis, TestAnalysis
from .selectors import (
    amended_items,
    blueprint_shortages,
    exposure,
    flag_counts,
    pool_counter,
    topic_percents,
)
from .tasks import refresh_test

THETA = np.linspace(-4, 4, 33)  # the ability scale the test information curve is drawn over
ITEM_THETA = np.linspace(-4, 4, 17)  # coarser for the small per-item curves: a page may hold dozens
THETA_TABLE = (-3, -2, -1, 0, 1, 2, 3)  # where the text equivalent gives the test information
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, heading, decimals): the item table of a test, on the page and in the XLSX, in this order.
ITEM_FIGURES = (
    ("facility", gettext_lazy("Facility index, %"), 2),
    ("sd", gettext_lazy("Standard deviation, %"), 2),
    ("random_guess_score", gettext_lazy("Random guess score, %"), 2),
    ("intended_weight", gettext_lazy("Intended weight, %"), 2),
    ("effective_weight", gettext_lazy("Effective weight, %"), 2),
    ("discrimination_index", gettext_lazy("Discrimination index, %"), 2),
    ("discriminative_efficiency", gettext_lazy("Discriminative efficiency, %"), 2),
    ("upper_lower_index", gettext_lazy("Upper–lower index, %"), 2),
    ("alpha_if_deleted", gettext_lazy("Alpha if deleted, %"), 2),
)
IRT_FIGURES = (
    ("difficulty", gettext_lazy("Difficulty b"), 2),
    ("difficulty_se", gettext_lazy("SE of b"), 2),
    ("discrimination", gettext_lazy("Discrimination a"), 2),
    ("discrimination_se", gettext_lazy("SE of a"), 2),
    ("fit_p", gettext_lazy("Fit, p"), 3),
)
# (key, Moodle's name, decimals, in %): the test's figures. Mean, median, SD and standard error are shown as
# Moodle shows them, in % of the maximum score.
TEST_FIGURES = (
    ("mean_percent", gettext_lazy("Average grade (mean)"), 2, True),
    ("median_percent", gettext_lazy("Median grade"), 2, True),
    ("sd_percent", gettext_lazy("Standard deviation (SD)"), 2, True),
    ("skewness", gettext_lazy("Score distribution skewness"), 4, False),
    ("kurtosis", gettext_lazy("Score distribution kurtosis"), 4, False),
    ("alpha", gettext_lazy("Coefficient of internal consistency (alpha)"), 2, True),
    ("error_ratio", gettext_lazy("Error ratio"), 2, True),
    ("standard_error_percent", gettext_lazy("Standard error"), 2, True),
)
# The pooled figures of an item over every test that showed it (the bank's item page).
POOLED_FIGURES = (
    ("facility", gettext_lazy("Facility index, %"), 2),
    ("sd", gettext_lazy("Standard deviation, %"), 2),
    ("discrimination_index", gettext_lazy("Discrimination index, %"), 2),
    ("discriminative_efficiency", gettext_lazy("Discriminative efficiency, %"), 2),
    ("upper_lower_index", gettext_lazy("Upper–lower index, %"), 2),
    ("rasch_difficulty", gettext_lazy("Difficulty on the bank's Rasch scale"), 2),
    ("rasch_difficulty_se", gettext_lazy("SE of the Rasch difficulty"), 2),
)


# --- Helpers --------------------------------------------------------------------------------------------------


def _display(value, decimals: int = 2) -> str:
    """A figure as the page shows it: rounded, with the language's decimal separator; "—" when missing."""
    if value is None:
        return "—"
    return number_format(round(float(value), decimals) + 0.0, decimal_pos=decimals)  # + 0.0: no "-0.00"


def _tick(value: float) -> str:
    return f"{value:g}".replace(".", get_format("DECIMAL_SEPARATOR")).replace("-", "−")


def _svg(markup: str) -> str:
    return mark_safe(markup)  # noqa: S308 - charts.line_chart escapes every text it writes


def _exam(request, exam_id: int) -> Exam:
    """The test if the user reads the bank and sees the test; else 404 (as the test's other pages)."""
    if not can_read_bank(request.user):
        raise Http404(_("Test not found."))
    try:
        return access_exam_by_id(request.user, exam_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _manages(user, exam: Exam) -> bool:
    return exams_manageable_by(user).filter(pk=exam.pk).exists()


def _flags(flags: list[dict]) -> list[dict]:
    return [{"code": flag["code"], "label": LABELS.get(flag["code"], flag["code"]), "detail": flag.get("detail", "")}
            for flag in flags or []]


def _text(texts, language: str) -> str:
    texts = texts if isinstance(texts, dict) else {}
    value = texts.get(language) or texts.get("kk") or texts.get("ru") or ""
    plain = " ".join(html.unescape(strip_tags(value)).split())
    return plain if len(plain) <= 90 else plain[:89] + "…"


def _option_texts(document: dict) -> dict[str, str]:
    """Option id → its text in the page's language (Kazakh, then Russian, when the item lacks it)."""
    language = current_language()
    options = list(document.get("options") or [])
    for step in document.get("steps") or []:
        options.extend(step.get("options") or [])
    return {str(option.get("id")): _text(option.get("text"), language) for option in options}


def _distractors(rows: list[dict], texts: dict[str, str]) -> list[dict]:
    return [{"option": row["option"], "text": texts.get(str(row["option"]), ""), "correct": row["correct"],
             "cells": [_display(row.get(group), 1) for group in ("lower", "middle", "upper", "total")]}
            for row in rows or []]


def _information_chart(*, chart_id: str, b, a, title: str, y_max: float, theta=THETA, width: int = 560,
                       height: int = 240) -> str:
    information = irt.item_information(theta, b, a).sum(axis=1)
    fine = irt.item_information(THETA, b, a).sum(axis=1)  # the peak told in words, on the finer grid
    peak = int(np.argmax(fine))
    description = _("Information is highest, %(peak)s, at θ = %(theta)s.") % {
        "peak": _display(fine[peak], 2), "theta": _display(THETA[peak], 2)}
    return _svg(charts.line_chart(
        [charts.Series(points=list(zip(theta.tolist(), information.tolist(), strict=True)))],
        chart_id=chart_id, title=title, description=description, x_label=_("ability θ"), y_label=_("information"),
        width=width, height=height, x_range=(-4.0, 4.0), y_range=(0.0, y_max), number=_tick,
        y_ticks=[(value, _tick(value)) for value in charts.nice_ticks(0.0, y_max, 4) if value <= y_max + 1e-9]))


def _round_up(value: float) -> float:
    """The smallest round tick at or above ``value`` (the top of a chart's scale)."""
    return max(charts.nice_ticks(0.0, max(value, 1e-6), 4))


# --- A test's statistics --------------------------------------------------------------------------------------


def _item_cells(row: dict) -> list[tuple[str, float | None]]:
    """(as shown, as stored) for each figure of ITEM_FIGURES + IRT_FIGURES."""
    cells = []
    for key, _label, decimals in ITEM_FIGURES:
        value = row.get(key)
        shown = _("negative covariance") if key == "effective_weight" and row.get("negative_covariance") else (
            _display(value, decimals))
        cells.append((shown, value))
    fit = row.get("fit") or {}
    for key, _label, decimals in IRT_FIGURES:
        value = fit.get("p_value") if key == "fit_p" else row.get(key)
        cells.append((_display(value, decimals), value))
    return cells


def _test_context(exam: Exam, analysis: TestAnalysis) -> dict:
    figures = analysis.test or {}
    max_score = figures.get("max_score")
    shown_figures = [{"label": label, "value": _display(figures.get(key), decimals), "percent": percent,
                      "marks": _display(figures.get(key.removesuffix("_percent")), 2)
                      if key.endswith("_percent") and max_score else None}
                     for key, label, decimals, percent in TEST_FIGURES]
    documents = {item.pk: (item.current.document if item.current_id else {})
                 for item in Item.objects.filter(pk__in=[row["item_id"] for row in analysis.items])
                 .select_related("current")}
    calibrated = [row for row in analysis.items if row.get("difficulty") is not None]
    b = np.array([row["difficulty"] for row in calibrated])
    a = np.array([row.get("discrimination") or 1.0 for row in calibrated])
    item_peak = _round_up(float((a * a).max() / 4)) if calibrated else 0.25
    items = []
    for row in analysis.items:
        entry = {"id": row["item_id"], "position": row.get("position"), "name": row.get("name") or "—",
                 "cells": _item_cells(row), "flags": _flags(row.get("flags")), "n": row.get("n"),
                 "distractors": _distractors(row.get("distractors"), _option_texts(documents.get(row["item_id"], {})))}
        if row.get("difficulty") is not None:
            entry["chart"] = _information_chart(
                chart_id=f"item-info-{row['item_id']}", b=[row["difficulty"]], a=[row.get("discrimination") or 1.0],
                title=_("Item information: %(name)s") % {"name": entry["name"]}, y_max=item_peak, theta=ITEM_THETA,
                width=360, height=180)
        items.append(entry)
    context = {"figures": shown_figures, "max_score": _display(max_score, 2), "items": items,
               "item_headings": [label for _key, label, _d in ITEM_FIGURES + IRT_FIGURES],
               "irt_min": IRT_MIN_ATTEMPTS, "flag_min": MIN_ATTEMPTS}
    if calibrated:
        total = irt.test_information(THETA, b, a)
        context["test_chart"] = _information_chart(chart_id="test-info", b=b, a=a, y_max=_round_up(float(total.max())),
                                                   title=_("Test information curve"))
        at = irt.test_information(np.array(THETA_TABLE, dtype=float), b, a)
        context["test_table"] = [{"theta": _tick(theta), "information": _display(value, 2),
                                  "se": _display(1 / np.sqrt(value), 2) if value > 0 else "—"}
                                 for theta, value in zip(THETA_TABLE, at.tolist(), strict=True)]
    newest = analysable_attempts(Exam.objects.filter(pk=exam.pk)).aggregate(last=Max("submitted_at"))["last"]
    context["stale"] = bool(newest and (analysis.last_submitted_at is None or newest > analysis.last_submitted_at))
    return context


@login_required
@require_GET
def test_statistics(request, exam_id: int):
    exam = _exam(request, exam_id)
    analysis = TestAnalysis.objects.filter(exam=exam).first()
    context = {"exam": exam, "analysis": analysis, "manage": _manages(request.user, exam)}
    if analysis is not None:
        context.update(_test_context(exam, analysis))
    return render(request, "psychometrics/test.html", context)


@login_required
@require_POST
def test_refresh(request, exam_id: int):
    """Queue the test's analysis (the worker runs it; the page shows the result once it is stored)."""
    exam = _exam(request, exam_id)
    if not _manages(request.user, exam):
        raise PermissionDenied
    refresh_test.enqueue(exam.pk, request.user.pk)
    messages.success(request, _("The statistics are being recomputed. Reload this page in a minute to see them."))
    return redirect("psychometrics:test", exam_id=exam.pk)


@login_required
@require_GET
def test_statistics_xlsx(request, exam_id: int):
    """The item table as stored (unrounded), and the test's figures."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    exam = _exam(request, exam_id)
    analysis = TestAnalysis.objects.filter(exam=exam).first()
    if analysis is None:
        raise Http404(_("No statistics yet."))
    workbook = Workbook()
    bold = Font(bold=True)
    items = workbook.active
    items.title = _("Items")[:31]
    items.append([_("Position in the test"), _("Item number"), _("Item name"), _("Attempts"),
                  *[str(label) for _k, label, _d in ITEM_FIGURES], _("Negative covariance"),
                  *[str(label) for _k, label, _d in IRT_FIGURES], _("Flags")])
    for row in analysis.items:
        cells = _item_cells(row)
        items.append([row.get("position"), row["item_id"], row.get("name"), row.get("n"),
                      *[value for _shown, value in cells[:len(ITEM_FIGURES)]],
                      _("yes") if row.get("negative_covariance") else _("no"),
                      *[value for _shown, value in cells[len(ITEM_FIGURES):]],
                      "; ".join(f"{flag['label']} ({flag['detail']})" for flag in _flags(row.get("flags")))])
    test = workbook.create_sheet(_("Test")[:31])
    test.append([_("Figure"), _("Value")])
    figures = analysis.test or {}
    test.append([_("Test"), exam.title])
    test.append([_("Computed"), timezone.localtime(analysis.computed_at).replace(tzinfo=None)])
    test.append([_("Attempts analysed"), analysis.attempts])
    test.append([_("Maximum score"), figures.get("max_score")])
    for key, label, _decimals, percent in TEST_FIGURES:
        test.append([f"{label}, %" if percent else str(label), figures.get(key)])
    for sheet in (items, test):
        for cell in sheet[1]:
            cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="test-{exam.pk}-item-statistics.xlsx"'
    return response


# --- Entry vs final -------------------------------------------------------------------------------------------


def _summary_cells(summary: gains.GainSummary) -> dict:
    gain = summary.gain
    return {"n": summary.n, "pre": _display(summary.pre_mean, 1), "post": _display(summary.post_mean, 1),
            "gain": _display(gain.mean, 2), "low": _display(gain.low, 2), "high": _display(gain.high, 2),
            "gain_n": gain.n, "group_gain": _display(summary.group_gain, 2), "undefined": summary.undefined}


@login_required
@require_GET
def pre_post_report(request, exam_id: int):
    """A final test against its entry test: each participant who took both, the group, and each topic."""
    exam = _exam(request, exam_id)
    if exam.pre_test_id is None:
        raise Http404(_("This test has no entry test."))
    pre_exam = _exam(request, exam.pre_test_id)
    pre = {attempt.person_id: attempt for attempt in final_attempts(pre_exam)}
    post = {attempt.person_id: attempt for attempt in final_attempts(exam)}
    both = sorted(set(pre) & set(post), key=lambda pid: (post[pid].person.surname, post[pid].person.first_name, pid))
    rows = []
    for person_id in both:
        before, after = float(pre[person_id].percent or 0), float(post[person_id].percent or 0)
        rows.append({"name": post[person_id].person.full_name, "pre": _display(before, 1), "post": _display(after, 1),
                     "gain": _display(gains.normalised_gain(before, after), 2), "pair": (before, after)})
    overall = gains.summarise([row["pair"] for row in rows])
    percents = topic_percents([pre[pid].pk for pid in both] + [post[pid].pk for pid in both])
    post_of = {pre[pid].pk: post[pid].pk for pid in both}  # entry attempt → the same person's final attempt
    by_topic: dict[int | None, list[tuple[float, float]]] = defaultdict(list)
    for (attempt_id, topic_id), before in sorted(percents.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        after = percents.get((post_of.get(attempt_id), topic_id))
        if attempt_id in post_of and after is not None:
            by_topic[topic_id].append((before, after))
    names = {topic.pk: topic.name for topic in Topic.objects.all()}
    topics = sorted(({"name": names.get(topic_id, "—"), **_summary_cells(gains.summarise(pairs))}
                     for topic_id, pairs in by_topic.items()), key=lambda row: row["name"])
    return render(request, "psychometrics/pre_post.html", {
        "exam": exam, "pre_exam": pre_exam, "rows": rows, "overall": _summary_cells(overall), "topics": topics,
        "resamples": gains.RESAMPLES, "seed": gains.SEED, "printed": timezone.now(),
        "only_pre": len(set(pre) - set(post)), "only_post": len(set(post) - set(pre)),
        "manage": _manages(request.user, exam)})


# --- The bank's health ----------------------------------------------------------------------------------------


def _topic_rows(topics: list[Topic], counts: dict, columns: list) -> list[dict]:
    """One row per topic (and "no topic" when some items have none): the counts per column and their total."""
    rows = []
    for topic_id, name in [(topic.pk, topic.name) for topic in topics] + [(None, _("No topic"))]:
        cells = [counts.get((topic_id, column), 0) for column in columns]
        if topic_id is None and not any(cells):
            continue
        rows.append({"name": name, "cells": cells, "total": sum(cells)})
    return rows


def _totals(rows: list[dict], width: int) -> dict:
    return {"cells": [sum(row["cells"][i] for row in rows) for i in range(width)], "total": sum(r["total"] for r in rows)}


@login_required
@require_GET
def bank_health(request):
    user = request.user
    if not can_read_bank(user):
        raise PermissionDenied
    items = items_visible_to(user)
    topics = list(Topic.objects.all())
    statuses = list(ItemStatus.choices)
    by_status = {(topic_id, status): n for topic_id, status, n in
                 items.order_by().values_list("topic_id", "status").annotate(n=Count("pk"))}
    status_rows = _topic_rows(topics, by_status, [value for value, _label in statuses])
    drawable = drawable_items().filter(pk__in=items.values("pk"))
    by_language = {}
    for topic_id, kk, ru, total in drawable.order_by().values_list("topic_id").annotate(
            kk=Count("pk", filter=Q(has_kk=True)), ru=Count("pk", filter=Q(has_ru=True)), total=Count("pk")):
        by_language.update({(topic_id, "kk"): kk, (topic_id, "ru"): ru, (topic_id, "all"): total})
    language_rows = _topic_rows(topics, by_language, ["kk", "ru", "all"])
    by_difficulty = {(topic_id, difficulty): n for topic_id, difficulty, n in
                     drawable.order_by().values_list("topic_id", "difficulty").annotate(n=Count("pk"))}
    levels = [1, 2, 3, 4, 5, None]
    difficulty_rows = _topic_rows(topics, by_difficulty, levels)
    pool = pool_counter()
    return render(request, "psychometrics/bank.html", {
        "statuses": statuses, "status_rows": status_rows, "status_totals": _totals(status_rows, len(statuses)),
        "language_rows": language_rows,
        "levels": levels, "difficulty_rows": difficulty_rows, "difficulty_totals": _totals(difficulty_rows, 6),
        "shortages": blueprint_shortages(user, pool, {topic.code: topic.name for topic in topics}),
        "exposure": exposure(items, pool), "flagged": flag_counts(items), "amended": amended_items(items),
    })


# --- An item in the bank --------------------------------------------------------------------------------------


def item_statistics(item: Item, user) -> dict | None:
    """What the bank's item page shows of the item's pooled statistics (None before any analysis)."""
    analysis = ItemAnalysis.objects.filter(item=item).first()
    if analysis is None:
        return None
    figures = analysis.figures or {}
    return {
        "analysis": analysis,
        "figures": [{"label": label, "value": _display(figures.get(key), decimals)}
                    for key, label, decimals in POOLED_FIGURES if figures.get(key) is not None],
        "distractors": _distractors(analysis.distractors, _option_texts(item.current.document if item.current_id
                                                                         else {})),
        "flags": _flags(analysis.flags),
        "curve": _item_curve(figures.get("rasch_difficulty")),
        "may_send_back": can_review_items(user) and ItemStatus.REVIEW in bank.TRANSITIONS.get(item.status, set()),
        "flag_min": MIN_ATTEMPTS,
    }


def _item_curve(difficulty: float | None) -> str | None:
    """The item's information curve on the bank's Rasch scale (a = 1: the peak, 0.25, is at its difficulty)."""
    if difficulty is None:
        return None
    return _information_chart(chart_id="item-information", b=[difficulty], a=[1.0], y_max=0.3,
                              title=_("Item information curve (the bank's Rasch scale)"))


def flag_reason(flag: dict) -> str:
    """The review reason written on an item sent back for a flag: its label and detail."""
    return _("Item statistics: %(flag)s (%(detail)s).") % {"flag": LABELS.get(flag["code"], flag["code"]),
                                                          "detail": flag.get("detail", "")}


@login_required
@require_POST
def item_send_back(request, item_id: int):
    """Send an item back to review for one of its flags (the reason is the flag's, not typed)."""
    try:
        item = access_item_by_id(request.user, item_id)
    except NotFound as error:
        raise Http404(error.message) from None
    if not can_review_items(request.user):
        raise PermissionDenied
    analysis = ItemAnalysis.objects.filter(item=item).first()
    code = request.POST.get("flag", "")
    flag = next((flag for flag in (analysis.flags if analysis else []) if flag["code"] == code), None)
    if flag is None:
        messages.error(request, _("This flag is no longer raised: the statistics have changed since the page was "
                                  "shown."))
        return redirect("assessment:bank_item", item.pk)
    try:
        bank.item_set_status(by=request.user, item=item, status=ItemStatus.REVIEW, reason=flag_reason(flag))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item was sent back to review."))
    return redirect("assessment:bank_item", item.pk)


# --- A person's history ---------------------------------------------------------------------------------------


def _ability_chart(attempts: list[Attempt]) -> str | None:
    measured = [attempt for attempt in attempts if getattr(attempt, "ability", None) is not None]
    if not measured:
        return None
    days = [attempt.submitted_at.timestamp() / 86400 for attempt in measured]
    labels = {}
    for attempt, day in zip(measured, days, strict=True):
        labels.setdefault(date_format(timezone.localtime(attempt.submitted_at), "Y-m-d"), day)
    shown = list(labels.items())
    if len(shown) > 4:
        shown = [shown[round(i * (len(shown) - 1) / 3)] for i in range(4)]
    low, high = min(days), max(days)
    if high - low < 1:  # all on one day: a day either side
        low, high = low - 1, high + 1
    else:
        pad = (high - low) * 0.05
        low, high = low - pad, high + pad
    thetas = [attempt.ability.theta for attempt in measured]
    first, last = measured[0].ability, measured[-1].ability
    description = _("%(count)s estimates from %(first)s (θ = %(first_theta)s) to %(last)s (θ = %(last_theta)s).") % {
        "count": len(measured), "first": shown[0][0], "last": shown[-1][0],
        "first_theta": _display(first.theta, 2), "last_theta": _display(last.theta, 2)}
    top = max(3.0, max(abs(t) + s for t, s in zip(thetas, [a.ability.se for a in measured], strict=True)))
    return _svg(charts.line_chart(
        [charts.Series(points=list(zip(days, thetas, strict=True)), errors=[a.ability.se for a in measured],
                       markers=True)],
        chart_id="ability", title=_("Ability over time"), description=description, x_label=_("date"),
        y_label=_("ability θ"), width=560, height=220, x_range=(low, high), y_range=(-top, top),
        x_ticks=[(day, label) for label, day in shown], number=_tick))


def _history(request, person, attempts):
    attempts = list(attempts.filter(person=person, status=AttemptStatus.SUBMITTED)
                    .select_related("exam", "ability").order_by("submitted_at", "pk"))
    # Links to a test's statistics only where the viewer may open them.
    linked = set(exams_visible_to(request.user).filter(pk__in={a.exam_id for a in attempts})
                 .values_list("pk", flat=True)) if can_read_bank(request.user) else set()
    rows = [{"attempt": attempt, "exam": attempt.exam, "percent": _display(attempt.percent, 1),
             "ability": getattr(attempt, "ability", None), "link": attempt.exam_id in linked}
            for attempt in attempts]
    for row in rows:
        ability = row["ability"]
        row["theta"] = _display(ability.theta, 2) if ability else "—"
        row["se"] = _display(ability.se, 2) if ability else "—"
    return render(request, "psychometrics/person.html", {
        "person": person, "rows": rows, "chart": _ability_chart(attempts),
        "own": request.user.person_id == person.pk})


@login_required
@require_GET
def person_history(request, person_id: int):
    try:
        person = access_person_by_id(request.user, person_id)
    except NotFound as error:
        raise Http404(error.message) from None
    return _history(request, person, attempts_visible_to(request.user))


@login_required
@require_GET
def my_history(request):
    user = request.user
    if not user.person_id:
        raise Http404(_("Your account is not linked to a person in the registry."))
    return _history(request, user.person, Attempt.objects.filter(person_id=user.person_id))


"""The dashboards (national for the CEC, regional for a coordinator), the lists behind their figures, the exports
and the annual report. Every figure comes from ``figures`` over the newest snapshot (``selectors``)."""

from __future__ import annotations

import datetime

import numpy as np
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

from . import charts, documents, exports, figures, lists
from .facts import Facts
from .figures import Filter
from .forms import FilterForm
from .scoping import can_see_reports, is_national, scoped_filter
from .selectors import current_facts, page_of
from .tables import Names, Table, dashboard_tables, filter_query, month_name

PER_PAGE = 50


def _default_year(facts: Facts) -> int:
    """This year, or the latest year with events if this one has none yet."""
    this_year = timezone.localdate().year
    years = {datetime.date.fromordinal(int(d)).year for d in np.unique(facts.ev_date)}
    past = [year for year in years if year <= this_year]
    return this_year if this_year in years or not past else max(past)


def _context(request) -> tuple[Facts, datetime.datetime, Filter, FilterForm]:
    if not can_see_reports(request.user):
        raise PermissionDenied
    facts, as_of = current_facts()
    form = FilterForm(request.GET or None, national=is_national(request.user))
    flt = scoped_filter(request.user, form.to_filter(_default_year(facts)))
    if not request.GET:
        form = FilterForm(initial={"year": flt.year}, national=is_national(request.user))
    return facts, as_of, flt, form


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _charts(data: dict, names: Names, flt: Filter) -> dict:
    months = data["events"]["by_month"]
    share = {row["region"]: row["percent"] for row in data["cascade"]["member_share"]}
    links = {} if flt.region else {
        iso: f"?{filter_query(flt, region=iso)}" for iso in share}
    people = data["people"]["by_region"]
    cumulative = data["cumulative"]
    return {
        "cumulative": charts.line_chart(
            [month_name(m)[:3] for m in range(1, 13)],
            [(str(flt.year), cumulative["year"]), (str(flt.year - 1), cumulative["previous"])],
            id="chart-cumulative", title=_("People covered since 1 January"),
            description=_("Distinct people covered from the start of the year to the end of each month, this year "
                          "and the year before.")),
        "events_month": charts.grouped_bar_chart(
            [month_name(m["month"])[:3] for m in months],
            [(_("Planned"), [m["planned"] for m in months]), (_("Held"), [m["held"] for m in months])],
            id="chart-events-month", title=_("Events by month"),
            description=_("Events planned and held in each month of the year.")),
        "people_region": charts.bar_chart(
            [(names.region(row["region"]), row["people"]) for row in people], id="chart-people-region",
            title=_("People covered by region"), description=_("Distinct people covered in each region.")),
        "map": charts.region_map(
            {iso: share.get(iso) for iso in names.regions}, id="chart-map", title=_("Commission members trained, %"),
            description=_("Share of current commission members trained in the period, by region."),
            labels=names.regions, legend_title=_("Members trained, %"), no_data_label=_("no data"),
            links=links or None),
        "topics": charts.bar_chart(
            [(names.topics.get(t["topic"], t["topic"]), t["percent"]) for t in data["tests"]["topics"][:10]],
            id="chart-topics", title=_("Weakest topics"), description=_("Test results by topic, weakest first."),
            unit="%", max_value=100),
    }


@gzip_page  # the map's shapes are most of the page: 130 KB, 28 KB compressed (BREACH-mitigated since Django 4.2)
@login_required
def dashboard(request):
    facts, as_of, flt, form = _context(request)
    data = figures.dashboard(facts, flt)
    names = Names()
    return render(request, "reports/dashboard.html", {
        "form": form, "filter": flt, "as_of": as_of, "data": data, "tables": dashboard_tables(data, flt, names),
        "charts": _charts(data, names, flt), "query": filter_query(flt), "names": names,
        "national": is_national(request.user),
        "scope": documents.scope_line(flt, names, as_of), "region_name": names.region(flt.region),
    })


@login_required
def table_export(request, name: str, fmt: str):
    """One table of the dashboard as CSV or XLSX, or every table in one workbook (``name`` "all", XLSX)."""
    facts, as_of, flt, _form = _context(request)
    data = figures.dashboard(facts, flt)
    names = Names()
    tables = dashboard_tables(data, flt, names)
    stamp = f"{flt.year}{('-' + flt.region) if flt.region else ''}"
    if name == "all" and fmt == "xlsx":
        return _download(exports.xlsx(list(tables.values()), heading=documents.scope_line(flt, names, as_of)),
                         exports.XLSX_TYPE, f"report-{stamp}.xlsx")
    if name not in tables:
        raise Http404
    if fmt == "csv":
        return _download(exports.csv(tables[name]), "text/csv; charset=utf-8", f"{name}-{stamp}.csv")
    if fmt == "xlsx":
        return _download(exports.xlsx([tables[name]], heading=documents.scope_line(flt, names, as_of)),
                         exports.XLSX_TYPE, f"{name}-{stamp}.xlsx")
    raise Http404


@login_required
def dashboard_pdf(request):
    facts, as_of, flt, _form = _context(request)
    title, blocks = documents.dashboard_document(figures.dashboard(facts, flt), flt, as_of)
    language = translation.get_language() or "kk"
    return _download(documents.to_pdf(title, blocks, language=language), "application/pdf",
                     f"dashboard-{flt.year}{('-' + flt.region) if flt.region else ''}.pdf")


@login_required
def annual_report(request, year: int):
    """The annual electoral training report of ``year`` in Kazakh or Russian (``?language=kk|ru``), as DOCX or
    PDF (``?format=docx|pdf``); a coordinator gets their region's."""
    if not can_see_reports(request.user):
        raise PermissionDenied
    language = request.GET.get("language", "kk")
    fmt = request.GET.get("format", "docx")
    if language not in ("kk", "ru") or fmt not in ("docx", "pdf") or not 2000 <= year <= 2100:
        raise Http404
    facts, as_of = current_facts()
    region = request.GET.get("region", "") if is_national(request.user) else ""
    flt = scoped_filter(request.user, Filter(year=year, region=region))
    with translation.override(language):
        title, blocks = documents.annual_document(figures.dashboard(facts, flt), flt, as_of)
        name = f"annual-report-{year}{('-' + flt.region) if flt.region else ''}-{language}.{fmt}"
        if fmt == "docx":
            return _download(documents.to_docx(title, blocks, language=language), documents.DOCX_TYPE, name)
        return _download(documents.to_pdf(title, blocks, language=language), "application/pdf", name)


# --- The lists behind the figures -----------------------------------------------------------------------------


def _list_page(request, table_for_page, ids: np.ndarray, *, title: str, flt: Filter, as_of, kind: str):
    """A page of the list (or all of it as XLSX/CSV with ``?export=``)."""
    export = request.GET.get("export")
    if export in ("xlsx", "csv"):
        table: Table = table_for_page([int(i) for i in ids])
        if export == "csv":
            return _download(exports.csv(table), "text/csv; charset=utf-8", f"{kind}-{flt.year}.csv")
        return _download(exports.xlsx([table], heading=title), exports.XLSX_TYPE, f"{kind}-{flt.year}.xlsx")
    page_ids, page, pages = page_of(ids, _int(request.GET.get("page"), 1), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "reports/list.html", {
        "title": title, "table": table_for_page(page_ids), "count": len(ids), "page": page, "pages": pages,
        "query": query.urlencode(), "filter": flt, "as_of": as_of, "dashboard_query": filter_query(flt),
        "scope": documents.scope_line(flt, Names(), as_of),
    })


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def people_list(request):
    facts, as_of, flt, _form = _context(request)
    ids, counts = figures.people_ids(facts, flt, region=request.GET.get("by_region", ""),
                                     audience=request.GET.get("by_audience", ""),
                                     level=request.GET.get("by_level", ""), format=request.GET.get("by_format", ""))
    attended = dict(zip(ids.tolist(), counts.tolist(), strict=True))
    return _list_page(request, lambda page: lists.people(page, attended), ids, title=_("People covered"), flt=flt,
                      as_of=as_of, kind="people")


@login_required
def events_list(request):
    facts, as_of, flt, _form = _context(request)
    ids = figures.event_ids(facts, flt, status=request.GET.get("status", ""), kind=request.GET.get("kind", ""),
                            month=_int(request.GET.get("month"), 0))
    return _list_page(request, lists.events, ids, title=_("Events"), flt=flt, as_of=as_of, kind="events")


@login_required
def commissions_list(request):
    facts, as_of, flt, _form = _context(request)
    state = request.GET.get("state", "none")
    ids, trained = figures.commission_ids(facts, flt, state=state, level=request.GET.get("level", "precinct"))
    titles = {"all": _("Commissions with all members trained"), "some": _("Commissions with some members trained"),
              "none": _("Commissions with no member trained"), "chair_untrained": _("Commissions whose chair is untrained")}
    return _list_page(request, lambda page: lists.commissions(page, trained), ids,
                      title=titles.get(state, titles["none"]), flt=flt, as_of=as_of, kind="commissions")


@login_required
def results_list(request):
    facts, as_of, flt, _form = _context(request)
    ids = figures.attempt_ids(facts, flt, outcome=request.GET.get("outcome", ""))
    return _list_page(request, lists.results, ids, title=_("Test results"), flt=flt, as_of=as_of, kind="results")


@login_required
def certificates_list(request):
    facts, as_of, flt, _form = _context(request)
    verified = request.GET.get("verified") == "1"
    ids = figures.certificate_ids(facts, flt, verified=verified)
    return _list_page(request, lists.certificates, ids,
                      title=_("Certificates verified") if verified else _("Certificates issued"), flt=flt,
                      as_of=as_of, kind="certificates")

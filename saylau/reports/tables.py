"""The dashboard's figures as named tables with translated headings: the page, the XLSX/CSV exports, the
dashboard PDF and the annual report all show these same tables, so their numbers cannot drift apart."""

from __future__ import annotations

import datetime
import urllib.parse
from dataclasses import dataclass, field, replace

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from saylau.assessment.models import Topic
from saylau.commissions.models import Level as CommissionLevel
from saylau.commissions.models import Region
from saylau.training.models import Audience, Format, Kind, TrainingLevel

from .figures import Filter


@dataclass
class Row:
    cells: list
    link: str = ""  # the list behind the row's figures


@dataclass
class Table:
    name: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def values(self) -> list[list]:
        return [row.cells for row in self.rows]


class Names:
    """What the codes in the figures are called, in the current language (a few small queries)."""

    def __init__(self):
        self.regions = {r.iso_code: r.name for r in Region.objects.all()}
        self.audiences = {a.code: a.name for a in Audience.objects.all()}
        self.topics = {t.code: t.name for t in Topic.objects.all()}
        self.kinds = dict(Kind.choices)
        self.levels = dict(TrainingLevel.choices)
        self.formats = dict(Format.choices)
        self.commission_levels = dict(CommissionLevel.choices)

    def region(self, iso: str) -> str:
        return self.regions.get(iso, iso) if iso else _("No region (national)")


def filter_query(flt: Filter, **extra) -> str:
    params = {"year": flt.year, "period": flt.period, "region": flt.region, "level": flt.level,
              "audience": flt.audience, **extra}
    return urllib.parse.urlencode({key: value for key, value in params.items() if value not in ("", None, 0)})


def link(name: str, flt: Filter, **extra) -> str:
    return f"{reverse(name)}?{filter_query(flt, **extra)}"


def quarter_label(quarter: int) -> str:
    return _("Quarter %(number)s") % {"number": quarter} if quarter else _("No quarter set")


def summary_table(data: dict, previous: dict, flt: Filter) -> Table:
    """The headline figures against the previous year."""
    rows = [
        (_("Events planned"), "events_planned", link("reports:events", flt)),
        (_("Events held"), "events_held", link("reports:events", flt, status="held")),
        (_("Events cancelled"), "events_cancelled", link("reports:events", flt, status="cancelled")),
        (_("People covered (distinct)"), "people_covered", link("reports:people", flt)),
        (_("Person-events"), "person_events", link("reports:people", flt)),
        (_("Certificates issued"), "certificates_issued", link("reports:certificates", flt)),
        (_("Certificates verified"), "certificates_verified", link("reports:certificates", flt, verified=1)),
        (_("Tests taken (final and distance)"), "tests_taken", link("reports:results", flt)),
        (_("Pass rate, %"), "pass_rate", link("reports:results", flt, outcome="passed")),
        (_("Average normalised gain, entry → final test"), "average_gain", link("reports:results", flt)),
    ]
    table = Table("summary", _("Headline figures"), [_("Figure"), str(flt.year), str(flt.year - 1), _("Change")])
    for label, key, url in rows:
        now, before = data[key], previous[key]
        change = round(now - before, 3) if now is not None and before is not None else None
        table.rows.append(Row([label, now, before, change], url))
    return table


def dashboard_tables(figures: dict, flt: Filter, names: Names) -> dict[str, Table]:
    tables = {"summary": summary_table(figures["summary"], figures["previous"], flt)}
    roadmap = figures["roadmap"]
    tables["roadmap_quarters"] = Table(
        "roadmap_quarters", _("Roadmap execution by quarter"), [_("Quarter"), _("Planned"), _("Held")],
        [Row([quarter_label(q["quarter"]), q["planned"], q["held"]]) for q in roadmap["quarters"]],
        note=_("Roadmap items of the year; an item is held when its events were held (partly held counts)."))
    tables["roadmap_kinds"] = Table(
        "roadmap_kinds", _("Roadmap execution by kind"), [_("Kind"), _("Planned"), _("Held")],
        [Row([names.kinds.get(k["kind"], k["kind"]), k["planned"], k["held"]]) for k in roadmap["kinds"]])
    events = figures["events"]
    for key, title, labels, field_name in (
        ("events_kind", _("Events by kind"), names.kinds, "kind"),
        ("events_level", _("Events by level"), names.levels, "level"),
        ("events_format", _("Events by format"), names.formats, "format"),
    ):
        tables[key] = Table(key, title, [_("Category"), _("Planned"), _("Held"), _("Cancelled")], [
            Row([labels.get(row[field_name], row[field_name]), row["planned"], row["held"], row["cancelled"]],
                link("reports:events", flt, **({"kind": row[field_name]} if field_name == "kind" else {})))
            for row in events[f"by_{field_name}"]])
    tables["events_month"] = Table("events_month", _("Events by month"), [_("Month"), _("Planned"), _("Held")], [
        Row([month_name(m["month"]), m["planned"], m["held"]], link("reports:events", flt, month=m["month"]))
        for m in events["by_month"]])

    people = figures["people"]
    columns = [_("Category"), _("People (distinct)"), _("Person-events")]
    tables["people_region"] = Table("people_region", _("People covered by region"), [_("Region"), *columns[1:]], [
        Row([names.region(r["region"]), r["people"], r["person_events"]], link("reports:people", flt, by_region=r["region"]))
        for r in people["by_region"]], note=_("A person counts in the region of the commission they sat on when "
                                              "enrolled: someone who trained in two regions counts in both, "
                                              "and once in the total."))
    if people["without_region"]["person_events"]:
        tables["people_region"].rows.append(Row([names.region(""), people["without_region"]["people"],
                                                 people["without_region"]["person_events"]]))
    tables["people_audience"] = Table("people_audience", _("People covered by audience"), columns, [
        Row([names.audiences.get(r["audience"], r["audience"]), r["people"], r["person_events"]],
            link("reports:people", flt, by_audience=r["audience"])) for r in people["by_audience"]],
        note=_("An event for several audiences counts under each of them."))
    tables["people_level"] = Table("people_level", _("People covered by level"), columns, [
        Row([names.levels.get(r["level"], r["level"]), r["people"], r["person_events"]],
            link("reports:people", flt, by_level=r["level"])) for r in people["by_level"]])
    tables["people_format"] = Table("people_format", _("People covered by format"), columns, [
        Row([names.formats.get(r["format"], r["format"]), r["people"], r["person_events"]],
            link("reports:people", flt, by_format=r["format"])) for r in people["by_format"]])
    tables["targets"] = Table("targets", _("Coverage against targets"),
                              [_("Region"), _("Audience"), _("Target"), _("Reached"), _("Reached, %")], [
        Row([names.region(t["region"]), names.audiences.get(t["audience"], t["audience"]), t["target"], t["reached"],
             t["percent"]], f"{reverse('training:coverage')}?year={flt.year}&region={t['region']}")
        for t in figures["targets"]], note=_("Members counted where they sit now, as on the coverage page."))

    cascade = figures["cascade"]
    tables["cascade"] = Table("cascade", _("Precinct commissions by share of members trained"),
                              [_("Members trained"), _("Commissions"), _("Share, %")], [
        Row([label, cascade[state], cascade["percent"][state]],
            link("reports:commissions", flt, state=state))
        for state, label in (("all", _("all")), ("some", _("some")), ("none", _("none")))])
    tables["cascade_region"] = Table("cascade_region", _("Precinct commissions by region"),
                                     [_("Region"), _("All trained"), _("Some"), _("None"), _("All trained, %")], [
        Row([names.region(r["region"]), r["all"], r["some"], r["none"], r["percent_all"]],
            link("reports:commissions", replace_region(flt, r["region"]), state="none")) for r in cascade["by_region"]])
    tables["chairs"] = Table("chairs", _("Commissions whose chair is untrained"),
                             [_("Level"), _("Commissions"), _("Chair untrained")], [
        Row([names.commission_levels.get(r["level"], r["level"]), r["commissions"], r["chair_untrained"]],
            link("reports:commissions", flt, state="chair_untrained", level=r["level"])) for r in cascade["chairs"]])
    tables["member_share"] = Table("member_share", _("Commission members trained by region"),
                                   [_("Region"), _("Members"), _("Trained"), _("Trained, %")], [
        Row([names.region(r["region"]), r["members"], r["trained"], r["percent"]]) for r in cascade["member_share"]])

    tests = figures["tests"]
    tables["tests_region"] = Table("tests_region", _("Test results by region"),
                                   [_("Region"), _("Results"), _("Final and distance tests"), _("Pass rate, %"),
                                    _("Mean, %"), _("Average gain")], [
        Row([names.region(r["region"]), r["tests"], r["graded"], r["pass_rate"], r["mean_percent"], r["average_gain"]],
            link("reports:results", replace_region(flt, r["region"]))) for r in tests["by_region"]])
    tables["topics"] = Table("topics", _("Results by topic, weakest first"), [_("Topic"), _("Result, %")], [
        Row([names.topics.get(t["topic"], t["topic"]), t["percent"]]) for t in tests["topics"]])
    tables["heat"] = Table("heat", _("Results by region and topic, %"),
                           [_("Region"), *[names.topics.get(code, code) for code in tests["heat_topics"]]], [
        Row([names.region(r["region"]), *[r["cells"].get(code) for code in tests["heat_topics"]]])
        for r in tests["heat"]])

    certificates = figures["certificates"]
    tables["certificates_region"] = Table("certificates_region", _("Certificates by region of the issuer"),
                                          [_("Region"), _("Issued"), _("Verified")], [
        Row([names.region(r["region"]), r["issued"], r["verified"]],
            link("reports:certificates", replace_region(flt, r["region"]))) for r in certificates["by_region"]])
    if certificates["national"]["issued"] or certificates["national"]["verified"]:
        tables["certificates_region"].rows.append(Row([names.region(""), certificates["national"]["issued"],
                                                       certificates["national"]["verified"]]))
    courses = figures["courses"]
    tables["courses_region"] = Table("courses_region", _("Distance course learners by region"),
                                     [_("Region"), _("Learners"), _("Completed"), _("Behind schedule"),
                                      _("Completed, %")], [
        Row([names.region(r["region"]), r["learners"], r["completed"], r["behind"], r["percent_completed"]])
        for r in courses["by_region"]], note=_("Learners enrolled in the period."))
    return tables


def replace_region(flt: Filter, region: str) -> Filter:
    return replace(flt, region=region)


def month_name(month: int) -> str:
    return date_format(datetime.date(2000, month, 1), "F")

"""Documents made of the report tables and charts: the dashboard as PDF, and the annual electoral training
report (DOCX and PDF, Kazakh or Russian).

A document is a list of blocks (headings, paragraphs, tables, figures) built once; ``to_docx`` and ``to_pdf``
lay the same blocks out, so the two files hold the same numbers."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from saylau.training.models import Event, EventStatus, Organisation

from . import images
from .figures import Filter
from .tables import Names, Row, Table, dashboard_tables, month_name, quarter_label


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str


@dataclass
class TableBlock:
    table: Table


@dataclass
class Figure:
    png: bytes
    caption: str


Block = Heading | Paragraph | TableBlock | Figure


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ") if not value.is_integer() else f"{int(value):,}".replace(",", " ")
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value)


def scope_line(flt: Filter, names: Names, as_of: datetime.datetime) -> str:
    parts = [_("Year: %(year)s") % {"year": flt.year}]
    if flt.period:
        parts.append(_("Period: %(period)s") % {"period": period_label(flt.period)})
    parts.append(_("Region: %(region)s") % {"region": names.region(flt.region) if flt.region else _("all regions")})
    if flt.level:
        parts.append(_("Level: %(level)s") % {"level": names.levels.get(flt.level, flt.level)})
    if flt.audience:
        parts.append(_("Audience: %(audience)s") % {"audience": names.audiences.get(flt.audience, flt.audience)})
    parts.append(_("Figures as of %(time)s") % {"time": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M")})
    return " · ".join(parts)


def period_label(period: str) -> str:
    if period.startswith("q"):
        return quarter_label(int(period[1:]))
    if period.startswith("m"):
        return month_name(int(period[1:]))
    return _("the whole year")


def chart_figures(figures: dict, names: Names, flt_year: int) -> dict[str, Figure]:
    """The pictures of the documents (PNG), captioned."""
    people = figures["people"]["by_region"]
    months = figures["events"]["by_month"]
    share = {row["region"]: row["percent"] for row in figures["cascade"]["member_share"]}
    result = {
        "map": Figure(images.region_map_png(
            {iso: share.get(iso) for iso in names.regions}, title="",
            labels=names.regions, legend_title=_("Members trained, %"), no_data_label=_("no data")),
            _("Share of current commission members trained, by region")),
        "events_month": Figure(images.grouped_bar_chart_png(
            [month_name(m["month"])[:3] for m in months],
            [(_("Planned"), [m["planned"] for m in months]), (_("Held"), [m["held"] for m in months])],
            title=""), _("Events planned and held, by month")),
    }
    cumulative = figures["cumulative"]
    result["cumulative"] = Figure(images.line_chart_png(
        [month_name(m)[:3] for m in range(1, 13)],
        [(str(flt_year), cumulative["year"]), (str(flt_year - 1), cumulative["previous"])],
        title=""), _("Distinct people covered since 1 January, by month"))
    if people:
        result["people_region"] = Figure(images.bar_chart_png(
            [(names.region(row["region"]), row["people"]) for row in people], title=""),
            _("Distinct people covered, by region"))
    topics = figures["tests"]["topics"]
    if topics:
        result["topics"] = Figure(images.bar_chart_png(
            [(names.topics.get(t["topic"], t["topic"]), t["percent"]) for t in topics[:10]],
            title="", unit="%", max_value=100), _("Test results by topic, weakest first"))
    return result


def dashboard_document(figures: dict, flt: Filter, as_of: datetime.datetime) -> tuple[str, list[Block]]:
    names = Names()
    tables = dashboard_tables(figures, flt, names)
    pictures = chart_figures(figures, names, flt.year)
    blocks: list[Block] = [Paragraph(scope_line(flt, names, as_of))]
    order = [("summary", None), ("roadmap_quarters", None), ("events_month", "events_month"), ("events_kind", None),
             ("events_level", None), ("people_region", "people_region"), ("people_audience", "cumulative"),
             ("people_level", None), ("people_format", None), ("targets", None), ("cascade", "map"),
             ("cascade_region", None), ("chairs", None), ("tests_region", "topics"), ("topics", None),
             ("heat", None), ("certificates_region", None), ("courses_region", None)]
    for name, picture in order:
        table = tables[name]
        if picture and picture in pictures:
            blocks.append(pictures[picture])
        if table.rows:
            blocks.append(TableBlock(table))
    return _("Electoral training dashboard"), blocks


def partners(flt: Filter) -> list[tuple[str, int]]:
    """Partner organisations of the events held in the period (in the region, if one is set), by events."""
    low, high = flt.dates()
    events = Event.objects.filter(starts_on__range=(low, high), status=EventStatus.HELD)
    if flt.region:
        events = events.filter(region__iso_code=flt.region)
    rows = (Organisation.objects.filter(event__in=events).annotate(n=Count("event", distinct=True))
            .order_by("-n", "name_ru"))
    return [(organisation.name, organisation.n) for organisation in rows]


def annual_document(figures: dict, flt: Filter, as_of: datetime.datetime) -> tuple[str, list[Block]]:
    """The year's report to a CEC meeting: what was held, whom it reached, with whom, how tests went,
    certificates, and how the year compares with the one before."""
    names = Names()
    tables = dashboard_tables(figures, flt, names)
    pictures = chart_figures(figures, names, flt.year)
    s, before = figures["summary"], figures["previous"]
    title = _("Annual report on electoral training, %(year)s") % {"year": flt.year}
    blocks: list[Block] = [Paragraph(scope_line(flt, names, as_of))]

    blocks.append(Heading(_("1. The year in figures")))
    blocks.append(Paragraph(_(
        "In %(year)s, %(held)s training events were held out of %(planned)s planned (%(cancelled)s cancelled). "
        "They covered %(people)s people (%(person_events)s person-events). %(issued)s certificates were issued. "
        "In %(previous)s: %(held_before)s events held, %(people_before)s people covered."
    ) % {"year": flt.year, "held": _number(s["events_held"]), "planned": _number(s["events_planned"]),
         "cancelled": _number(s["events_cancelled"]), "people": _number(s["people_covered"]),
         "person_events": _number(s["person_events"]), "issued": _number(s["certificates_issued"]),
         "previous": flt.year - 1, "held_before": _number(before["events_held"]),
         "people_before": _number(before["people_covered"])}))
    blocks.append(TableBlock(tables["summary"]))

    blocks.append(Heading(_("2. Roadmap execution and events held")))
    roadmap = figures["roadmap"]
    blocks.append(Paragraph(_("Of %(planned)s roadmap items, %(held)s were held (%(percent)s %%).") % {
        "planned": _number(roadmap["planned"]), "held": _number(roadmap["held"]),
        "percent": _number(roadmap["percent_held"])}))
    for name in ("roadmap_quarters", "roadmap_kinds"):
        blocks.append(TableBlock(tables[name]))
    blocks.append(pictures["events_month"])
    for name in ("events_kind", "events_level", "events_format"):
        blocks.append(TableBlock(tables[name]))

    blocks.append(Heading(_("3. People covered")))
    blocks.append(pictures["cumulative"])
    if "people_region" in pictures:
        blocks.append(pictures["people_region"])
    for name in ("people_audience", "people_region", "people_level", "people_format", "targets"):
        if tables[name].rows:
            blocks.append(TableBlock(tables[name]))

    blocks.append(Heading(_("4. The cascade down to precinct commissions")))
    cascade = figures["cascade"]
    blocks.append(Paragraph(_(
        "%(trained)s of %(members)s current commission members were trained. Of %(precincts)s precinct commissions, "
        "all members were trained in %(all)s, some in %(some)s, none in %(none)s."
    ) % {key: _number(cascade[field]) for key, field in (("trained", "members_trained"), ("members", "members"),
                                                          ("precincts", "precincts"), ("all", "all"), ("some", "some"),
                                                          ("none", "none"))}))
    blocks.append(pictures["map"])
    for name in ("cascade", "cascade_region", "chairs"):
        blocks.append(TableBlock(tables[name]))

    blocks.append(Heading(_("5. Partners")))
    partner_rows = partners(flt)
    partner_table = Table("partners", _("Partner organisations of the events held"),
                          [_("Organisation"), _("Events held")])
    partner_table.rows = [Row([name, n]) for name, n in partner_rows]
    blocks.append(TableBlock(partner_table) if partner_rows else Paragraph(_("No partner took part in the events held.")))

    blocks.append(Heading(_("6. Test results")))
    tests = figures["tests"]
    blocks.append(Paragraph(_(
        "Pass rate of final and distance tests: %(rate)s %% (%(passed)s of %(graded)s). Entry → final test: "
        "%(pre)s %% → %(post)s %% over %(matched)s participants, average normalised gain %(gain)s."
    ) % {"rate": _number(tests["pass_rate"]), "passed": _number(tests["passed"]), "graded": _number(tests["graded"]),
         "pre": _number(tests["pre_mean"]), "post": _number(tests["post_mean"]), "matched": _number(tests["matched"]),
         "gain": _number(tests["average_gain"])}))
    if "topics" in pictures:
        blocks.append(pictures["topics"])
    for name in ("tests_region", "heat"):
        if tables[name].rows:
            blocks.append(TableBlock(tables[name]))

    blocks.append(Heading(_("7. Certificates and distance courses")))
    certificates, courses = figures["certificates"], figures["courses"]
    blocks.append(Paragraph(_(
        "%(issued)s certificates were issued (%(revoked)s revoked since); %(verified)s were verified, "
        "%(checks)s checks in all. Distance courses: %(learners)s learners enrolled, %(completed)s completed."
    ) % {key: _number(value) for key, value in (
        ("issued", certificates["issued"]), ("revoked", certificates["revoked"]), ("verified", certificates["verified"]),
        ("checks", certificates["checks"]), ("learners", courses["learners"]), ("completed", courses["completed"]))}))
    for name in ("certificates_region", "courses_region"):
        if tables[name].rows:
            blocks.append(TableBlock(tables[name]))
    return title, blocks


# --- Layout -----------------------------------------------------------------------------------------------


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def to_docx(title: str, blocks: list[Block], *, language: str) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.core_properties.title = title
    document.core_properties.language = language
    document.core_properties.created = timezone.now()
    style = document.styles["Normal"]
    style.font.name = "PT Sans"
    style.font.size = Pt(10)
    document.add_heading(title, level=0)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Figure):
            document.add_picture(io.BytesIO(block.png), width=Cm(16))
            document.add_paragraph(block.caption, style="Caption")
        else:
            table = block.table
            document.add_paragraph(table.title, style="Heading 3")
            grid = document.add_table(rows=1, cols=len(table.columns), style="Table Grid")
            for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
                cell.text = str(name)
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in table.values():
                cells = grid.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = _number(value)
            if table.note:
                document.add_paragraph(table.note, style="Caption")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_pdf(title: str, blocks: list[Block], *, language: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, KeepTogether, LongTable, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Paragraph as PdfParagraph

    from saylau.certificates.fonts import prepared_fonts_dir
    from saylau.certificates.pdf import register_fonts

    register_fonts(prepared_fonts_dir())
    body = ParagraphStyle("body", fontName="cert-sans", fontSize=9.5, leading=12.5, spaceAfter=5)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    cell_style = ParagraphStyle("cell", parent=body, fontSize=8, leading=9.5, spaceAfter=0)
    headings = {0: ParagraphStyle("h0", parent=body, fontName="cert-serif-bold", fontSize=17, leading=21, spaceAfter=10),
                1: ParagraphStyle("h1", parent=body, fontName="cert-serif-bold", fontSize=13, leading=16, spaceBefore=8,
                                keepWithNext=1),
                3: ParagraphStyle("h3", parent=body, fontName="cert-serif-bold", fontSize=10, leading=13, spaceBefore=6,
                                keepWithNext=1)}

    def text(value: str) -> str:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story = [PdfParagraph(text(title), headings[0])]
    width = A4[0] - 3.6 * cm
    for block in blocks:
        if isinstance(block, Heading):
            story.append(PdfParagraph(text(block.text), headings[1]))
        elif isinstance(block, Paragraph):
            story.append(PdfParagraph(text(block.text), body))
        elif isinstance(block, Figure):
            image = Image(io.BytesIO(block.png))
            scale = min(1.0, width / image.imageWidth)
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            if image.drawWidth < width:  # a 200-dpi picture: draw it the page's width
                ratio = width / image.drawWidth
                image.drawWidth, image.drawHeight = width, image.drawHeight * ratio
            story.append(KeepTogether([image, PdfParagraph(text(block.caption), small)]))
        else:
            table = block.table
            data = [[PdfParagraph(text(str(name)), cell_style) for name in table.columns]]
            data += [[PdfParagraph(text(_number(value)), cell_style) for value in row] for row in table.values()]
            first = width * (0.4 if len(table.columns) > 2 else 0.6)
            rest = (width - first) / max(1, len(table.columns) - 1)
            grid = LongTable(data, colWidths=[first] + [rest] * (len(table.columns) - 1), repeatRows=1)
            grid.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(PdfParagraph(text(table.title), headings[3]))
            story.append(grid)
            if table.note:
                story.append(PdfParagraph(text(table.note), small))
            story.append(Spacer(1, 6))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, lang=language, leftMargin=1.8 * cm,
                                 rightMargin=1.8 * cm, topMargin=1.6 * cm, bottomMargin=1.6 * cm,
                                 author=_("Central Election Commission of the Republic of Kazakhstan"))
    document.build(story)
    return buffer.getvalue()

"""The certificate as a one-page A4 landscape PDF, in Kazakh and Russian side by side or in one of them.

ReportLab draws it (docs/decisions.md, "Certificate PDFs": about 10 ms a page here, against about 70 ms for fpdf2
and far more for HTML-to-PDF engines, which the 100-per-second target rules out). Fonts are ParaType's PT Serif and
PT Sans from Debian's ``fonts-paratype`` (every Kazakh letter), subset into each file. The signed credential is
attached to the PDF as ``credential.jwt`` (an embedded file), so that the paper's digital twin travels with it.
``render`` is a pure function of plain data: bulk issuance runs it in worker processes."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import segno
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

# Binary streams: ASCII85 makes files a quarter larger and costs time, for 7-bit channels nobody uses now.
rl_config.useA85 = 0

WIDTH, HEIGHT = landscape(A4)
# Three faces only: each one used is subset into every file, which is most of a certificate's size and time.
FONT_FILES = {"serif": "PTF55F.ttf", "serif-bold": "PTF75F.ttf", "sans": "PTS55F.ttf"}
ATTACHMENT_NAME = "credential.jwt"


@dataclass(frozen=True)
class Column:
    """One language's text, already translated."""

    lang: str
    lead: str  # "This certificate certifies that"
    statement: str  # "completed the training"
    award: str
    facts: tuple[str, ...]  # dates, hours, result
    issuer: str
    signatory_position: str
    issued_label: str  # "Issued on: …"
    number_label: str  # "No. …"
    verify_label: str


@dataclass(frozen=True)
class Sheet:
    number: str
    holder_name: str
    title: str
    columns: tuple[Column, ...]  # one or two
    signatory_name: str
    verification_url: str
    credential: str
    primary_colour: str = "#1d3f6e"
    accent_colour: str = "#b08d2f"
    logo: bytes | None = None
    subject: str = ""
    keywords: tuple[str, ...] = field(default_factory=tuple)


@lru_cache(maxsize=4)
def register_fonts(fonts_dir: str) -> None:
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(f"cert-{name}", str(Path(fonts_dir) / filename)))


def _attach(pdf: canvas.Canvas, name: str, data: bytes, description: str) -> None:
    """An embedded file in the document's name tree (ISO 32000-1, 7.11.4): readers list it as an attachment."""
    document = pdf._doc
    stream = pdfdoc.PDFStream(
        pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("EmbeddedFile"),
                              "Params": pdfdoc.PDFDictionary({"Size": len(data)})}),
        content=data.decode("latin-1"), filters=[pdfdoc.PDFStreamFilterZCompress()])
    stream_ref = document.Reference(stream)
    filespec = pdfdoc.PDFDictionary({
        "Type": pdfdoc.PDFName("Filespec"),
        "F": pdfdoc.PDFString(name),
        "UF": pdfdoc.PDFString(name),
        "Desc": pdfdoc.PDFString(description),
        "AFRelationship": pdfdoc.PDFName("Data"),
        "EF": pdfdoc.PDFDictionary({"F": stream_ref, "UF": stream_ref}),
    })
    filespec_ref = document.Reference(filespec)
    names = pdfdoc.PDFDictionary({"EmbeddedFiles": pdfdoc.PDFDictionary(
        {"Names": pdfdoc.PDFArray([pdfdoc.PDFString(name), filespec_ref])})})
    document.Catalog.Names = document.Reference(names)
    document.Catalog.PageMode = pdfdoc.PDFName("UseAttachments")


def _centred_lines(pdf, lines, *, x: float, y: float, font: str, size: float, leading: float) -> float:
    pdf.setFont(font, size)
    for line in lines:
        pdf.drawCentredString(x, y, line)
        y -= leading
    return y


def _wrapped(pdf, text, *, x, y, width, font, size, leading, max_lines=4) -> float:
    lines = simpleSplit(text, font, size, width)[:max_lines]
    return _centred_lines(pdf, lines, x=x, y=y, font=font, size=size, leading=leading)


def _qr(pdf, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code as vector runs (crisp at any print size); mask fixed so that encoding takes no search."""
    code = segno.make(url, error="m", micro=False, mask=2)
    rows = list(code.matrix)
    module = size / (len(rows) + 8)  # four modules of quiet zone each side
    path = pdf.beginPath()
    for row_number, row in enumerate(rows):
        top = y + size - (row_number + 4 + 1) * module
        start = None
        for col, dark in enumerate(list(row) + [0]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x + (start + 4) * module, top, (col - start) * module, module)
                start = None
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)


def _frame(pdf, primary, accent) -> None:
    pdf.setStrokeColor(primary)
    pdf.setLineWidth(7)
    pdf.rect(18, 18, WIDTH - 36, HEIGHT - 36)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(1.2)
    pdf.rect(30, 30, WIDTH - 60, HEIGHT - 60)
    pdf.setFillColor(accent)
    for cx, cy in ((30, 30), (WIDTH - 30, 30), (30, HEIGHT - 30), (WIDTH - 30, HEIGHT - 30)):
        pdf.rect(cx - 5, cy - 5, 10, 10, stroke=0, fill=1)


def render(sheet: Sheet, fonts_dir: str) -> bytes:
    register_fonts(fonts_dir)
    primary, accent = HexColor(sheet.primary_colour), HexColor(sheet.accent_colour)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(WIDTH, HEIGHT), invariant=1, pageCompression=1,
                        lang=sheet.columns[0].lang)
    pdf.setTitle(f"{sheet.title} {sheet.number} — {sheet.holder_name}")
    pdf.setAuthor(sheet.columns[0].issuer)
    pdf.setSubject(sheet.subject)
    pdf.setKeywords(", ".join(sheet.keywords))
    _frame(pdf, primary, accent)

    top = HEIGHT - 62
    if sheet.logo:
        pdf.drawImage(ImageReader(io.BytesIO(sheet.logo)), WIDTH / 2 - 28, top - 50, 56, 56,
                      preserveAspectRatio=True, mask="auto")
        top -= 62
    pdf.setFillColor(primary)
    for column in sheet.columns:
        top = _wrapped(pdf, column.issuer.upper(), x=WIDTH / 2, y=top, width=WIDTH - 160, font="cert-sans",
                       size=10, leading=13, max_lines=2)
    pdf.setFont("cert-serif-bold", 40)
    pdf.drawCentredString(WIDTH / 2, top - 42, sheet.title)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(1.5)
    pdf.line(WIDTH / 2 - 90, top - 56, WIDTH / 2 + 90, top - 56)
    body_top = top - 86

    two = len(sheet.columns) == 2
    width = (WIDTH - 150) / 2 - 20 if two else WIDTH - 220
    centres = (WIDTH / 4 + 19, 3 * WIDTH / 4 - 19) if two else (WIDTH / 2,)
    if two:
        pdf.setStrokeColor(accent)
        pdf.setLineWidth(0.8)
        pdf.line(WIDTH / 2, body_top + 6, WIDTH / 2, 170)
    for column, centre in zip(sheet.columns, centres, strict=True):
        y = body_top
        pdf.setFillColor(HexColor("#333333"))
        y = _wrapped(pdf, column.lead, x=centre, y=y, width=width, font="cert-serif", size=13, leading=17)
        pdf.setFillColor(primary)
        y = _wrapped(pdf, sheet.holder_name, x=centre, y=y - 10, width=width, font="cert-serif-bold", size=22,
                     leading=26, max_lines=2)
        pdf.setFillColor(HexColor("#333333"))
        y = _wrapped(pdf, column.statement, x=centre, y=y - 6, width=width, font="cert-serif", size=12.5,
                     leading=16, max_lines=2)
        pdf.setFillColor(primary)
        y = _wrapped(pdf, f"«{column.award}»", x=centre, y=y - 2, width=width, font="cert-serif-bold", size=14,
                     leading=18, max_lines=4)
        pdf.setFillColor(HexColor("#333333"))
        _centred_lines(pdf, column.facts, x=centre, y=y - 8, font="cert-sans", size=10.5, leading=14)

    # Footer: who signs, when and which number; the QR code to the verification page.
    pdf.setFillColor(HexColor("#333333"))
    y = 132
    for column in sheet.columns:
        for line in simpleSplit(column.signatory_position, "cert-sans", 9.5, 250)[:2]:
            pdf.setFont("cert-sans", 9.5)
            pdf.drawString(64, y, line)
            y -= 12
    pdf.setStrokeColor(HexColor("#555555"))
    pdf.setLineWidth(0.6)
    pdf.line(64, 68, 260, 68)
    pdf.setFont("cert-serif-bold", 11.5)
    pdf.drawString(64, 54, sheet.signatory_name)

    y = 118
    for column in sheet.columns:
        pdf.setFont("cert-sans", 10)
        pdf.drawCentredString(WIDTH / 2, y, column.issued_label)
        y -= 13
    pdf.setFont("cert-serif-bold", 12.5)
    pdf.setFillColor(primary)
    pdf.drawCentredString(WIDTH / 2, y - 8, " / ".join(dict.fromkeys(c.number_label for c in sheet.columns)))

    qr_size = 86
    _qr(pdf, sheet.verification_url, x=WIDTH - 64 - qr_size, y=56, size=qr_size)
    pdf.setFillColor(HexColor("#333333"))
    pdf.setFont("cert-sans", 7.5)
    caption = " / ".join(dict.fromkeys(c.verify_label for c in sheet.columns))
    pdf.drawRightString(WIDTH - 64, 46, caption)
    pdf.drawRightString(WIDTH - 64, 37, sheet.verification_url)

    _attach(pdf, ATTACHMENT_NAME, sheet.credential.encode("ascii"), "Open Badges 3.0 credential (VC-JWT)")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def embedded_credential(data: bytes) -> str | None:
    """The credential attached to a PDF, if it has one (any PDF: read with pypdf)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        attachments = reader.attachments
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return None
    contents = attachments.get(ATTACHMENT_NAME) or []
    for content in contents:
        try:
            return content.decode("ascii").strip()
        except UnicodeDecodeError:
            return None
    return None

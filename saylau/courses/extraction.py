"""The words inside an uploaded document, for the library's search: PDF (pypdf), DOCX and PPTX (their XML
parts, read with defusedxml). Capped: the first pages carry what a search needs, and a 300-page manual must not
hold up the upload."""

from __future__ import annotations

import io
import logging
import zipfile

from defusedxml import ElementTree

MAX_CHARS = 200_000
MAX_PDF_PAGES = 60
log = logging.getLogger(__name__)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages[:MAX_PDF_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_CHARS:
            break
    return "\n".join(parts)


def _office(data: bytes, prefix: str, text_tag: str) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith(prefix) and name.endswith(".xml"):
                root = ElementTree.fromstring(archive.read(name))
                parts.extend(node.text or "" for node in root.iter() if node.tag.endswith(text_tag))
    return " ".join(parts)


def extract_text(data: bytes, file_name: str) -> str:
    """The document's text, or "" for a format we do not read or a file that cannot be read."""
    name = file_name.lower()
    try:
        if name.endswith(".pdf"):
            text = _pdf(data)
        elif name.endswith(".docx"):
            text = _office(data, "word/document", "}t")
        elif name.endswith(".pptx"):
            text = _office(data, "ppt/slides/slide", "}t")
        else:
            return ""
    except Exception:  # a damaged file is still stored and served; only its words are not searchable
        log.warning("could not read the text of %s", file_name, exc_info=True)
        return ""
    return text[:MAX_CHARS]

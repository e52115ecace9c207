"""Question bank files (Moodle XML, GIFT) to item documents (``saylau.assessment.documents``) and back.

Pure functions over bytes and dicts: no models, no database.

* :func:`parse` detects the format and returns a :class:`ParseResult`: the documents of the supported questions in
  file order with their positions, the unsupported questions (never silently dropped) and warnings about details
  that were dropped. Every text of the file goes into ``{language: html}`` - ``language`` is the language the file
  is written in - and every HTML text is sanitised (:mod:`.html` lists what is kept).
* :func:`export` writes documents to either format in one language per item. Items that cannot be written -
  scenarios, which neither format can express, unknown types, items without text in the language - are skipped;
  :func:`unexportable` lists exactly those so the caller can report them.
* A file that cannot be read raises :class:`FormatError` with its line (and column, element, question position
  when known), so the caller can build a translated "line 12: …" message.

Round trip: for every supported type, ``parse(export(items, format=f, language=L), language=L).items`` gives back
every field the format carries. Moodle XML carries type, name, text, general feedback, points, shuffle, options
(ids, fractions rounded to 7 decimals, feedback), short answers and case sensitivity, numbers, matching pairs, essay
settings, category path and tags. GIFT carries the same except points, shuffle, case sensitivity and essay settings
(and a description's general feedback); a multiple choice with exactly one 100% option and no other positive one
comes back as a single choice, because GIFT writes both the same way, and a single choice without a 100% option
comes back as a multiple choice; a true/false only says which answer is right. Matching responses are plain text in
both formats. Moodle needs a name, so a nameless item gets the start of its text as its name in Moodle XML. Neither
format has topics, difficulty or legal references: an item without a category path is written under its topic
code, which comes back as a one-name category path.
"""

from __future__ import annotations

from . import gift, moodle_xml
from .common import FORMATS, GIFT, MOODLE_XML, FormatError, ParseResult, check_language, unexportable

__all__ = ["FORMATS", "GIFT", "MOODLE_XML", "FormatError", "ParseResult", "detect_format", "export", "parse",
           "unexportable"]

_HEAD = 65536  # how much of a file format detection looks at


def detect_format(data: bytes) -> str:
    """ "moodle-xml" or "gift" for the content of a file; FormatError when it is neither."""
    head = data[:_HEAD].removeprefix(b"\xef\xbb\xbf")
    if moodle_xml.looks_like_moodle_xml(head):
        return MOODLE_XML
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormatError("the file is binary, neither Moodle XML nor GIFT")
    try:
        text = gift.decode(data)
    except FormatError:
        raise FormatError("the file is neither Moodle XML nor GIFT text (it is not UTF-8)") from None
    if text.lstrip().startswith("<?xml"):
        raise FormatError("the file is XML but not a Moodle XML question file (no <quiz> element)", element="quiz")
    if not gift.looks_like_gift(text):
        raise FormatError("the file is neither Moodle XML nor GIFT: no questions found")
    return GIFT


def parse(data: bytes, *, language: str = "ru") -> ParseResult:
    """Detect the format of ``data`` and read it; texts go into ``{language: …}``. Raises FormatError."""
    check_language(language)
    if detect_format(data) == MOODLE_XML:
        return moodle_xml.parse(data, language=language)
    return gift.parse(data, language=language)


def export(items: list[dict], *, format: str, language: str | None = None) -> bytes:
    """``items`` as a UTF-8 file in ``format``, each item in ``language`` (default: the first of kk/ru it has).

    Items listed by :func:`unexportable` (scenarios, unknown types, no text in the language) are skipped.
    """
    if language is not None:
        check_language(language)
    if format == MOODLE_XML:
        return moodle_xml.export(items, language=language)
    if format == GIFT:
        return gift.export(items, language=language)
    raise ValueError(f"format must be one of {FORMATS}, not {format!r}")

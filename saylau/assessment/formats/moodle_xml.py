"""Moodle XML question files (https://docs.moodle.org/en/Moodle_XML_format) to item documents and back.

Import takes multichoice, truefalse, shortanswer, numerical, matching, essay and description questions; every other
type (cloze/multianswer, calculated*, dd*, gapselect, randomsamatch, random …) is listed as unsupported with its
position. Category "questions" set the category path of the questions after them. What is not carried over:

* embedded files (``<file>`` elements, ``@@PLUGINFILE@@`` images): the image is removed, the text kept, a warning
  is recorded;
* numerical units and the catch-all answer "*" of numerical questions (a warning is recorded for both);
* penalties, hints, combined feedback (correct/partially correct/incorrect), answer numbering, id numbers, essay
  attachments and response templates.

Export writes Moodle's own layout (UTF-8, HTML in CDATA, weights as percentages such as 33.33333) that Moodle
imports, with a category question whenever the category path changes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for the ParseError/Element types; parsing uses defusedxml
from collections.abc import Iterator

import defusedxml.ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from .common import (
    MOODLE_XML,
    FormatError,
    ParseResult,
    export_category,
    exportable,
    format_number,
    format_percent,
    fraction_from_percent,
    join_category_path,
    new_item,
    option_ids,
    parse_number,
    split_category_path,
    text_in,
    true_false_options,
    with_feedback,
)
from .html import html_entities_to_references, html_to_plain, plain_to_html, remove_control_characters, to_html

SUPPORTED = ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "match", "essay", "description")
_QUESTION_START = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<question\b", re.DOTALL)
_PARSER_MESSAGE = re.compile(r"^(.*): line \d+, column \d+$")


# --- Reading ------------------------------------------------------------------------------------------------

def looks_like_moodle_xml(head: bytes) -> bool:
    """Whether the start of a file is an XML document with a <quiz> element."""
    return head.lstrip().startswith(b"<") and re.search(rb"<quiz[\s>/]", head) is not None


def _load(data: bytes) -> tuple[ET.Element, list[int]]:
    """The <quiz> root and the line of each <question> start tag; FormatError when the XML does not parse."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    stripped = data.lstrip()
    # An XML declaration must come first; leading blank lines are dropped but still counted for line numbers.
    skipped_lines = data[: len(data) - len(stripped)].count(b"\n")
    prepared = html_entities_to_references(stripped)
    try:
        root = SafeET.fromstring(prepared)
    except ET.ParseError as error:
        line, column = error.position
        match = _PARSER_MESSAGE.match(str(error))
        reason = match.group(1) if match else str(error)
        raise FormatError(f"the XML is not well-formed ({reason})", line=line + skipped_lines,
                          column=column + 1) from error
    except DefusedXmlException as error:
        raise FormatError("the XML declares entities or a DTD, which question files never need") from error
    except LookupError as error:
        raise FormatError(f"the XML declares an unknown encoding ({error})", line=1 + skipped_lines) from error
    if root.tag != "quiz":
        raise FormatError(f"not a Moodle XML question file: the root element is <{root.tag}>, not <quiz>",
                          line=1 + skipped_lines, element=root.tag)
    lines, line, last = [], 1 + skipped_lines, 0
    for match in _QUESTION_START.finditer(prepared):
        if match.group(0) == b"<question":
            line += prepared.count(b"\n", last, match.start())
            last = match.start()
            lines.append(line)
    return root, lines


def _inner_xml(element: ET.Element) -> str:
    """The content of ``element`` as markup: HTML written as XML child elements (not CDATA) stays markup."""
    parts = [element.text or ""]
    parts.extend(ET.tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def _raw_text(container: ET.Element | None) -> str:
    """The text of ``<container><text>…</text></container>`` (or of the container itself in old files)."""
    if container is None:
        return ""
    text = container.find("text")
    return _inner_xml(text) if text is not None else (container.text or "")


def _plain(container: ET.Element | None) -> str:
    """The plain text (tags dropped) of a container's <text>, stripped."""
    if container is None:
        return ""
    text = container.find("text")
    source = text if text is not None else container
    return "".join(source.itertext()).strip()


def _flag(question: ET.Element, tag: str, default: bool) -> bool:
    """Moodle's boolean fields: "false", "0" and empty mean no; anything else yes."""
    element = question.find(tag)
    if element is None:
        return default
    return (element.text or "").strip() not in ("", "0", "false")


class _Reader:
    """Reads one question into a document, collecting warnings about what it drops."""

    def __init__(self, question: ET.Element, language: str, category: list[str], line: int | None, position: int):
        self.question = question
        self.language = language
        self.category = category
        self.line = line
        self.position = position
        self.name = _plain(question.find("name"))
        self.warnings: list[str] = []
        text_container = question.find("questiontext")
        self.text_format = text_container.get("format", "html") if text_container is not None else "html"

    def error(self, message: str, element: str) -> FormatError:
        return FormatError(message, line=self.line, element=element, position=self.position)

    def html(self, container: ET.Element | None) -> str:
        """Sanitised HTML of a text container; other fields default to the question text's format, as in Moodle."""
        if container is None:
            return ""
        raw = _raw_text(container)
        if "@@PLUGINFILE@@" in raw and "embedded files (images) were dropped" not in self.warnings:
            self.warnings.append("embedded files (images) were dropped")
        return to_html(raw, container.get("format", self.text_format))

    def fraction(self, answer: ET.Element) -> float:
        try:
            return fraction_from_percent(answer.get("fraction", "0"))
        except ValueError:
            raise self.error(f"answer weight {answer.get('fraction')!r} is not a number", "answer") from None

    def number(self, text: str, element: str) -> float:
        try:
            return parse_number(text)
        except ValueError:
            raise self.error(f"{text!r} is not a number", element) from None

    def base(self, kind: str, default_points: float = 1.0) -> dict:
        grade = self.question.find("defaultgrade")
        points = default_points
        if grade is not None and (grade.text or "").strip():
            points = self.number(grade.text, "defaultgrade")
        tags = []
        for tag in [*self.question.findall("tags/tag"), *self.question.findall("tag")]:
            value = _plain(tag)
            if value and value not in tags:
                tags.append(value)
        return new_item(kind, self.language, name=self.name, text=self.html(self.question.find("questiontext")),
                        general_feedback=self.html(self.question.find("generalfeedback")), points=points,
                        category=self.category, tags=tags)

    def answers(self) -> list[ET.Element]:
        return self.question.findall("answer")

    def feedback(self, answer: ET.Element) -> str:
        return self.html(answer.find("feedback"))

    # One method per supported Moodle type; each returns the document.

    def multichoice(self) -> dict:
        item = self.base("single_choice" if _flag(self.question, "single", True) else "multiple_choice")
        item["shuffle"] = _flag(self.question, "shuffleanswers", False)
        options = []
        for answer in self.answers():
            text = self.html(answer)
            if text:  # Moodle drops blank answers too
                options.append(with_feedback({"text": {self.language: text}, "fraction": self.fraction(answer)},
                                             self.language, self.feedback(answer)))
        if len(options) < 2:
            raise self.error("a multiple choice question needs at least two answers", "answer")
        item["options"] = [{"id": oid, **option} for oid, option in zip(option_ids(len(options)), options,
                                                                             strict=True)]
        return item

    def truefalse(self) -> dict:
        item = self.base("true_false")
        found: dict[str, tuple[float, str]] = {}
        for index, answer in enumerate(self.answers()[:2]):
            text = _plain(answer).lower()
            # Old exports wrote localised texts: Moodle then assumes the order true, false.
            key = text if text in ("true", "false") else ("true", "false")[index]
            found[key] = (self.fraction(answer), self.feedback(answer))
        if not found:
            raise self.error("a true/false question has no answers", "answer")
        true_fraction, true_feedback = found.get("true", (0.0, ""))
        false_fraction, false_feedback = found.get("false", (0.0, ""))
        true_is_right = true_fraction >= 1.0 if "true" in found else false_fraction < 1.0
        options = true_false_options(self.language, true_is_right, true_feedback, false_feedback)
        options[0]["fraction"] = true_fraction if "true" in found else float(true_is_right)
        options[1]["fraction"] = false_fraction if "false" in found else float(not true_is_right)
        item["options"] = options
        return item

    def shortanswer(self) -> dict:
        item = self.base("short_answer")
        answers = []
        for answer in self.answers():
            text = _plain(answer)
            if text:
                answers.append(with_feedback({"text": text, "fraction": self.fraction(answer)}, self.language,
                                             self.feedback(answer)))
        if not answers:
            raise self.error("a short answer question has no answers", "answer")
        item["answers"] = answers
        item["case_sensitive"] = _flag(self.question, "usecase", False)
        return item

    def numerical(self) -> dict:
        item = self.base("numerical")
        numbers = []
        for answer in self.answers():
            text = _plain(answer)
            if text in ("", "*"):
                self.warnings.append("the catch-all answer '*' (any other number) was dropped")
                continue
            tolerance = _plain(answer.find("tolerance")) or "0"
            numbers.append(with_feedback({"value": self.number(text, "answer"),
                                          "tolerance": abs(self.number(tolerance, "tolerance")),
                                          "fraction": self.fraction(answer)}, self.language, self.feedback(answer)))
        if not numbers:
            raise self.error("a numerical question has no numeric answers", "answer")
        if self.question.findall("units/unit"):
            self.warnings.append("units were ignored: answers are plain numbers")
        item["numbers"] = numbers
        return item

    def matching(self) -> dict:
        item = self.base("matching")
        item["shuffle"] = _flag(self.question, "shuffleanswers", True)
        pairs = []
        for subquestion in self.question.findall("subquestion"):
            premise = self.html(subquestion)
            response = plain_to_html(_plain(subquestion.find("answer")))
            if premise or response:
                pairs.append({"id": f"p{len(pairs) + 1}", "premise": {self.language: premise},
                              "response": {self.language: response}})
        if not any(text_in(pair["premise"], self.language) for pair in pairs):
            raise self.error("a matching question has no subquestions", "subquestion")
        item["pairs"] = pairs
        return item

    def essay(self) -> dict:
        item = self.base("essay")
        response_format = _plain(self.question.find("responseformat")) or "editor"
        min_words = _plain(self.question.find("minwordlimit"))
        grader_info = self.html(self.question.find("graderinfo"))
        item["essay"] = {
            # Moodle's plain and monospaced boxes are plain text; editor, editorfilepicker and noinline need HTML.
            "response_format": "plain" if response_format in ("plain", "monospaced") else "editor",
            "min_words": int(min_words) if min_words.isdigit() and int(min_words) > 0 else None,
            "grader_info": {self.language: grader_info} if grader_info else {},
        }
        return item

    def description(self) -> dict:
        return self.base("description", default_points=0.0)


def parse(data: bytes, *, language: str) -> ParseResult:
    """Documents for the supported questions of a Moodle XML file, unsupported ones listed with their position.

    Raises FormatError (with the parser's line and column) when the file is not well-formed XML or not a <quiz>,
    and (with the question's line) when a supported question is broken, e.g. has no answers.
    """
    root, lines = _load(data)
    result = ParseResult(format=MOODLE_XML)
    category: list[str] = []
    position = 0
    for index, question in enumerate(root.iter("question")):
        kind = question.get("type", "")
        if kind == "category":
            category = split_category_path(_plain(question.find("category")))
            continue
        position += 1
        line = lines[index] if index < len(lines) else None
        reader = _Reader(question, language, category, line, position)
        if kind not in SUPPORTED:
            result.unsupported.append({"position": position, "name": reader.name, "type": kind})
            continue
        item = getattr(reader, "matching" if kind == "match" else kind)()
        result.items.append(item)
        result.positions.append(position)
        result.warnings.extend({"position": position, "name": reader.name, "message": message}
                               for message in reader.warnings)
    return result


# --- Writing ------------------------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return remove_control_characters(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: str, *, html: bool) -> str:
    """A <text> element: HTML in CDATA (split around "]]>"), plain text escaped."""
    value = remove_control_characters(value)
    if html and value:
        return "<text><![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]></text>"
    return f"<text>{_escape(value)}</text>"


def _rich(tag: str, value: str, extra: str = "") -> str:
    return f'<{tag} format="html"{extra}>{_text(value, html=True)}</{tag}>'


def _default_name(item: dict, language: str) -> str:
    """Moodle refuses nameless questions: like Moodle, name them after the start of their text."""
    plain = " ".join(html_to_plain(text_in(item.get("text"), language)).split())
    return plain[:80] or "Question"


def _answer(fraction: float, text: str, feedback: str, *, html: bool, extra: str = "") -> str:
    answer_format = "html" if html else "moodle_auto_format"
    return (f'    <answer fraction="{format_percent(fraction)}" format="{answer_format}">\n'
            f"      {_text(text, html=html)}\n      {_rich('feedback', feedback)}\n{extra}    </answer>\n")


def _body(item: dict, language: str) -> Iterator[str]:
    """The type-specific elements of a question."""
    kind = item["type"]

    def fb(entry: dict) -> str:
        return text_in(entry.get("feedback"), language)

    if kind in ("single_choice", "multiple_choice"):
        yield f"    <single>{'true' if kind == 'single_choice' else 'false'}</single>\n"
        yield f"    <shuffleanswers>{'true' if item.get('shuffle', True) else 'false'}</shuffleanswers>\n"
        yield "    <answernumbering>abc</answernumbering>\n"
        for option in item.get("options", []):
            yield _answer(option.get("fraction", 0.0), text_in(option.get("text"), language), fb(option), html=True)
    elif kind == "true_false":
        options = {option.get("id"): option for option in item.get("options", [])}
        for key in ("true", "false"):
            option = options.get(key, {})
            yield _answer(option.get("fraction", 0.0), key, fb(option), html=False)
    elif kind == "short_answer":
        yield f"    <usecase>{1 if item.get('case_sensitive') else 0}</usecase>\n"
        for answer in item.get("answers", []):
            yield _answer(answer.get("fraction", 0.0), str(answer.get("text", "")), fb(answer), html=False)
    elif kind == "numerical":
        for number in item.get("numbers", []):
            tolerance = f"      <tolerance>{format_number(number.get('tolerance', 0.0))}</tolerance>\n"
            yield _answer(number.get("fraction", 0.0), format_number(number["value"]), fb(number), html=False,
                          extra=tolerance)
    elif kind == "matching":
        yield f"    <shuffleanswers>{'true' if item.get('shuffle', True) else 'false'}</shuffleanswers>\n"
        for pair in item.get("pairs", []):
            response = html_to_plain(text_in(pair.get("response"), language))
            yield (f'    <subquestion format="html">\n      {_text(text_in(pair.get("premise"), language), html=True)}\n'
                   f"      <answer>{_text(response, html=False)}</answer>\n    </subquestion>\n")
    elif kind == "essay":
        essay = item.get("essay") or {}
        plain = essay.get("response_format") == "plain"
        yield f"    <responseformat>{'plain' if plain else 'editor'}</responseformat>\n"
        yield "    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n"
        if essay.get("min_words"):
            yield f"    <minwordlimit>{int(essay['min_words'])}</minwordlimit>\n"
        yield "    <attachments>0</attachments>\n    <attachmentsrequired>0</attachmentsrequired>\n"
        yield f"    {_rich('graderinfo', text_in(essay.get('grader_info'), language))}\n"
        yield f"    {_rich('responsetemplate', '')}\n"


_MOODLE_TYPES = {"single_choice": "multichoice", "multiple_choice": "multichoice", "true_false": "truefalse",
                 "short_answer": "shortanswer", "numerical": "numerical", "matching": "matching", "essay": "essay",
                 "description": "description"}


def _question(item: dict, language: str) -> str:
    name = str(item.get("name") or "").strip() or _default_name(item, language)
    points = item.get("points", 0.0 if item["type"] == "description" else 1.0)
    parts = [
        f'  <question type="{_MOODLE_TYPES[item["type"]]}">\n',
        f"    <name>{_text(name, html=False)}</name>\n",
        f"    {_rich('questiontext', text_in(item.get('text'), language))}\n",
        f"    {_rich('generalfeedback', text_in(item.get('general_feedback'), language))}\n",
        f"    <defaultgrade>{format_number(round(float(points), 7))}</defaultgrade>\n",
        *_body(item, language),
    ]
    tags = [str(tag).strip() for tag in item.get("tags") or [] if str(tag).strip()]
    if tags:
        parts.append("    <tags>\n")
        parts.extend(f"      <tag>{_text(tag, html=False)}</tag>\n" for tag in tags)
        parts.append("    </tags>\n")
    parts.append("  </question>\n")
    return "".join(parts)


def export(items: list[dict], *, language: str | None) -> bytes:
    """A Moodle XML file (UTF-8) with the exportable items, each in its language; see ``unexportable``."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    current: list[str] = []
    for item, item_language in exportable(items, language):
        path = export_category(item)
        if path != current:
            parts.append(f'  <question type="category">\n    <category>{_text(join_category_path(path), html=False)}'
                         "</category>\n  </question>\n")
            current = path
        parts.append(_question(item, item_language))
    parts.append("</quiz>\n")
    return "".join(parts).encode("utf-8")

"""GIFT question files (https://docs.moodle.org/en/GIFT_format) to item documents and back.

Reading follows Moodle's own importer (question/format/gift) with a few tolerances real files need:

* a blank line ends a question only outside an answer block ``{…}`` (authors leave blank lines before ``}``);
* ``$CATEGORY:`` lines may follow each other or the question without a blank line;
* answer weights are read after ``=`` as well as ``~``, and a block of ``~`` answers whose weights give exactly one
  100% answer (and no other positive one) is a single choice; any ``=`` answer also makes a single choice
  (Moodle's rule), otherwise it is a multiple choice;
* ``{t}``/``{true}`` … are accepted in any letter case;
* ``[id:…]``/``[tag:…]`` in ``//`` comment lines (Moodle's exporter) or at the start of a question give tags; the
  ``// question: N  name: …`` comment names a question that has no ``::title::``.

What GIFT cannot say is imported as Moodle would set it: 1 point (descriptions 0), options shuffled, answers not
case sensitive, essays in the HTML editor. The catch-all wrong answer of a numerical question (``~#feedback``) has
no place in a document and is dropped with a warning, as are embedded ``@@PLUGINFILE@@`` images.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .common import (
    GIFT,
    FormatError,
    ParseResult,
    export_category,
    exportable,
    format_number,
    format_percent,
    join_category_path,
    new_item,
    option_ids,
    parse_number,
    split_category_path,
    text_in,
    true_false_options,
    with_feedback,
)
from .html import html_to_plain, plain_to_html, remove_control_characters, to_html

# While a question is parsed, escaped characters stand in as private-use characters so that only unescaped
# ones act as syntax; _restore turns them back (and "\n" into a line break).
# "\\>" is ours: it keeps "->" in a short answer from reading as a matching pair (Moodle knows no such escape and
# keeps the backslash, which still does not turn the question into a matching one).
_ESCAPED = {"\\": "\ue010", ":": "\ue011", "#": "\ue012", "=": "\ue013", "{": "\ue014", "}": "\ue015", "~": "\ue016",
            "n": "\ue017", ">": "\ue018"}
_RESTORE = str.maketrans({code: ("\n" if char == "n" else char) for char, code in _ESCAPED.items()})
_ESCAPE_SEQUENCE = re.compile(r"\\([\\:#={}~n>])")
_FORMAT_PREFIX = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:[.,]\d+)?)%")
_LEADING_MARKERS = re.compile(r"(\s*\[(id|tag):([^\]]*)\])+")
_MARKER = re.compile(r"\[(id|tag):([^\]]*)\]")
_NAME_COMMENT = re.compile(r"^//\s*question:\s*\S*\s+name:\s*(.*)$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CATEGORY = "$CATEGORY:"
_JSON_START = re.compile(r"\s*(\{|\[[^A-Za-z])")  # GIFT never starts with a brace; "[html]", "[id:…]" may start it


def _protect(text: str) -> str:
    return _ESCAPE_SEQUENCE.sub(lambda match: _ESCAPED[match.group(1)], text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


@dataclass
class _Block:
    """The lines of one question (escapes protected, comment lines blanked) and what surrounds it."""

    first_line: int
    category: list[str]
    lines: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The text of a GIFT file (UTF-8, or UTF-16 with a byte order mark) with line breaks normalised to LF."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FormatError("the file is not UTF-8 text", line=line) from error
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_gift(text: str) -> bool:
    """Whether ``text`` has GIFT syntax: a line starting with ``$CATEGORY:``, ``::title::`` or a format such as
    ``[html]``, or an answer block ``{`` after some text.

    An unclosed block still counts, so that the author gets GIFT's error with its line; a file that starts with a
    brace (JSON and the like) does not.
    """
    if "\x00" in text:
        return False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith((_CATEGORY, "::")) or _FORMAT_PREFIX.match(stripped):
            return True
    return "{" in _protect(text) and not _JSON_START.match(text)


def _blocks(text: str) -> Iterator[_Block]:
    """The questions of a file, split at blank lines outside answer blocks; FormatError for unbalanced braces."""
    category: list[str] = []
    block: _Block | None = None
    pending: list[str] = []          # comments seen before the question they belong to
    open_line: int | None = None     # line of the "{" of the answer block being read
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            (block.comments if block else pending).append(stripped)
            if block:
                block.lines.append("")   # keeps line numbers of the following lines right
            continue
        if open_line is None and not stripped:
            if block:
                yield block
            block, pending = None, []
            continue
        if open_line is None and stripped.startswith(_CATEGORY):
            if block:
                yield block
            block, pending = None, []
            category = split_category_path(stripped[len(_CATEGORY):])
            continue
        protected = _protect(raw)
        if block is None:
            block = _Block(first_line=number, category=category, comments=pending)
            pending = []
        block.lines.append(protected)
        for char in protected:
            if char == "{":
                if open_line is not None:
                    raise FormatError(f"the answer block opened with '{{' on line {open_line} is not closed",
                                      line=open_line, element="{")
                open_line = number
            elif char == "}":
                if open_line is None:
                    raise FormatError("'}' without an opening '{' (write \\} for a literal brace)", line=number,
                                      element="}")
                open_line = None
    if open_line is not None:
        raise FormatError("the answer block opened with '{' is not closed", line=open_line, element="{")
    if block:
        yield block


def _split_format(text: str, default: str) -> tuple[str, str]:
    """(format, text) for a text that may start with a format prefix such as [html]."""
    stripped = text.lstrip()
    match = _FORMAT_PREFIX.match(stripped)
    return (match.group(1), stripped[match.end():]) if match else (default, stripped)


class _Question:
    """Parses one question block; offsets index ``self.source`` (protected text), whose lines map to file lines."""

    def __init__(self, block: _Block, language: str, position: int):
        self.block = block
        self.language = language
        self.position = position
        self.source = "\n".join(block.lines)
        self.text_format = "moodle"
        self.name = ""
        self.warnings: list[str] = []

    def line_at(self, offset: int) -> int:
        return self.block.first_line + self.source.count("\n", 0, offset)

    def error(self, message: str, offset: int, element: str | None = None) -> FormatError:
        return FormatError(message, line=self.line_at(offset), element=element, position=self.position)

    def html(self, text: str) -> str:
        """Sanitised HTML of a protected text, in its own [format] or the question text's format (as Moodle)."""
        text_format, text = _split_format(_restore(text), self.text_format)
        if "@@PLUGINFILE@@" in text and "embedded files (images) were dropped" not in self.warnings:
            self.warnings.append("embedded files (images) were dropped")
        return to_html(text, text_format)

    def parse(self) -> dict:
        """The document of this question; FormatError, with the line, where it does not follow GIFT."""
        source = self.source
        start = len(source) - len(source.lstrip())
        tags = [value.strip() for comment in self.block.comments
                for kind, value in _MARKER.findall(comment) if kind == "tag" and value.strip()]
        markers = _LEADING_MARKERS.match(source, start)
        if markers:
            tags += [value.strip() for kind, value in _MARKER.findall(markers.group(0)) if kind == "tag"]
            start = markers.end()
            start += len(source[start:]) - len(source[start:].lstrip())
        if source.startswith("::", start):
            end = source.find("::", start + 2)
            if end == -1:
                raise self.error("the question title started with '::' is not closed with '::'", start, "::")
            self.name = " ".join(_restore(source[start + 2:end]).split("\n")).strip()
            start = end + 2
        else:
            for comment in self.block.comments:
                match = _NAME_COMMENT.match(comment)
                if match:
                    self.name = match.group(1).strip()
        opening = source.find("{", start)
        if opening == -1:
            return self.finish("description", source[start:], "", tags)
        closing = source.find("}", opening)
        second = source.find("{", closing)
        if second != -1:
            raise self.error("a question has a second answer block; separate questions with a blank line", second,
                             "{")
        after = source[closing + 1:]
        # An answer block in the middle of the text is a "missing word": the gap stays visible in the text.
        text = source[start:opening] + ("_____" + after if after.strip() else "")
        self.text_format, _ = _split_format(_restore(text), "moodle")
        inner, inner_start = source[opening + 1:closing], opening + 1
        general_feedback = ""
        separator = inner.rfind("####")
        if separator != -1:
            general_feedback = self.html(inner[separator + 4:])
            inner = inner[:separator]
        answers = inner.strip()
        answers_start = inner_start + len(inner) - len(inner.lstrip())
        if not answers:
            return self.finish("essay", text, general_feedback, tags)
        if answers.startswith("#"):
            return self.numerical(text, general_feedback, tags, answers, answers_start)
        if "~" in answers:
            return self.choice(text, general_feedback, tags, answers, answers_start)
        if "=" in answers and "->" in answers:
            return self.matching(text, general_feedback, tags, answers, answers_start)
        if _restore(answers.split("#", 1)[0]).strip().upper() in _TRUE_FALSE:
            return self.true_false(text, general_feedback, tags, answers)
        return self.short_answer(text, general_feedback, tags, answers, answers_start)

    def finish(self, kind: str, text: str, general_feedback: str, tags: list[str]) -> dict:
        """The common fields, with Moodle's defaults for what GIFT cannot say."""
        item = new_item(kind, self.language, name=self.name, text=self.html(text), general_feedback=general_feedback,
                        points=0.0 if kind == "description" else 1.0, category=self.block.category,
                        tags=list(dict.fromkeys(tags)))
        if kind in ("single_choice", "multiple_choice", "matching"):
            item["shuffle"] = True
        if kind == "essay":
            item["essay"] = {"response_format": "editor", "min_words": None, "grader_info": {}}
        return item

    def split(self, answers: str, offset: int, markers: str) -> list[tuple[str, int, str]]:
        """(marker, offset, text) of each answer, split at the unescaped ``markers``."""
        positions = [i for i, char in enumerate(answers) if char in markers]
        if not positions or answers[:positions[0]].strip():
            raise self.error(f"answers in {{…}} must start with one of {' '.join(markers)}", offset, "{")
        bounds = [*positions, len(answers)]
        return [(answers[p], offset + p, answers[p + 1:bounds[k + 1]]) for k, p in enumerate(positions)]

    @staticmethod
    def weighted(text: str, default: float) -> tuple[float, str, str]:
        """(fraction, answer text, feedback) of one answer; both texts still protected."""
        match = _WEIGHT.match(text)
        fraction = default
        if match:
            fraction = round(float(match.group(1).replace(",", ".")) / 100, 7)
            text = text[match.end():]
        answer, _, feedback = text.partition("#")
        return fraction, answer, feedback

    def choice(self, text: str, general_feedback: str, tags: list[str], answers: str, offset: int) -> dict:
        options, has_equals = [], False
        for marker, _at, raw in self.split(answers, offset, "~="):
            fraction, answer, feedback = self.weighted(raw, 1.0 if marker == "=" else 0.0)
            option_text = self.html(answer)
            if option_text:  # Moodle drops blank answers too
                has_equals = has_equals or marker == "="
                options.append(with_feedback({"text": {self.language: option_text}, "fraction": fraction},
                                             self.language, self.html(feedback)))
        if len(options) < 2:
            raise self.error("a multiple choice question needs at least two answers", offset, "~")
        positive = [option["fraction"] for option in options if option["fraction"] > 0]
        single = has_equals or positive == [1.0]
        item = self.finish("single_choice" if single else "multiple_choice", text, general_feedback, tags)
        item["options"] = [{"id": oid, **option} for oid, option in zip(option_ids(len(options)), options,
                                                                             strict=True)]
        return item

    def true_false(self, text: str, general_feedback: str, tags: list[str], answers: str) -> dict:
        word, *feedbacks = answers.split("#", 2)
        wrong, right = (self.html(part) for part in [*feedbacks, "", ""][:2])
        true_is_right = _TRUE_FALSE[_restore(word).strip().upper()]
        item = self.finish("true_false", text, general_feedback, tags)
        item["options"] = true_false_options(self.language, true_is_right, right if true_is_right else wrong,
                                             wrong if true_is_right else right)
        return item

    def short_answer(self, text: str, general_feedback: str, tags: list[str], answers: str, offset: int) -> dict:
        accepted = []
        for _, _at, raw in self.split(answers, offset, "="):
            fraction, answer, feedback = self.weighted(raw, 1.0)
            plain = _split_format(_restore(answer), "plain")[1].strip()
            if plain:
                accepted.append(with_feedback({"text": plain, "fraction": fraction}, self.language,
                                              self.html(feedback)))
        if not accepted:
            raise self.error("the answer block has no answers", offset, "=")
        item = self.finish("short_answer", text, general_feedback, tags)
        item["answers"] = accepted
        item["case_sensitive"] = False
        return item

    def matching(self, text: str, general_feedback: str, tags: list[str], answers: str, offset: int) -> dict:
        pairs = []
        for _, at, raw in self.split(answers, offset, "="):
            if "->" not in raw:
                raise self.error("a matching answer needs '->' between the item and its match", at, "->")
            premise, _, response = raw.partition("->")
            premise, response = self.html(premise), plain_to_html(_restore(response).strip())
            if premise or response:
                pairs.append({"id": f"p{len(pairs) + 1}", "premise": {self.language: premise},
                              "response": {self.language: response}})
        if not any(pair["premise"][self.language] for pair in pairs):
            raise self.error("a matching question needs at least one item to match", offset, "=")
        item = self.finish("matching", text, general_feedback, tags)
        item["pairs"] = pairs
        return item

    def numerical(self, text: str, general_feedback: str, tags: list[str], answers: str, offset: int) -> dict:
        body, body_offset = answers[1:], offset + 1
        wildcard = body.find("~")
        if wildcard != -1:
            self.warnings.append("the catch-all answer (any other number) was dropped")
            body = body[:wildcard]
        chunks, start = [], 0
        for index in [*(i for i, char in enumerate(body) if char == "="), len(body)]:
            chunks.append((body_offset + start, body[start:index]))
            start = index + 1
        if not chunks[0][1].strip():
            chunks = chunks[1:]
        numbers = []
        for at, raw in chunks:
            fraction, answer, feedback = self.weighted(raw, 1.0)
            value, tolerance = self.number_range(_restore(answer).strip(), at)
            numbers.append(with_feedback({"value": value, "tolerance": tolerance, "fraction": fraction},
                                         self.language, self.html(feedback)))
        if not numbers:
            raise self.error("the numerical answer block has no answers", offset, "#")
        item = self.finish("numerical", text, general_feedback, tags)
        item["numbers"] = numbers
        return item

    def number_range(self, answer: str, offset: int) -> tuple[float, float]:
        """(value, tolerance) of "3", "3:0.5" or "1..5"."""
        try:
            if ".." in answer[1:]:
                low, high = (parse_number(part) for part in answer.split("..", 1))
                return (low + high) / 2, abs(high - low) / 2
            if ":" in answer[1:]:
                value, tolerance = answer.split(":", 1)
                return parse_number(value), abs(parse_number(tolerance))
            return parse_number(answer), 0.0
        except ValueError:
            raise self.error(f"{answer!r} is not a number, a number:tolerance or a low..high range", offset,
                             "#") from None


def parse(data: bytes, *, language: str) -> ParseResult:
    """Documents for the questions of a GIFT file, in file order with their 1-based positions.

    Raises FormatError with the line of the problem: unclosed or stray braces, an unclosed ``::title``, an answer
    block without answers, a bad number, a second answer block in one question.
    """
    text = decode(data)
    result = ParseResult(format=GIFT)
    for position, block in enumerate(_blocks(text), start=1):
        question = _Question(block, language, position)
        result.items.append(question.parse())
        result.positions.append(position)
        result.warnings.extend({"position": position, "name": question.name, "message": message}
                               for message in question.warnings)
    return result


# --- Writing ------------------------------------------------------------------------------------------------

def escape(text: str) -> str:
    """``text`` with GIFT's reserved characters escaped and line breaks written as ``\\n`` (as Moodle does)."""
    text = remove_control_characters(text).replace("\r", "").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _html(text: str) -> str:
    """An HTML answer or feedback; a text starting with "[" gets an explicit [html] so it is not read as a format."""
    return ("[html]" if text.startswith("[") else "") + escape(text)


def _weight(marker: str, fraction: float, text: str, default: float) -> str:
    """The marker with a %weight% when the weight differs from the default or the text itself starts with "%"."""
    if fraction != default or text.startswith("%"):
        return f"{marker}%{format_percent(fraction)}%"
    return marker


def _answer_lines(item: dict, language: str) -> Iterator[str]:
    """The lines inside the answer block of a choice, short answer, numerical or matching item."""
    kind = item["type"]

    def fb(entry: dict) -> str:
        feedback = text_in(entry.get("feedback"), language)
        return "#" + _html(feedback) if feedback else ""

    if kind in ("single_choice", "multiple_choice"):
        for option in item.get("options", []):
            fraction, text = option.get("fraction", 0.0), text_in(option.get("text"), language)
            if kind == "single_choice" and fraction == 1.0:
                marker = _weight("=", fraction, text, 1.0)
            else:
                marker = _weight("~", fraction, text, 0.0)
            yield f"\t{marker}{_html(text)}{fb(option)}\n"
    elif kind == "short_answer":
        for answer in item.get("answers", []):
            text = str(answer.get("text", ""))
            prefix = "[plain]" if text.startswith("[") else ""
            text = escape(text).replace("->", "-\\>")  # else the question reads as a matching one
            yield f"\t=%{format_percent(answer.get('fraction', 0.0))}%{prefix}{text}{fb(answer)}\n"
    elif kind == "numerical":
        for number in item.get("numbers", []):
            value = f"{format_number(number['value'])}:{format_number(number.get('tolerance', 0.0))}"
            yield f"\t=%{format_percent(number.get('fraction', 0.0))}%{value}{fb(number)}\n"
    elif kind == "matching":
        for pair in item.get("pairs", []):
            # GIFT cannot escape "->": inside the premise's HTML the same text can be written "-&gt;".
            premise = text_in(pair.get("premise"), language).replace("->", "-&gt;")
            response = html_to_plain(text_in(pair.get("response"), language))
            yield f"\t={_html(premise)} -> {escape(response)}\n"


def _true_false(item: dict, language: str) -> str:
    """TRUE or FALSE with Moodle's feedback order: the wrong answer's feedback first, then the right one's."""
    options = {option.get("id"): option for option in item.get("options", [])}
    true_is_right = options.get("true", {}).get("fraction", 0.0) == 1.0
    right = text_in(options.get("true" if true_is_right else "false", {}).get("feedback"), language)
    wrong = text_in(options.get("false" if true_is_right else "true", {}).get("feedback"), language)
    block = "TRUE" if true_is_right else "FALSE"
    if wrong or right:
        block += "#" + _html(wrong)
    if right:
        block += "#" + _html(right)
    return block


def _question(item: dict, language: str) -> str:
    """One question: tag comment, ::title::, [html] text and answer block, the text on one line as Moodle writes."""
    kind = item["type"]
    lines = []
    tags = [" ".join(str(tag).replace("]", "").split()) for tag in item.get("tags") or []]
    if any(tags):
        lines.append("// " + " ".join(f"[tag:{tag}]" for tag in tags if tag) + "\n")
    name = str(item.get("name") or "").strip()
    head = (f"::{escape(name)}::" if name else "") + "[html]" + escape(text_in(item.get("text"), language))
    general_feedback = text_in(item.get("general_feedback"), language)
    closing = ("####" + _html(general_feedback) if general_feedback else "") + "}"
    if kind == "description":
        lines.append(head + "\n")
    elif kind == "essay":
        lines.append(head + "{" + closing + "\n")
    elif kind == "true_false":
        lines.append(head + "{" + _true_false(item, language) + closing + "\n")
    else:
        lines.append(head + ("{#\n" if kind == "numerical" else "{\n"))
        lines.extend(_answer_lines(item, language))
        lines.append(("\t" + closing[:-1] + "\n" if general_feedback else "") + "}\n")
    return "".join(lines)


def export(items: list[dict], *, language: str | None) -> bytes:
    """A GIFT file (UTF-8) with the exportable items, each in its language; see ``unexportable``.

    Not written, because GIFT has no syntax for them: points, shuffling, case sensitivity, essay settings.
    """
    parts: list[str] = []
    current: list[str] = []
    for item, item_language in exportable(items, language):
        path = export_category(item)
        if path != current:
            parts.append(f"{_CATEGORY} {join_category_path(path)}\n\n")
            current = path
        parts.append(_question(item, item_language) + "\n")
    return "".join(parts).encode("utf-8")

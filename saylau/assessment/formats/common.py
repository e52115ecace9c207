"""What both formats share: the error and result types, category paths, numbers, and the per-item language."""

from __future__ import annotations

from dataclasses import dataclass, field

from saylau.assessment.documents import ITEM_TYPES, LANGUAGES

MOODLE_XML = "moodle-xml"
GIFT = "gift"
FORMATS = (MOODLE_XML, GIFT)

# Texts of the two true/false options; the files only say which one is right, so import names them.
TRUE_FALSE_TEXTS = {"kk": ("Дұрыс", "Дұрыс емес"), "ru": ("Верно", "Неверно")}

# Types a file can carry; scenarios have no Moodle/GIFT equivalent.
EXPORTABLE_TYPES = tuple(t for t in ITEM_TYPES if t != "scenario")


class FormatError(Exception):
    """A file that cannot be parsed.

    ``line``/``column`` (1-based) and ``element`` (an XML element name or a GIFT construct) locate the problem;
    ``position`` is the question number when known. The caller builds the translated message from them.
    """

    def __init__(self, message: str, *, line: int | None = None, element: str | None = None,
                 column: int | None = None, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.element = element
        self.column = column
        self.position = position


@dataclass
class ParseResult:
    """What a file holds: supported items as documents, and what we could not take, each with its position.

    ``positions[i]`` is the 1-based number of ``items[i]`` among all questions of the file (categories excluded);
    ``unsupported`` lists questions of other types ({"position", "name", "type"}); ``warnings`` lists things dropped
    from imported items ({"position", "name", "message"}), e.g. embedded images or a numerical catch-all answer.
    """

    format: str
    items: list[dict] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    unsupported: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def check_language(language: str) -> str:
    """``language`` if it is one of the document languages (kk, ru); ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return language


# --- Numbers ------------------------------------------------------------------------------------------------

def parse_number(text: str) -> float:
    """A float from a file's number; a decimal comma is accepted. Raises ValueError for anything else."""
    value = float(text.strip().replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def fraction_from_percent(text: str) -> float:
    """Moodle's answer weight (a percentage: "100", "-33.33333") as a fraction rounded like Moodle's 7 decimals."""
    return round(parse_number(text) / 100, 7)


def format_number(value: float) -> str:
    """A short text for ``value`` that parses back to the same float ("1", "0.5", "1e-07")."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def format_percent(fraction: float) -> str:
    """``fraction`` as Moodle writes weights: a percentage with at most 5 decimals ("33.33333", "100", "-50").

    Never in exponent notation, which GIFT's weight syntax does not allow.
    """
    text = f"{round(float(fraction) * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- Category paths -----------------------------------------------------------------------------------------

_SLASH = "\ue000"  # stands for an escaped "/" while the path is split


def split_category_path(path: str) -> list[str]:
    """Category names of a Moodle path: "$course$/top/A/B//C" -> ["A", "B/C"].

    A leading context ("$course$", "$system$", "$module$", "$cat1$" …) and a leading "top" are dropped; "//" is
    Moodle's escape for "/" inside a name.
    """
    segments = [s.replace(_SLASH, "/").strip() for s in path.strip().replace("//", _SLASH).split("/")]
    segments = [s for s in segments if s]
    if segments and len(segments[0]) > 2 and segments[0].startswith("$") and segments[0].endswith("$"):
        segments = segments[1:]
    if segments and segments[0].lower() == "top":
        segments = segments[1:]
    return segments


def join_category_path(names: list[str]) -> str:
    """The Moodle path for category ``names`` under the course's top category ("$course$/top/A/B//C")."""
    cleaned = (" ".join(name.splitlines()).strip().replace("/", "//") for name in names)
    return "/".join(["$course$", "top", *cleaned])


def export_category(item: dict) -> list[str]:
    """The category path an item is written under: its imported path, else its topic code, else the top."""
    category = [str(name) for name in item.get("category") or [] if str(name).strip()]
    if category:
        return category
    return [item["topic"]] if item.get("topic") else []


# --- Languages of an item -----------------------------------------------------------------------------------

def item_language(item: dict, language: str | None) -> str | None:
    """The language to write ``item`` in: ``language`` when given, else the first of kk/ru its text has.

    None when the item has no question text in that language (an item whose text is empty in every language is
    written in a language its text dict names).
    """
    text = item.get("text") or {}
    candidates = [language] if language is not None else list(LANGUAGES)
    found = next((code for code in candidates if text.get(code)), None)
    if found is None and not any(text.get(code) for code in LANGUAGES):
        # A question without any text (an imported description, say) is still written, in a language it names.
        found = next((code for code in candidates if code in text), None)
    return found


def unexportable(items: list[dict], *, language: str | None = None) -> list[dict]:
    """The items :func:`export` skips, each as {"index", "type", "name", "reason"}.

    ``index`` is the 0-based index in ``items``; ``reason`` is "scenario" (no Moodle/GIFT equivalent),
    "unsupported-type" or "no-text" (no question text in ``language``, or in neither kk nor ru).
    """
    if language is not None:
        check_language(language)
    skipped = []
    for index, item in enumerate(items):
        kind = item.get("type")
        if kind == "scenario":
            reason = "scenario"
        elif kind not in EXPORTABLE_TYPES:
            reason = "unsupported-type"
        elif item_language(item, language) is None:
            reason = "no-text"
        else:
            continue
        skipped.append({"index": index, "type": kind, "name": item.get("name", ""), "reason": reason})
    return skipped


def exportable(items: list[dict], language: str | None) -> list[tuple[dict, str]]:
    """(item, language) for every item :func:`unexportable` does not list, in order."""
    skipped = {entry["index"] for entry in unexportable(items, language=language)}
    return [(item, item_language(item, language)) for i, item in enumerate(items) if i not in skipped]


def text_in(texts: dict | None, language: str) -> str:
    """The ``language`` text of a text dict ("" when absent)."""
    return (texts or {}).get(language) or ""


def true_false_options(language: str, true_is_right: bool, true_feedback: str, false_feedback: str) -> list[dict]:
    """The two options of a true/false document, "true" first, with feedback only where there is some."""
    true_text, false_text = TRUE_FALSE_TEXTS.get(language, ("true", "false"))
    options = [
        {"id": "true", "text": {language: true_text}, "fraction": 1.0 if true_is_right else 0.0},
        {"id": "false", "text": {language: false_text}, "fraction": 0.0 if true_is_right else 1.0},
    ]
    for option, feedback in zip(options, (true_feedback, false_feedback), strict=True):
        if feedback:
            option["feedback"] = {language: feedback}
    return options


def new_item(kind: str, language: str, *, name: str, text: str, general_feedback: str = "", points: float = 1.0,
             category: list[str] | None = None, tags: list[str] | None = None) -> dict:
    """The fields every imported document has, in one order; general feedback only when there is some."""
    item: dict = {"type": kind, "name": name, "text": {language: text}}
    if general_feedback:
        item["general_feedback"] = {language: general_feedback}
    item["points"] = points
    item["category"] = list(category or [])
    item["tags"] = list(tags or [])
    return item


def with_feedback(entry: dict, language: str, feedback: str) -> dict:
    """``entry`` with {"feedback": {language: feedback}} added when ``feedback`` is not empty."""
    if feedback:
        entry["feedback"] = {language: feedback}
    return entry


def option_ids(count: int) -> list[str]:
    """Option ids "a", "b", … "z", "aa", "ab", … for ``count`` options."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    ids = []
    for n in range(count):
        ids.append(letters[n] if n < 26 else letters[n // 26 - 1] + letters[n % 26])
    return ids

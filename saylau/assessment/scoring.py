"""Scoring responses to items: plain functions on an item document and a response (see documents.py).

Automatic scoring follows Moodle's rules for the types Moodle has, so that results of imported items compare
with the figures Moodle gave for them:

- single choice, true/false: the chosen option's fraction;
- multiple choice: the sum of the chosen options' fractions (negative ones are penalties);
- short answer: the first accepted answer, in document order, that matches; "*" is a wildcard, "\\*" a literal
  asterisk;
- numerical: the first answer whose [value - tolerance, value + tolerance] holds the number ("*" holds any);
- matching: the share of premises matched to their own response (a response with the same text counts);
- scenario (ours): the mean over all steps of the chosen option's fraction;
- essay (by hand) and description (nothing to answer): no automatic score.

Every score is clamped to 0…1. Scoring never raises on what a client sent: malformed parts score 0 or are
ignored. ``validate_response`` is the strict gate in front of storage; it raises ``InvalidResponse``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal

SHORT_ANSWER_MAX_LENGTH = 255
ESSAY_MAX_LENGTH = 20_000
# A typed number longer than this is not a number anyone means; it also bounds the parsing work.
NUMBER_MAX_LENGTH = 100

CHOICE_TYPES = ("single_choice", "multiple_choice", "true_false")
ONE_CHOICE_TYPES = ("single_choice", "true_false")

# The one key a response of each type may have.
RESPONSE_KEY = {
    "single_choice": "choices", "multiple_choice": "choices", "true_false": "choices", "scenario": "choices",
    "short_answer": "text", "essay": "text", "numerical": "number", "matching": "pairs", "description": None,
}


class InvalidResponse(ValueError):
    """A response the client must correct; ``code`` says what is wrong, ``field`` which response key ("" for
    the response as a whole).

    Codes: wrong_shape (not the item's response shape, or a value of the wrong type), unknown_option (an id
    the item does not have), too_many_choices, duplicate_choice, step_out_of_order, not_a_number, too_long,
    invalid_character (NUL or a lone surrogate, which the database cannot store).
    """

    def __init__(self, code: str, field: str = ""):
        self.code = code
        self.field = field
        super().__init__(f"{code} ({field})" if field else code)


# --- Public API ------------------------------------------------------------------------------------------


def score_fraction(document: dict, response: dict | None) -> float | None:
    """The item's credit in 0…1 for this response; None when it is scored by hand (essay) or not at all
    (description). A missing or empty response scores 0; so do malformed parts (unknown ids, wrong types,
    NaN…), which are ignored rather than raised."""
    item_type = document["type"]
    if item_type in ("essay", "description"):
        return None
    scorer = _SCORERS.get(item_type)
    if scorer is None:
        raise ValueError(f"unknown item type {item_type!r}")
    if not isinstance(response, dict):
        return 0.0
    return _clamp(scorer(document, response))


def score_points(document: dict, response: dict | None) -> float | None:
    """The fraction times the item's points, rounded half up to 7 decimals as Moodle stores marks."""
    fraction = score_fraction(document, response)
    if fraction is None:
        return None
    points = document.get("points")
    points = 1.0 if points is None else float(points)
    # repr() gives the shortest decimal that round-trips, so 0.1 × 3 rounds like the 0.3 PHP would see;
    # the wide context keeps quantize from failing however large the points are.
    rounded = Decimal(repr(fraction * points)).quantize(Decimal("1e-7"), ROUND_HALF_UP, context=Context(prec=400))
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


def validate_response(document: dict, response: dict) -> dict:
    """A client's response normalised for storage, or InvalidResponse.

    Normal forms: ``{"choices": [ids]}`` (multiple choice in document order, scenario in step order),
    ``{"text": "stripped"}``, ``{"number": float or None}``, ``{"pairs": {premise id: pair id}}`` (premises
    in document order, unanswered ones left out), ``{}`` for a description. An empty answer is valid.
    """
    item_type = document["type"]
    if item_type not in RESPONSE_KEY:
        raise ValueError(f"unknown item type {item_type!r}")
    key = RESPONSE_KEY[item_type]
    if response is None:
        response = {}
    if not isinstance(response, dict):
        raise InvalidResponse("wrong_shape")
    for name in response:
        if name != key:
            raise InvalidResponse("wrong_shape", name if isinstance(name, str) else "")
    if key is None:
        return {}
    value = response.get(key)
    if item_type in ONE_CHOICE_TYPES:
        return {"choices": _validate_one_choice(document, value)}
    if item_type == "multiple_choice":
        return {"choices": _validate_many_choices(document, value)}
    if item_type == "scenario":
        return {"choices": _validate_scenario(document, value)}
    if item_type in ("short_answer", "essay"):
        limit = SHORT_ANSWER_MAX_LENGTH if item_type == "short_answer" else ESSAY_MAX_LENGTH
        return {"text": _validate_text(value, limit)}
    if item_type == "numerical":
        return {"number": _validate_number(value)}
    return {"pairs": _validate_pairs(document, value)}


def scenario_visible_steps(document: dict, response: dict | None) -> int:
    """How many steps of a scenario the examinee may see: the answered steps and the next one."""
    steps = document.get("steps") or []
    return min(len(_scenario_answered(document, response)) + 1, len(steps))


# --- Short answers ---------------------------------------------------------------------------------------

# Typographic variants become the plain keyboard character; invisible characters that copy-and-paste brings
# along go. (Non-breaking and other Unicode spaces are whitespace to str.split(), so they need no entry.)
_TYPOGRAPHY = str.maketrans({
    **dict.fromkeys("«»“”„‟″", '"'),
    **dict.fromkeys("‘’‚‛′", "'"),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    **dict.fromkeys("\u00ad\u200b\u2060\ufeff", None),  # soft hyphen, zero-width space, word joiner, BOM
})
# Latin letters that look like Cyrillic ones, mapped as upper/lower pairs (B/b → В/в, H/h → Н/н) so that the
# fold gives the same result whichever case the letter was typed in; I/i become the Kazakh і, folded below.
_LATIN_TWINS = str.maketrans("AaBbCcEeËëHhIiKkMmOoPpTtXxYy", "АаВвСсЕеЁёНнІіКкМмОоРрТтХхУу")
# Kazakh letters typed on a Russian keyboard come out as the plain letter; ё is written е as often as not.
_PLAIN_CYRILLIC = str.maketrans("ӘәҒғҚқҢңӨөҰұҮүҺһІіЁё", "АаГгКкНнОоУуУуХхИиЕе")


def normalise_short_answer(text: str) -> str:
    """The form in which short answers and accepted answers are compared (case is left to the caller).

    Applied alike to the accepted answer and to the examinee's text:

    1. Unicode NFC, so composed and decomposed letters are equal;
    2. typographic quotes « » “ ” „ → ", ‘ ’ → ', dashes and the minus sign – — − → -, and invisible soft
       hyphens, zero-width spaces and byte-order marks removed;
    3. leading and trailing whitespace dropped and inner runs (non-breaking spaces included) made one space;
    4. in a word (a run of non-spaces) that holds a Cyrillic letter, the Latin look-alikes
       A B C E Ë H I K M O P T X Y and their lower case become Cyrillic А В С Е Ё Н І К М О Р Т Х У;
    5. Kazakh letters become the Russian keyboard's plain letter (ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х,
       і→и, in both cases) and ё→е.

    The result is a fixed point: normalising it again changes nothing.
    """
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    words = text.split()
    # Folding a letter can make it compose with a following accent (Latin y + breve has no composed form,
    # Cyrillic у + breve is ў), and composing can make a letter that folds (е + diaeresis is ё): repeat
    # until nothing changes. Each round shortens a word or removes a foldable letter, so this ends.
    while True:
        folded = [unicodedata.normalize("NFC", _fold_word(word)) for word in words]
        if folded == words:
            return " ".join(words)
        words = folded


def short_answer_matches(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    """Whether the text matches an accepted answer, Moodle's way: the whole text must match, a run of "*"
    in the pattern stands for any run of characters (none included) and "\\*" for an asterisk; both sides
    are normalised (normalise_short_answer) and, unless case_sensitive, case-folded."""
    pattern = normalise_short_answer(pattern)
    text = normalise_short_answer(text)
    if not case_sensitive:
        pattern, text = pattern.casefold(), text.casefold()
    pieces = [piece.replace("\\*", "*") for piece in re.split(r"(?<!\\)\*+", pattern)]
    return _wildcard_match(pieces, text)


def _fold_word(word: str) -> str:
    if any("\u0400" <= char <= "\u052f" for char in word):  # the Cyrillic and Cyrillic Supplement blocks
        word = word.translate(_LATIN_TWINS)
    return word.translate(_PLAIN_CYRILLIC)


def _wildcard_match(pieces: list[str], text: str) -> bool:
    """Whether text is pieces[0] + anything + pieces[1] + … + anything + pieces[-1].

    Greedy leftmost search instead of a regular expression: it cannot backtrack exponentially on a long
    text against a pattern with many wildcards."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


# --- Scoring by type -------------------------------------------------------------------------------------


def _score_one_choice(document: dict, response: dict) -> float:
    choices = response.get("choices")
    # More than one choice is malformed and scores 0: sending every option must not earn the best one.
    if not isinstance(choices, list | tuple) or len(choices) != 1:
        return 0.0
    return _option_fractions(document.get("options")).get(_as_id(choices[0]), 0.0)


def _score_many_choices(document: dict, response: dict) -> float:
    choices = response.get("choices")
    if not isinstance(choices, list | tuple):
        return 0.0
    fractions = _option_fractions(document.get("options"))
    chosen = {_as_id(choice) for choice in choices} & fractions.keys()  # a repeated id counts once
    # fsum adds exactly, so the total does not depend on the order of the choices.
    return math.fsum(fractions[option_id] for option_id in chosen)


def _score_short_answer(document: dict, response: dict) -> float:
    text = response.get("text")
    if not isinstance(text, str) or not normalise_short_answer(text):
        return 0.0
    case_sensitive = bool(document.get("case_sensitive", False))
    for answer in document.get("answers") or []:
        pattern = answer.get("text")
        if isinstance(pattern, str) and short_answer_matches(pattern, text, case_sensitive=case_sensitive):
            return _as_fraction(answer.get("fraction"))
    return 0.0


def _score_numerical(document: dict, response: dict) -> float:
    number = _parse_number(response.get("number"))
    if number is None:
        return 0.0
    for answer in document.get("numbers") or []:
        if _within_tolerance(answer, number):
            return _as_fraction(answer.get("fraction"))
    return 0.0


def _within_tolerance(answer: dict, number: float) -> bool:
    value = answer.get("value")
    if value == "*":  # Moodle's catch-all answer
        return True
    value = _finite_float(value)
    if value is None:
        return False
    tolerance = abs(_finite_float(answer.get("tolerance")) or 0.0)
    # Moodle widens the interval by 1e-14 relative to the value (PHP's default precision, MDL-3225) so that
    # a number on the boundary, such as 0.8 for 0.7 ± 0.1, is not lost to binary rounding.
    tolerance += 1e-14 * max(1.0, abs(value))
    return value - tolerance <= number <= value + tolerance


def _score_matching(document: dict, response: dict) -> float:
    chosen = response.get("pairs")
    if not isinstance(chosen, dict):
        return 0.0
    pairs = document.get("pairs") or []
    response_text = {pair["id"]: _text_key(pair.get("response")) for pair in pairs}
    premises = [pair for pair in pairs if _text_key(pair.get("premise"))]
    if not premises:
        return 0.0
    right = 0
    for pair in premises:
        own = response_text[pair["id"]]
        choice = _as_id(chosen.get(pair["id"]))
        # Texts, not ids, decide (as in Moodle): two pairs with the same response text show the examinee one
        # and the same answer, so either pair's id is right. A blank response is never right.
        if own and choice in response_text and response_text[choice] == own:
            right += 1
    return right / len(premises)


def _score_scenario(document: dict, response: dict) -> float:
    steps = document.get("steps") or []
    if not steps:
        return 0.0
    answered = _scenario_answered(document, response)
    # Each step is clamped on its own: a penalty in one step does not take credit earned in another.
    return math.fsum(_clamp(fraction) for fraction in answered) / len(steps)


def _scenario_answered(document: dict, response: dict | None) -> list[float]:
    """The fractions of the answered steps: the longest run from the first step in which each position holds
    an option of its own step (a step can only be answered after the ones before it)."""
    choices = response.get("choices") if isinstance(response, dict) else None
    if not isinstance(choices, list | tuple):
        return []
    fractions = []
    for step, choice in zip(document.get("steps") or [], choices, strict=False):
        fraction = _option_fractions(step.get("options")).get(_as_id(choice))
        if fraction is None:
            break
        fractions.append(fraction)
    return fractions


_SCORERS = {
    "single_choice": _score_one_choice,
    "true_false": _score_one_choice,
    "multiple_choice": _score_many_choices,
    "short_answer": _score_short_answer,
    "numerical": _score_numerical,
    "matching": _score_matching,
    "scenario": _score_scenario,
}


# --- Validation by type ----------------------------------------------------------------------------------


def _choice_list(value) -> list:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InvalidResponse("wrong_shape", "choices")
    return list(value)


def _validate_one_choice(document: dict, value) -> list[str]:
    choices = _choice_list(value)
    if len(choices) > 1:
        raise InvalidResponse("too_many_choices", "choices")
    _check_ids(choices, _option_ids(document.get("options")))
    return choices


def _validate_many_choices(document: dict, value) -> list[str]:
    choices = _choice_list(value)
    known = _option_ids(document.get("options"))
    if len(choices) > len(known):  # checked first so that a huge list costs nothing
        raise InvalidResponse("too_many_choices", "choices")
    _check_ids(choices, known)
    if len(set(choices)) != len(choices):
        raise InvalidResponse("duplicate_choice", "choices")
    chosen = set(choices)
    return [option_id for option_id in known if option_id in chosen]


def _validate_scenario(document: dict, value) -> list[str]:
    choices = _choice_list(value)
    steps = document.get("steps") or []
    if len(choices) > len(steps):
        raise InvalidResponse("too_many_choices", "choices")
    step_of = {option_id: index for index, step in enumerate(steps) for option_id in _option_ids(step.get("options"))}
    _check_ids(choices, step_of)
    for position, choice in enumerate(choices):
        step = step_of[choice]
        if step < position:  # a second answer to a step already answered
            raise InvalidResponse("too_many_choices", "choices")
        if step > position:  # an answer to a step whose predecessors are not all answered
            raise InvalidResponse("step_out_of_order", "choices")
    return choices


def _validate_text(value, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidResponse("wrong_shape", "text")
    text = value.strip()
    if len(text) > limit:
        raise InvalidResponse("too_long", "text")
    # PostgreSQL cannot store NUL in text or JSON, and a lone surrogate (from a "\ud800" JSON escape) is not
    # encodable: refuse both here rather than fail on saving.
    if "\x00" in text or not _encodable(text):
        raise InvalidResponse("invalid_character", "text")
    return text


def _validate_number(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and len(value) > NUMBER_MAX_LENGTH:
        raise InvalidResponse("too_long", "number")
    number = _parse_number(value)
    if number is None:
        raise InvalidResponse("not_a_number", "number")
    return number


def _validate_pairs(document: dict, value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidResponse("wrong_shape", "pairs")
    pairs = document.get("pairs") or []
    pair_ids = {pair["id"] for pair in pairs}
    premise_ids = [pair["id"] for pair in pairs if _text_key(pair.get("premise"))]
    for premise_id, choice in value.items():
        if premise_id not in premise_ids:
            raise InvalidResponse("unknown_option", "pairs")
        if choice is None or choice == "":
            continue  # left unanswered
        if not isinstance(choice, str):
            raise InvalidResponse("wrong_shape", "pairs")
        if choice not in pair_ids:
            raise InvalidResponse("unknown_option", "pairs")
    return {premise_id: value[premise_id] for premise_id in premise_ids if value.get(premise_id)}


def _check_ids(choices: list, known) -> None:
    for choice in choices:
        if not isinstance(choice, str):
            raise InvalidResponse("wrong_shape", "choices")
        if choice not in known:
            raise InvalidResponse("unknown_option", "choices")


# --- Small helpers ---------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _parse_number(value) -> float | None:
    """A finite number from a JSON number or from what a person typed: "3,5", "1 000", "−2" (minus sign)."""
    if isinstance(value, bool):
        return None  # True is an int to Python, not an answer
    if isinstance(value, int | float):
        return _finite_float(value)
    if not isinstance(value, str) or len(value) > NUMBER_MAX_LENGTH:
        return None
    # Spaces (non-breaking ones too) group thousands; a comma is the decimal separator in Kazakh and Russian.
    text = "".join(value.split()).replace(",", ".").replace("−", "-")
    if not _NUMBER.fullmatch(text):
        return None
    return _finite_float(text)


def _finite_float(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an int beyond float's range
        return None
    return number if math.isfinite(number) else None


def _as_fraction(value) -> float:
    number = _finite_float(value)
    return 0.0 if number is None else number


def _clamp(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(max(value, 0.0), 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0


def _as_id(value) -> str | None:
    """An option or pair id, or None for anything else (a list is unhashable and would break a lookup)."""
    return value if isinstance(value, str) else None


def _option_ids(options) -> dict[str, None]:
    return dict.fromkeys(option["id"] for option in options or [])  # a dict keeps document order


def _option_fractions(options) -> dict[str, float]:
    return {option["id"]: _as_fraction(option.get("fraction")) for option in options or []}


def _text_key(text) -> tuple:
    """A multilingual text ({"kk": …, "ru": …}) as a comparable value: its non-blank languages, stripped."""
    if isinstance(text, str):
        text = {"": text}
    if not isinstance(text, dict):
        return ()
    return tuple(sorted((language, value.strip()) for language, value in text.items()
                        if isinstance(value, str) and value.strip()))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

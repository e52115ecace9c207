"""The item document: the one shape an item has everywhere (import, export, demo bank, storage, scoring).

An item version stores its document; the formats (Moodle XML, GIFT) read and write documents; scoring takes a
document and a response. A document is plain JSON::

    {
      "type": one of ITEM_TYPES,
      "name": "short title (Moodle <name>)",                      # optional, "" allowed
      "text": {"kk": "<p>…</p>", "ru": "<p>…</p>"},                 # at least one language; sanitised HTML
      "general_feedback": {"kk": "…", "ru": "…"},                   # commentary after answering; optional
      "topic": "voter-lists",                                       # a TOPIC_CODES code, or None
      "category": ["Top", "Elections", "Voter lists"],              # import only: the file's category path
      "points": 1.0,                                                # default mark (Moodle defaultgrade)
      "difficulty": 2,                                              # 1 (easy) … 5 (hard); optional
      "references": [{"act": "elections", "article": "20", "paragraph": "3"}],   # LEGAL_ACTS codes
      "tags": ["…"],
      "shuffle": true,                                              # shuffle options / pairs
      # single_choice, multiple_choice, true_false (ids "true"/"false"):
      "options": [{"id": "a", "text": {"kk": "…", "ru": "…"}, "fraction": 1.0, "feedback": {"kk": "…"}}],
      # short_answer: accepted answers in any language, first match wins (Moodle); "*" is a wildcard
      "answers": [{"text": "…", "fraction": 1.0, "feedback": {…}}], "case_sensitive": false,
      # numerical: first answer whose [value - tolerance, value + tolerance] holds the response wins
      "numbers": [{"value": 3.0, "tolerance": 0.5, "fraction": 1.0, "feedback": {…}}],
      # matching: a pair with an empty premise is an extra (distractor) response
      "pairs": [{"id": "p1", "premise": {"kk": "…"}, "response": {"kk": "…"}}],
      # scenario: the situation is "text"; each step is a decision shown after the previous one is answered;
      # an option's fraction is its credit (0…1) and its feedback the expert commentary naming the legal basis
      "steps": [{"id": "s1", "text": {…}, "options": [{"id": "s1a", "text": {…}, "fraction": 0.5, "feedback": {…}}]}],
      # essay (graded by hand)
      "essay": {"response_format": "editor" | "plain", "min_words": null, "grader_info": {"kk": "…"}},
    }

Fractions are Moodle's: -1…1 per option (negative = penalty, multiple choice), the item's score is
clamp(sum or match, 0, 1) × points. Responses (API and pages): {"choices": [option ids]} (choice types; a
scenario: one option id per step, in step order), {"text": "…"}, {"number": x}, {"pairs": {pair id: pair id
whose response was chosen}}.
"""

from __future__ import annotations

ITEM_TYPES = (
    "single_choice", "multiple_choice", "true_false", "short_answer", "numerical", "matching", "essay",
    "description", "scenario",
)
# Types scored by hand (essay) or not at all (description).
UNSCORED_AUTOMATICALLY = ("essay", "description")
LANGUAGES = ("kk", "ru")

# The topic tree's first level: the stages of an election (../shared/domain.md, "Testing").
TOPIC_CODES = (
    "legal-framework", "commission-work", "voter-lists", "nomination", "campaigning", "campaign-finance",
    "polling-station", "observers", "voting", "counting", "complaints", "emergencies", "referendum",
    "data-protection", "public-communication",
)

# Legal acts items cite (codes of the LegalAct reference table).
LEGAL_ACTS = (
    "constitution",          # Constitution of the Republic of Kazakhstan (30 August 1995)
    "elections",             # Constitutional Law "On Elections in the Republic of Kazakhstan" (28 Sept 1995 No. 2464)
    "referendum",            # Constitutional Law "On the Republican Referendum" (2 Nov 1995 No. 2592)
    "personal-data",         # Law "On Personal Data and Their Protection" (21 May 2013 No. 94-V)
    "administrative-code",   # Code of Administrative Offences (5 July 2014 No. 235-V)
    "criminal-code",         # Criminal Code (3 July 2014 No. 226-V)
)


class InvalidDocument(Exception):
    """A document that breaks the schema: ``code`` for machines, ``field`` the path ("options.2.fraction")."""

    def __init__(self, code: str, field: str = ""):
        self.code = code
        self.field = field
        super().__init__(f"{field}: {code}" if field else code)


CHOICE_TYPES = ("single_choice", "multiple_choice", "true_false")


def _texts(value, field: str, *, required: bool) -> dict:
    if value in (None, ""):
        value = {}
    if not isinstance(value, dict):
        raise InvalidDocument("not_a_text", field)
    texts = {}
    for language, text in value.items():
        if language not in LANGUAGES:
            raise InvalidDocument("unknown_language", f"{field}.{language}")
        if not isinstance(text, str):
            raise InvalidDocument("not_a_text", f"{field}.{language}")
        if text.strip():
            texts[language] = text.strip()
    if required and not texts:
        raise InvalidDocument("required", field)
    return texts


def _fraction(value, field: str, *, low: float = -1.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidDocument("not_a_number", field) from None
    if not low <= number <= 1.0:
        raise InvalidDocument("out_of_range", field)
    return number


def _options(options, field: str, *, low: float) -> list[dict]:
    if not isinstance(options, list) or len(options) < 2:
        raise InvalidDocument("two_options_needed", field)
    result, seen = [], set()
    for index, option in enumerate(options):
        where = f"{field}.{index}"
        if not isinstance(option, dict):
            raise InvalidDocument("wrong_shape", where)
        option_id = str(option.get("id") or "").strip()
        if not option_id or option_id in seen:
            raise InvalidDocument("duplicate_id" if option_id else "required", f"{where}.id")
        seen.add(option_id)
        result.append({"id": option_id, "text": _texts(option.get("text"), f"{where}.text", required=True),
                       "fraction": _fraction(option.get("fraction", 0), f"{where}.fraction", low=low),
                       "feedback": _texts(option.get("feedback"), f"{where}.feedback", required=False)})
    return result


def validate_document(document: dict) -> dict:
    """The document checked against the schema and normalised (stripped texts, floats, defaults), or
    ``InvalidDocument``. Guarantees what scoring and drawing rely on: a known type, text in kk or ru, unique
    option ids, a reachable full score (a right option, an accepted answer, a step's best option)."""
    if not isinstance(document, dict):
        raise InvalidDocument("wrong_shape")
    kind = document.get("type")
    if kind not in ITEM_TYPES:
        raise InvalidDocument("unknown_type", "type")
    topic = document.get("topic") or None
    if topic is not None and not isinstance(topic, str):
        raise InvalidDocument("wrong_shape", "topic")
    try:
        points = 0.0 if kind == "description" else float(document.get("points", 1))
    except (TypeError, ValueError):
        raise InvalidDocument("not_a_number", "points") from None
    if not 0 <= points <= 1000:
        raise InvalidDocument("out_of_range", "points")
    difficulty = document.get("difficulty")
    if difficulty is not None and (not isinstance(difficulty, int) or not 1 <= difficulty <= 5):
        raise InvalidDocument("out_of_range", "difficulty")
    references = []
    for index, reference in enumerate(document.get("references") or []):
        if not isinstance(reference, dict) or reference.get("act") not in LEGAL_ACTS:
            raise InvalidDocument("unknown_act", f"references.{index}.act")
        article = str(reference.get("article") or "").strip()
        if not article:
            raise InvalidDocument("required", f"references.{index}.article")
        references.append({"act": reference["act"], "article": article,
                           "paragraph": str(reference.get("paragraph") or "").strip()})
    clean = {
        "type": kind, "name": str(document.get("name") or "").strip()[:255],
        "text": _texts(document.get("text"), "text", required=True),
        "general_feedback": _texts(document.get("general_feedback"), "general_feedback", required=False),
        "topic": topic, "points": points, "difficulty": difficulty, "references": references,
        "tags": [str(tag) for tag in document.get("tags") or []],
        "shuffle": bool(document.get("shuffle", kind != "true_false")),
    }
    if document.get("category"):
        clean["category"] = [str(part) for part in document["category"]]
    if kind in CHOICE_TYPES:
        clean["options"] = _options(document.get("options"), "options", low=-1.0)
        best = max(option["fraction"] for option in clean["options"])
        total = sum(option["fraction"] for option in clean["options"] if option["fraction"] > 0)
        if (kind != "multiple_choice" and best < 1.0) or (kind == "multiple_choice" and total < 0.999):
            raise InvalidDocument("no_right_option", "options")
    elif kind == "short_answer":
        answers = document.get("answers")
        if not isinstance(answers, list) or not answers:
            raise InvalidDocument("required", "answers")
        clean["answers"] = []
        for index, answer in enumerate(answers):
            text = str((answer or {}).get("text") or "").strip()
            if not text:
                raise InvalidDocument("required", f"answers.{index}.text")
            where = f"answers.{index}"
            clean["answers"].append({"text": text,
                                     "fraction": _fraction(answer.get("fraction", 1), f"{where}.fraction", low=0.0),
                                     "feedback": _texts(answer.get("feedback"), f"{where}.feedback", required=False)})
        if max(answer["fraction"] for answer in clean["answers"]) < 1.0:
            raise InvalidDocument("no_right_option", "answers")
        clean["case_sensitive"] = bool(document.get("case_sensitive", False))
    elif kind == "numerical":
        numbers = document.get("numbers")
        if not isinstance(numbers, list) or not numbers:
            raise InvalidDocument("required", "numbers")
        clean["numbers"] = []
        for index, number in enumerate(numbers):
            where = f"numbers.{index}"
            try:
                value, tolerance = float(number["value"]), abs(float(number.get("tolerance") or 0))
            except (TypeError, ValueError, KeyError):
                raise InvalidDocument("not_a_number", f"{where}.value") from None
            clean["numbers"].append({"value": value, "tolerance": tolerance,
                                     "fraction": _fraction(number.get("fraction", 1), f"{where}.fraction", low=0.0),
                                     "feedback": _texts(number.get("feedback"), f"{where}.feedback", required=False)})
        if max(number["fraction"] for number in clean["numbers"]) < 1.0:
            raise InvalidDocument("no_right_option", "numbers")
    elif kind == "matching":
        pairs = document.get("pairs")
        if not isinstance(pairs, list):
            raise InvalidDocument("required", "pairs")
        clean["pairs"], seen = [], set()
        for index, pair in enumerate(pairs):
            pair_id = str((pair or {}).get("id") or "").strip()
            if not pair_id or pair_id in seen:
                raise InvalidDocument("duplicate_id" if pair_id else "required", f"pairs.{index}.id")
            seen.add(pair_id)
            clean["pairs"].append({"id": pair_id,
                                   "premise": _texts(pair.get("premise"), f"pairs.{index}.premise", required=False),
                                   "response": _texts(pair.get("response"), f"pairs.{index}.response", required=True)})
        if sum(1 for pair in clean["pairs"] if pair["premise"]) < 2:
            raise InvalidDocument("two_pairs_needed", "pairs")
    elif kind == "scenario":
        steps = document.get("steps")
        if not isinstance(steps, list) or not steps:
            raise InvalidDocument("required", "steps")
        clean["steps"], seen = [], set()
        for index, step in enumerate(steps):
            where = f"steps.{index}"
            step_id = str((step or {}).get("id") or "").strip()
            if not step_id or step_id in seen:
                raise InvalidDocument("duplicate_id" if step_id else "required", f"{where}.id")
            seen.add(step_id)
            options = _options(step.get("options"), f"{where}.options", low=0.0)
            for option in options:
                if option["id"] in seen:
                    raise InvalidDocument("duplicate_id", f"{where}.options")
                seen.add(option["id"])
            if max(option["fraction"] for option in options) < 1.0:
                raise InvalidDocument("no_right_option", f"{where}.options")
            clean["steps"].append({"id": step_id, "text": _texts(step.get("text"), f"{where}.text", required=False),
                                   "options": options})
    elif kind == "essay":
        essay = document.get("essay") or {}
        clean["essay"] = {"response_format": "plain" if essay.get("response_format") == "plain" else "editor",
                          "min_words": essay.get("min_words") if isinstance(essay.get("min_words"), int) else None,
                          "grader_info": _texts(essay.get("grader_info"), "essay.grader_info", required=False)}
    return clean


def languages_of(document: dict) -> set[str]:
    """The languages an examinee can take the item in: its text (and every option's) exists in them."""
    languages = set(document["text"])
    for option in document.get("options", []):
        languages &= set(option["text"])
    for step in document.get("steps", []):
        for option in step["options"]:
            languages &= set(option["text"])
    for pair in document.get("pairs", []):
        languages &= set(pair["response"]) & (set(pair["premise"]) if pair["premise"] else set(LANGUAGES))
    return languages

"""Forms of the item bank pages: filters, the item editor (structured for choice and scenario items, JSON for the
other types), workflow, amendments and the two-step import; and the HTML sanitiser every edited text goes through.

Texts in item documents are sanitised HTML (see ``documents.py``). The import sanitises what it reads; the
editor sanitises what people type with :func:`clean_html`, which allows the same markup as the import (so an
imported item survives editing unchanged) and nothing that can run: no scripts, styles, event attributes, and
links and images only to http(s) (images also ``data:``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib

from django import forms
from django.conf import settings
from django.core import signing
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .documents import LANGUAGES, LEGAL_ACTS
from .formats.html import sanitize
from .models import ItemStatus, ItemType, LegalAct, Topic
from .scoping import can_review_items

# --- Sanitising -----------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def clean_html(markup: str) -> str:
    """``markup`` with only the markup the import allows (``formats.html.sanitize``): nothing that can run."""
    return sanitize(markup or "")


def text_to_html(text: str) -> str:
    """What a person typed, as sanitised HTML: markup is kept (sanitised); plain text keeps its line breaks."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        # No markup: keep the line breaks. Stray "<", "&" are escaped by the sanitiser, and entities already
        # written ("&amp;", as the editor shows stored texts) stay as they are.
        paragraphs = [part.strip() for part in re.split(r"\n[ \t]*\n\s*", text) if part.strip()]
        rendered = ["<br>".join(part.split("\n")) for part in paragraphs]
        text = rendered[0] if len(rendered) == 1 else "".join(f"<p>{part}</p>" for part in rendered)
    return clean_html(text)


def _clean_texts(value):
    if isinstance(value, dict):
        return {language: clean_html(text) if isinstance(text, str) else text for language, text in value.items()}
    return value


def sanitize_document(document):
    """The HTML texts of a document (as typed into the JSON editor) sanitised; the shape is left to validation."""
    if not isinstance(document, dict):
        return document
    document = dict(document)
    for key in ("text", "general_feedback"):
        if key in document:
            document[key] = _clean_texts(document[key])

    def entries(key, container=document, fields=("text", "feedback")):
        if isinstance(container.get(key), list):
            container[key] = [
                {**entry, **{name: _clean_texts(entry[name]) for name in fields if name in entry}}
                if isinstance(entry, dict) else entry for entry in container[key]]

    entries("options")
    entries("answers", fields=("feedback",))     # accepted answers are plain text, compared with the response
    entries("numbers", fields=("feedback",))
    entries("pairs", fields=("premise", "response"))
    entries("steps", fields=("text",))
    for step in document.get("steps") or []:
        if isinstance(step, dict):
            entries("options", container=step)
    if isinstance(document.get("essay"), dict) and "grader_info" in document["essay"]:
        document["essay"] = {**document["essay"], "grader_info": _clean_texts(document["essay"]["grader_info"])}
    return document


# --- Filters --------------------------------------------------------------------------------------------------

LANGUAGE_CHOICES = [("kk", _("Kazakh")), ("ru", _("Russian"))]


def topic_choices(empty_label) -> list:
    return [("", empty_label)] + [(topic.code, topic.name) for topic in Topic.objects.all()]


class BankFilterForm(forms.Form):
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("any"))] + ItemStatus.choices)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("any"))] + ItemType.choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("any"))] + LANGUAGE_CHOICES)
    difficulty = forms.TypedChoiceField(label=_("Difficulty"), required=False, coerce=int, empty_value=None,
                                        choices=[("", _("any"))] + [(n, str(n)) for n in range(1, 6)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(_("any"))

    def filters(self) -> dict:
        """The valid filters that are set (an invalid form filters nothing)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


def filter_items(qs, filters: dict, *, without: tuple = ()):
    """``qs`` narrowed by the bank filters (except those named in ``without``, for per-status/topic counts)."""
    if filters.get("q") and "q" not in without:
        qs = qs.filter(name__icontains=filters["q"])
    if filters.get("status") and "status" not in without:
        qs = qs.filter(status=filters["status"])
    if filters.get("topic") and "topic" not in without:
        qs = qs.filter(topic__code=filters["topic"])
    if filters.get("type") and "type" not in without:
        qs = qs.filter(type=filters["type"])
    if filters.get("language") and "language" not in without:
        qs = qs.filter(**{f"has_{filters['language']}": True})
    if filters.get("difficulty") and "difficulty" not in without:
        qs = qs.filter(difficulty=filters["difficulty"])
    return qs


# --- Workflow -------------------------------------------------------------------------------------------------

class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
    # Sending an approved item back to review says why (it is shown on the item until it is approved again).
    needs_reason = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("needs_reason") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the item goes back to review."))
        return data


# --- Amendments -----------------------------------------------------------------------------------------------

class DateInput(forms.DateInput):
    input_type = "date"


class AmendmentForm(forms.Form):
    act = forms.ModelChoiceField(label=_("Legal act"), queryset=LegalAct.objects.all(), to_field_name="code")
    article = forms.CharField(label=_("Article"), max_length=16)
    paragraph = forms.CharField(label=_("Paragraph"), max_length=16, required=False,
                                help_text=_("Leave empty when the whole article was amended."))
    amended_on = forms.DateField(label=_("Amended on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


# --- Import ---------------------------------------------------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_SIGNING_SALT = "saylau.assessment.bank.import"
IMPORT_MAX_AGE = 60 * 60  # seconds between the preview and the confirmation


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Question file (Moodle XML or GIFT)"),
                           help_text=_("Up to 5 MB. The format is recognised from the content."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xml,.gift,.txt,text/xml,text/plain"}))
    language = forms.ChoiceField(label=_("Language of the questions"), choices=LANGUAGE_CHOICES, initial="ru")
    topic = forms.ChoiceField(label=_("Topic"), required=False,
                              help_text=_("For questions whose category in the file names no topic."))
    status = forms.ChoiceField(label=_("Status of the new items"), choices=[(ItemStatus.DRAFT, ItemStatus.DRAFT.label)],
                               initial=ItemStatus.DRAFT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(_("none"))
        if can_review_items(user):
            self.fields["status"].choices = [(ItemStatus.DRAFT, ItemStatus.DRAFT.label),
                                             (ItemStatus.APPROVED, ItemStatus.APPROVED.label)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


def import_ticket(*, user, data: bytes, language: str, topic: str, status: str, filename: str) -> dict:
    """The hidden fields that carry a previewed file to the confirmation: the file compressed and base64-encoded,
    and a signed description (options, file digest, user) so that only what was previewed can be imported."""
    payload = base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii")
    ticket = signing.dumps({"user": user.pk, "language": language, "topic": topic, "status": status,
                            "filename": filename[:200], "size": len(data),
                            "sha256": hashlib.sha256(payload.encode("ascii")).hexdigest()},
                           salt=IMPORT_SIGNING_SALT)
    return {"payload": payload, "ticket": ticket}


def ticket_fits_in_a_form(fields: dict) -> bool:
    """Whether the confirmation form stays under Django's limit on form data (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is None or sum(len(value) for value in fields.values()) + 4096 < limit


class ImportConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput, strip=False)
    ticket = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        expired = forms.ValidationError(_("The preview has expired or the file was changed: upload the file again."))
        try:
            ticket = signing.loads(data.get("ticket") or "", salt=IMPORT_SIGNING_SALT, max_age=IMPORT_MAX_AGE)
        except signing.BadSignature:
            raise expired from None
        payload = data.get("payload") or ""
        if ticket.get("user") != getattr(self.user, "pk", None) or (
                hashlib.sha256(payload.encode("ascii", "replace")).hexdigest() != ticket.get("sha256")):
            raise expired
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.urlsafe_b64decode(payload), MAX_IMPORT_BYTES + 1)
        if len(content) != ticket["size"]:
            raise expired
        data.update(content=content, language=ticket["language"], topic=ticket["topic"], status=ticket["status"],
                    filename=ticket["filename"])
        return data


# --- The item editor ------------------------------------------------------------------------------------------

STRUCTURED_TYPES = ("single_choice", "multiple_choice", "true_false", "scenario")
MAX_OPTIONS = 8
MAX_STEPS = 4
MAX_STEP_OPTIONS = 5
TEXTAREA = {"rows": 3, "cols": 70}
SHORT_TEXTAREA = {"rows": 2, "cols": 70}
TRUE_FALSE_TEXTS = {"true": {"kk": "Дұрыс", "ru": "Верно"}, "false": {"kk": "Дұрыс емес", "ru": "Неверно"}}
HTML_HELP = _("Plain text, or HTML: paragraphs, bold, italics, lists, tables, links.")


def _texts_of(cleaned: dict, base: str) -> dict:
    return {language: text_to_html(cleaned.get(f"{base}_{language}") or "") for language in LANGUAGES
            if (cleaned.get(f"{base}_{language}") or "").strip()}


def _initial_texts(texts: dict | None, base: str) -> dict:
    return {f"{base}_{language}": (texts or {}).get(language, "") for language in LANGUAGES}


class ItemCommonForm(forms.Form):
    name = forms.CharField(label=_("Short name"), max_length=255, required=False,
                           help_text=_("Shown in the bank list; the start of the text when empty."))
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    difficulty = forms.TypedChoiceField(label=_("Difficulty"), required=False, coerce=int, empty_value=None,
                                        choices=[("", _("not set"))] + [(n, str(n)) for n in range(1, 6)],
                                        help_text=_("1 is easy, 5 is hard."))
    points = forms.FloatField(label=_("Points"), min_value=0, max_value=1000, initial=1)
    text_kk = forms.CharField(label=_("Text in Kazakh"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                              help_text=HTML_HELP)
    text_ru = forms.CharField(label=_("Text in Russian"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
                              help_text=HTML_HELP)
    general_feedback_kk = forms.CharField(label=_("General feedback in Kazakh"), required=False,
                                          widget=forms.Textarea(attrs=TEXTAREA))
    general_feedback_ru = forms.CharField(label=_("General feedback in Russian"), required=False,
                                          widget=forms.Textarea(attrs=TEXTAREA))
    shuffle = forms.BooleanField(label=_("Shuffle the options"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topic_choices(_("none"))

    def clean(self):
        data = super().clean()
        if not (data.get("text_kk") or "").strip() and not (data.get("text_ru") or "").strip():
            self.add_error("text_kk", _("Write the text in Kazakh, Russian or both."))
        return data


class ReferenceForm(forms.Form):
    act = forms.ChoiceField(label=_("Legal act"), required=False)
    article = forms.CharField(label=_("Article"), max_length=16, required=False)
    paragraph = forms.CharField(label=_("Paragraph"), max_length=16, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        titles = dict((act.code, act.title) for act in LegalAct.objects.all())
        self.fields["act"].choices = [("", "—")] + [(code, titles.get(code, code)) for code in LEGAL_ACTS]

    def clean(self):
        data = super().clean()
        if (data.get("article") or data.get("paragraph")) and not data.get("act"):
            self.add_error("act", _("Choose the legal act."))
        if data.get("act") and not (data.get("article") or "").strip():
            self.add_error("article", _("Name the article."))
        return data

    def reference(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("act"):
            return None
        return {"act": data["act"], "article": data["article"].strip(), "paragraph": (data["paragraph"] or "").strip()}


class OptionForm(forms.Form):
    id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=16)
    text_kk = forms.CharField(label=_("Text in Kazakh"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    text_ru = forms.CharField(label=_("Text in Russian"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    credit = forms.DecimalField(label=_("Credit, %"), required=False, min_value=-100, max_value=100, decimal_places=5,
                                help_text=_("100 for a right answer, 0 for a wrong one; negative is a penalty."))
    feedback_kk = forms.CharField(label=_("Feedback in Kazakh"), required=False,
                                  widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    feedback_ru = forms.CharField(label=_("Feedback in Russian"), required=False,
                                  widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any((data.get(name) or "").strip() for name in ("text_kk", "text_ru", "feedback_kk", "feedback_ru")) \
            and not data.get("credit")

    def clean(self):
        data = super().clean()
        if not self.is_blank() and not any((data.get(f"text_{language}") or "").strip() for language in LANGUAGES):
            self.add_error("text_kk", _("Write the option's text, or clear the whole row."))
        return data

    def option(self, option_id: str) -> dict:
        data = self.cleaned_data
        return {"id": option_id, "text": _texts_of(data, "text"),
                # Rounded like Moodle's weights, so that an unchanged 33.33333 % stays the stored 0.3333333.
                "fraction": round(float(data.get("credit") or 0) / 100, 7), "feedback": _texts_of(data, "feedback")}


class TrueFalseOptionForm(OptionForm):
    """One of the two statements: its texts are fixed (hidden fields, filled in by the editor when missing)."""

    def clean(self):
        return forms.Form.clean(self)


class ScenarioOptionForm(OptionForm):
    credit = forms.DecimalField(label=_("Credit, %"), required=False, min_value=0, max_value=100, decimal_places=5,
                                help_text=_("100 for the best action; partial credit for acceptable ones."))
    feedback_kk = forms.CharField(label=_("Expert commentary in Kazakh"), required=False,
                                  widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    feedback_ru = forms.CharField(label=_("Expert commentary in Russian"), required=False,
                                  widget=forms.Textarea(attrs=SHORT_TEXTAREA))


class StepForm(forms.Form):
    id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=16)
    text_kk = forms.CharField(label=_("What happens next, in Kazakh"), required=False,
                              widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    text_ru = forms.CharField(label=_("What happens next, in Russian"), required=False,
                              widget=forms.Textarea(attrs=SHORT_TEXTAREA))


def _formset(form, total: int, *, prefix: str, data=None, initial=None):
    """``total`` rows of ``form`` (the first ones filled from ``initial``). Every row is validated - none is skipped
    as "unchanged" - and a row whose fields are all empty is ignored by the editor."""
    factory = formset_factory(form, extra=0, min_num=total, max_num=total, absolute_max=total, validate_max=True)
    return factory(data, initial=list(initial or [])[:total], prefix=prefix)


def _option_initial(option: dict) -> dict:
    return {"id": option.get("id", ""), **_initial_texts(option.get("text"), "text"),
            "credit": _percent(option.get("fraction", 0)), **_initial_texts(option.get("feedback"), "feedback")}


def _percent(fraction) -> float | int:
    try:
        value = round(float(fraction) * 100, 5)
    except (TypeError, ValueError):
        return 0
    return int(value) if value == int(value) else value


def _fresh_id(prefix: str, used: set) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    for n in range(1, 1000):
        candidate = f"{prefix}{letters[n - 1]}" if n <= len(letters) else f"{prefix}{n}"
        if candidate not in used:
            used.add(candidate)
            return candidate
    raise ValueError("no free id")


def blank_document(kind: str) -> dict:
    """A starting document for a new item of ``kind`` (what the JSON editor shows first)."""
    document = {"type": kind, "name": "", "text": {"kk": "", "ru": ""}, "general_feedback": {"kk": "", "ru": ""},
                "topic": None, "points": 0 if kind == "description" else 1, "difficulty": None, "references": [],
                "tags": []}
    if kind == "short_answer":
        document.update(answers=[{"text": "", "fraction": 1.0, "feedback": {"kk": "", "ru": ""}}], case_sensitive=False)
    elif kind == "numerical":
        document["numbers"] = [{"value": 0, "tolerance": 0, "fraction": 1.0, "feedback": {"kk": "", "ru": ""}}]
    elif kind == "matching":
        document.update(shuffle=True, pairs=[{"id": f"p{n}", "premise": {"kk": "", "ru": ""},
                                              "response": {"kk": "", "ru": ""}} for n in (1, 2, 3)])
    elif kind == "essay":
        document["essay"] = {"response_format": "editor", "min_words": None, "grader_info": {"kk": "", "ru": ""}}
    elif kind == "true_false":
        document.update(shuffle=False, options=[
            {"id": key, "text": dict(TRUE_FALSE_TEXTS[key]), "fraction": 1.0 if key == "true" else 0.0}
            for key in ("true", "false")])
    return document


def fits_the_form(document: dict) -> bool:
    """Whether the structured editor can show all of ``document`` (else it is edited as JSON, losing nothing)."""
    options = document.get("options") or []
    if document.get("type") == "true_false":
        return [option.get("id") for option in options] == ["true", "false"]
    if document.get("type") == "scenario":
        steps = document.get("steps") or []
        return len(steps) <= MAX_STEPS and all(len(step.get("options") or []) <= MAX_STEP_OPTIONS for step in steps)
    return len(options) <= MAX_OPTIONS


class JsonDocumentForm(forms.Form):
    document = forms.CharField(label=_("The item as a JSON document"), strip=False,
                               widget=forms.Textarea(attrs={"rows": 24, "cols": 90, "spellcheck": "false"}),
                               help_text=_("The fields are described in the item document schema: type, name, text "
                                           "(kk/ru), topic, points, difficulty, references and the fields of the "
                                           "type."))

    def clean_document(self):
        try:
            value = json.loads(self.cleaned_data["document"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This is not valid JSON (line %(line)s, column %(column)s): %(problem)s"),
                params={"line": error.lineno, "column": error.colno, "problem": error.msg}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The document must be a JSON object: {…}."))
        return value


class ItemEditor:
    """The editor of one item: structured forms for choice types and scenarios, a JSON document otherwise.

    ``document()`` (after ``is_valid()``) is the edited document, built on the previous one so that what the
    forms do not show (tags, the imported category) is kept. ``add_error(domain_error)`` puts a service's
    complaint ("options.2.fraction") next to the field it is about.
    """

    def __init__(self, kind: str, *, document: dict | None = None, data=None):
        self.kind = kind
        self.previous = document or blank_document(kind)
        self.structured = kind in STRUCTURED_TYPES and fits_the_form(self.previous)
        self.errors: list[str] = []
        self.option_rows: list = []  # document option index -> form
        self.step_rows: list = []    # document step index -> (step form, {option index -> form})
        self.reference_rows: list = []
        if not self.structured:
            initial = {"document": json.dumps(self.previous, ensure_ascii=False, indent=2)}
            self.json = JsonDocumentForm(data, initial=initial)
            return
        doc = self.previous
        common_initial = {"name": doc.get("name", ""), "topic": doc.get("topic") or "",
                          "difficulty": doc.get("difficulty") or "", "points": doc.get("points", 1),
                          "shuffle": doc.get("shuffle", kind != "true_false"),
                          **_initial_texts(doc.get("text"), "text"),
                          **_initial_texts(doc.get("general_feedback"), "general_feedback")}
        self.common = ItemCommonForm(data, initial=common_initial)
        references = doc.get("references") or []
        self.references = _formset(ReferenceForm, len(references) + 2, prefix="ref", data=data,
                                   initial=[dict(reference) for reference in references])
        if kind == "scenario":
            steps = doc.get("steps") or []
            self.steps = _formset(StepForm, MAX_STEPS, prefix="step", data=data, initial=[
                {"id": step.get("id", ""), **_initial_texts(step.get("text"), "text")} for step in steps])
            self.step_options = [
                _formset(ScenarioOptionForm, MAX_STEP_OPTIONS, prefix=f"step{index}-option", data=data,
                         initial=[_option_initial(option) for option in (steps[index].get("options") or [])]
                         if index < len(steps) else [])
                for index in range(MAX_STEPS)]
        else:
            options = doc.get("options") or []
            total = 2 if kind == "true_false" else MAX_OPTIONS
            self.options = _formset(TrueFalseOptionForm if kind == "true_false" else OptionForm, total, prefix="option",
                                    data=data,
                                    initial=[_option_initial(option) for option in options])

    @property
    def step_pairs(self) -> list:
        """(step form, its option formset) for each of the scenario's step rows."""
        return list(zip(self.steps.forms, self.step_options, strict=True))

    # --- Validation --------------------------------------------------------------------------------------------

    def formsets(self) -> list:
        if not self.structured:
            return []
        if self.kind == "scenario":
            return [self.references, self.steps, *self.step_options]
        return [self.references, self.options]

    def is_valid(self) -> bool:
        if not self.structured:
            return self.json.is_valid()
        valid = self.common.is_valid()
        for formset in self.formsets():
            valid = formset.is_valid() and valid
        return valid

    def document(self) -> dict:
        if not self.structured:
            return sanitize_document(self.json.cleaned_data["document"])
        data = self.common.cleaned_data
        document = dict(self.previous)  # keeps what the form does not show: tags, the imported category
        document.update({
            "type": self.kind, "name": data["name"].strip(), "topic": data["topic"] or None,
            "difficulty": data["difficulty"], "points": float(data["points"]), "shuffle": bool(data["shuffle"]),
            "text": _texts_of(data, "text"), "general_feedback": _texts_of(data, "general_feedback"),
        })
        self.reference_rows = []
        references = []
        for form in self.references.forms:
            reference = form.reference() if form.cleaned_data else None
            if reference:
                references.append(reference)
                self.reference_rows.append(form)
        document["references"] = references
        if self.kind == "scenario":
            document["steps"] = self._steps()
        else:
            reserved = self._ids_of(self.options.forms)
            document["options"] = self._options(self.options.forms, used=set(), reserved=reserved,
                                                rows=self.option_rows, true_false=self.kind == "true_false")
            if self.kind == "true_false":
                # The statements' texts are fixed: give them in every language the question is written in.
                for option in document["options"]:
                    standard = {language: TRUE_FALSE_TEXTS[option["id"]][language] for language in document["text"]}
                    option["text"] = {**standard, **option["text"]}
        return document

    @staticmethod
    def _ids_of(forms_) -> set:
        return {(form.cleaned_data.get("id") or "").strip() for form in forms_ if form.cleaned_data} - {""}

    @staticmethod
    def _options(forms_, *, used: set, reserved: set, rows: list, prefix: str = "", true_false: bool = False) -> list:
        """The filled option rows as options. Existing ids are kept (attempts and statistics refer to them); new
        rows get a free id; ``used`` collects the ids given out."""
        rows.clear()
        options = []
        for index, form in enumerate(forms_):
            if true_false:
                option_id = ("true", "false")[index]
            elif not form.cleaned_data or form.is_blank():
                continue
            else:
                option_id = (form.cleaned_data.get("id") or "").strip()
                if not option_id or option_id in used:
                    option_id = _fresh_id(prefix, used | reserved)
            used.add(option_id)
            options.append(form.option(option_id))
            rows.append(form)
        return options

    def _steps(self) -> list:
        """The filled steps (text or options) with their options; ids are unique across the whole scenario."""
        reserved = self._ids_of(self.steps.forms)
        for formset in self.step_options:
            reserved |= self._ids_of(formset.forms)
        used: set = set()
        steps = []
        self.step_rows = []
        for form, formset in zip(self.steps.forms, self.step_options, strict=True):
            text = _texts_of(form.cleaned_data, "text") if form.cleaned_data else {}
            if not text and not any(f.cleaned_data and not f.is_blank() for f in formset.forms):
                continue
            step_id = (form.cleaned_data.get("id") or "").strip()
            if not step_id or step_id in used:
                step_id = next(f"s{n}" for n in range(1, 1000) if f"s{n}" not in used | reserved)
            used.add(step_id)
            rows: list = []
            options = self._options(formset.forms, used=used, reserved=reserved, rows=rows, prefix=step_id)
            steps.append({"id": step_id, "text": text, "options": options})
            self.step_rows.append((form, rows))
        return steps

    # --- Errors from the services -----------------------------------------------------------------------------

    def add_error(self, error) -> None:
        """Show a DomainError from the services, next to its field when ``error.params["field"]`` names one."""
        path = str(error.params.get("field") or "")
        if not self.structured:
            self.json.add_error("document", error.message if path in str(error.message) or not path else
                                _("At “%(field)s”: %(problem)s") % {"field": path, "problem": error.message})
            return
        target = self._target(path.split(".")) if path else None
        if target is None:
            self.errors.append(str(error.message))
        else:
            form, field = target
            form.add_error(field, error.message)

    def _target(self, parts: list[str]):
        def text_field(base: str, rest: list[str]) -> str:
            return f"{base}_{rest[0]}" if rest and rest[0] in LANGUAGES else f"{base}_kk"

        head, rest = parts[0], parts[1:]
        if head in ("name", "topic", "difficulty", "points"):
            return self.common, head
        if head in ("text", "general_feedback"):
            return self.common, text_field(head, rest)
        if head == "references" and rest and rest[0].isdigit() and int(rest[0]) < len(self.reference_rows):
            field = rest[1] if len(rest) > 1 and rest[1] in ("act", "article", "paragraph") else "act"
            return self.reference_rows[int(rest[0])], field
        if head == "options" and rest and rest[0].isdigit() and int(rest[0]) < len(self.option_rows):
            return self._option_target(self.option_rows[int(rest[0])], rest[1:])
        if head == "steps" and rest and rest[0].isdigit() and int(rest[0]) < len(self.step_rows):
            step_form, rows = self.step_rows[int(rest[0])]
            rest = rest[1:]
            if rest and rest[0] == "text":
                return step_form, text_field("text", rest[1:])
            if len(rest) >= 2 and rest[0] == "options" and rest[1].isdigit() and int(rest[1]) < len(rows):
                return self._option_target(rows[int(rest[1])], rest[2:])
        return None

    @staticmethod
    def _option_target(form, rest: list[str]):
        if rest and rest[0] == "fraction":
            return form, "credit"
        if rest and rest[0] == "feedback":
            return form, f"feedback_{rest[1]}" if len(rest) > 1 and rest[1] in LANGUAGES else "feedback_kk"
        return form, f"text_{rest[1]}" if len(rest) > 1 and rest[0] == "text" and rest[1] in LANGUAGES else "text_kk"

    def has_errors(self) -> bool:
        if self.errors:
            return True
        if not self.structured:
            return bool(self.json.errors)
        forms_ = [self.common, *(form for formset in self.formsets() for form in formset.forms)]
        return any(form.errors for form in forms_) or any(formset.non_form_errors() for formset in self.formsets())

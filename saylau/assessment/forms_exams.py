"""Forms of the trainer's and coordinator's test pages: the list filters, creating a test (a fixed list of items
or a blueprint), an event's entry/final pair, and marking an essay.

The forms only parse what was typed; the rules (windows, pass marks, the bank being large enough, who may take
the test) are the services' (``exams.exam_create``, ``exams.exam_pair_create``), whose errors the views put on
the fields they name."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Basis, Level, Position

from .models import Eligibility, FeedbackPolicy, Mode, Purpose, Topic

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_INPUT)


def _datetime_field(label, help_text=""):
    return forms.DateTimeField(label=label, required=False, widget=DateTimeInput(), help_text=help_text,
                               input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"])


def _commission_label(commission) -> str:
    return f"{commission.code} · {commission.name}"


def _event_label(event) -> str:
    return f"{event.starts_on:%Y-%m-%d} · {event.title}"


def topic_choices(*, counts: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """Topics in tree order, children indented under their parent; with ``counts``, the approved items of each."""
    topics = list(Topic.objects.all())
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    choices: list[tuple[str, str]] = []

    def walk(parent_id, depth):
        for topic in children.get(parent_id, []):
            label = "— " * depth + topic.name
            if counts is not None:
                label = _("%(topic)s (%(count)s approved)") % {"topic": label, "count": counts.get(topic.code, 0)}
            choices.append((topic.code, label))
            walk(topic.pk, depth + 1)

    walk(None, 0)
    return choices


class ExamFilterForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)
    mode = forms.ChoiceField(label=_("Mode"), required=False)
    event = forms.ModelChoiceField(label=_("Event"), queryset=None, required=False, empty_label=_("any"))

    def __init__(self, *args, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [("", _("any"))] + Purpose.choices
        self.fields["mode"].choices = [("", _("any"))] + Mode.choices
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = _event_label


class SettingsMixin(forms.Form):
    """The rules shared by a single test and an entry/final pair."""

    time_limit_minutes = forms.IntegerField(label=_("Time limit (minutes)"), required=False,
                                            help_text=_("Empty: no time limit."))
    pass_mark_percent = forms.DecimalField(label=_("Pass mark (%)"), initial=60, max_digits=5, decimal_places=2)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), initial=1)
    feedback_policy = forms.ChoiceField(label=_("Show the right answers"), choices=FeedbackPolicy.choices,
                                        initial=FeedbackPolicy.AFTER_SUBMIT)
    shuffle_items = forms.BooleanField(label=_("Shuffle the items for each examinee"), required=False, initial=True)
    shuffle_options = forms.BooleanField(label=_("Shuffle the options of each item"), required=False, initial=True)
    one_item_per_page = forms.BooleanField(label=_("One item per page"), required=False)
    opens_at = _datetime_field(_("Opens"))
    closes_at = _datetime_field(_("Closes"), help_text=_("Required for a distance test."))

    SETTINGS_FIELDS = ("time_limit_minutes", "pass_mark_percent", "attempts_allowed", "feedback_policy",
                       "shuffle_items", "shuffle_options", "one_item_per_page")
    WINDOW_FIELDS = ("opens_at", "closes_at")

    def settings_fields(self):
        return [self[name] for name in self.SETTINGS_FIELDS]

    def window_fields(self):
        return [self[name] for name in self.WINDOW_FIELDS]


class ExamForm(SettingsMixin):
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=255, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=255, required=False)
    commission = forms.ModelChoiceField(label=_("Organising commission"), queryset=None)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial=Purpose.DISTANCE)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.DISTANCE,
                             widget=forms.RadioSelect)
    event = forms.ModelChoiceField(label=_("Event"), queryset=None, required=False, empty_label=_("none"))
    pre_test = forms.ModelChoiceField(label=_("Entry test to compare with"), queryset=None, required=False,
                                      empty_label=_("none"),
                                      help_text=_("For a final test: each participant's result is compared with "
                                                  "this entry test."))

    composition = forms.ChoiceField(label=_("How the items are chosen"), widget=forms.RadioSelect, initial="fixed", choices=[
        ("fixed", _("a fixed list of items")), ("blueprint", _("drawn for each examinee by a blueprint"))])
    item_ids = forms.CharField(label=_("Item numbers"), required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                               help_text=_("Separated by commas, in the order of the test, e.g. 12, 15, 40."))
    items = forms.ModelMultipleChoiceField(label=_("Approved items"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    item_topic = forms.ChoiceField(label=_("Show the approved items of the topic"), required=False)

    # A course's tests are made in the course editor, which sets their eligibility.
    eligibility = forms.ChoiceField(label=_("Who may take it"),
                                    choices=[choice for choice in Eligibility.choices if choice[0] != "course"],
                                    widget=forms.RadioSelect, initial=Eligibility.EVENT)
    iins = forms.CharField(label=_("IINs of the people"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
                           help_text=_("Twelve digits each, separated by spaces, commas or new lines."))
    filter_region = forms.ChoiceField(label=_("Region"), required=False)
    filter_level = forms.MultipleChoiceField(label=_("Commission level"), choices=Level.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    filter_position = forms.MultipleChoiceField(label=_("Position"), choices=Position.choices, required=False,
                                                widget=forms.CheckboxSelectMultiple)
    filter_basis = forms.ChoiceField(label=_("Basis"), choices=[("", _("any"))] + Basis.choices, required=False)

    def __init__(self, *args, commissions, events, pre_tests, items, regions, region_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions
        self.fields["commission"].label_from_instance = _commission_label
        self.fields["event"].queryset = events
        self.fields["event"].label_from_instance = _event_label
        self.fields["pre_test"].queryset = pre_tests
        self.fields["items"].queryset = items
        self.fields["item_topic"].choices = [("", _("choose a topic"))] + topic_choices()
        region_choices = [(region.iso_code, region.name) for region in regions]
        self.fields["filter_region"].choices = region_choices if region_fixed else [("", _("any"))] + region_choices

    def clean_item_ids(self) -> list[int]:
        text = self.cleaned_data.get("item_ids") or ""
        parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
        bad = [part for part in parts if not part.lstrip("#").isdigit()]
        if bad:
            raise forms.ValidationError(_("Not item numbers: %(values)s.") % {"values": ", ".join(bad)})
        return [int(part.lstrip("#")) for part in parts]

    def clean_iins(self) -> list[str]:
        text = self.cleaned_data.get("iins") or ""
        parts = [part for part in re.split(r"[\s,;]+", text.strip()) if part]
        bad = [part for part in parts if not re.fullmatch(r"\d{12}", part)]
        if bad:
            raise forms.ValidationError(_("Not IINs (twelve digits): %(values)s.") % {"values": ", ".join(bad)})
        return list(dict.fromkeys(parts))

    def eligible_filter(self) -> dict:
        data = self.cleaned_data
        spec = {"region": data.get("filter_region"), "level": data.get("filter_level"),
                "position": data.get("filter_position"), "basis": data.get("filter_basis")}
        return {key: value for key, value in spec.items() if value}

    def settings(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.SETTINGS_FIELDS + self.WINDOW_FIELDS}
        if fields["pass_mark_percent"] is None:
            fields["pass_mark_percent"] = 60
        if fields["attempts_allowed"] is None:
            fields["attempts_allowed"] = 1
        return fields


class PairForm(SettingsMixin):
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=200)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200)
    commission = forms.ModelChoiceField(label=_("Organising commission"), queryset=None)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.ROOM, widget=forms.RadioSelect)

    def __init__(self, *args, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions
        self.fields["commission"].label_from_instance = _commission_label

    def settings(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.SETTINGS_FIELDS + self.WINDOW_FIELDS}
        if fields["pass_mark_percent"] is None:
            fields["pass_mark_percent"] = 60
        if fields["attempts_allowed"] is None:
            fields["attempts_allowed"] = 1
        return fields


class BlueprintRowForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    count = forms.IntegerField(label=_("Number of items"), required=False,
                               widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}))
    difficulty_min = forms.IntegerField(label=_("Difficulty from"), required=False, initial=1,
                                        widget=forms.NumberInput(attrs={"min": 1, "max": 5}))
    difficulty_max = forms.IntegerField(label=_("Difficulty to"), required=False, initial=5,
                                        widget=forms.NumberInput(attrs={"min": 1, "max": 5}))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—")] + list(topics)

    def row(self) -> dict | None:
        """The blueprint row, or None for a row left empty."""
        data = self.cleaned_data
        if not data.get("topic") and data.get("count") is None:
            return None
        return {"topic": data.get("topic") or "", "count": data.get("count"),
                "difficulty_min": data.get("difficulty_min") or 1, "difficulty_max": data.get("difficulty_max") or 5}


BlueprintFormSet = forms.formset_factory(BlueprintRowForm, extra=5, max_num=60, absolute_max=60)


def blueprint_formset(data=None, *, initial=None):
    from django.db.models import Count

    from .exams import drawable_items

    counts = dict(drawable_items().values_list("topic__code").annotate(n=Count("pk")).values_list("topic__code", "n"))
    return BlueprintFormSet(data, initial=initial, prefix="bp", form_kwargs={"topics": topic_choices(counts=counts)})


class GradeForm(forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.DecimalField(label=_("Points"), max_digits=7, decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.25", "min": 0}))
    comment = forms.CharField(label=_("Comment for the examinee"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

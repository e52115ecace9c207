from django import forms
from django.utils.translation import gettext_lazy as _

from saylau.assessment.models import LegalAct, Topic
from saylau.training.forms import EnrolFilterForm
from saylau.training.models import Audience

from .models import Campaign, Course, MaterialKind, MaterialStatus

LANGUAGE_FILTER = [("", _("any")), ("kk", _("Kazakh")), ("ru", _("Russian"))]


def _topic_choices():
    return [("", _("any"))] + [(topic.code, topic.name) for topic in Topic.objects.all()]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_FILTER)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("any"))] + MaterialKind.choices)
    audience = forms.ChoiceField(label=_("Audience"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = _topic_choices()
        self.fields["audience"].choices = [("", _("any"))] + [(a.code, a.name) for a in Audience.objects.all()]


class MaterialForm(forms.Form):
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=255, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=255, required=False)
    description_kk = forms.CharField(label=_("Description (Kazakh)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    description_ru = forms.CharField(label=_("Description (Russian)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    has_kk = forms.BooleanField(label=_("The material is in Kazakh"), required=False)
    has_ru = forms.BooleanField(label=_("The material is in Russian"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all(), required=False)
    audiences = forms.ModelMultipleChoiceField(label=_("Audiences"), queryset=Audience.objects.all(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    references = forms.CharField(
        label=_("Legal acts covered"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: the act's code and, if you wish, the article, e.g. \"elections 38\"."))
    status = forms.ChoiceField(label=_("Status"), choices=MaterialStatus.choices, initial=MaterialStatus.PUBLISHED)

    def clean_references(self):
        acts = {act.code: act for act in LegalAct.objects.all()}
        rows = []
        for number, line in enumerate((self.cleaned_data["references"] or "").splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if parts[0] not in acts:
                raise forms.ValidationError(_("Line %(line)s: no legal act has the code «%(code)s» (known: "
                                              "%(known)s).") % {"line": number, "code": parts[0],
                                                                "known": ", ".join(sorted(acts))})
            rows.append((acts[parts[0]], parts[1] if len(parts) > 1 else ""))
        return rows


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("A document (PDF, DOCX, PPTX) or a video (MP4, WebM)."))
    low_file = forms.FileField(label=_("Low-bitrate copy of the video"), required=False,
                               help_text=_("Optional: a smaller copy for slow connections."))
    external_url = forms.URLField(label=_("Or a link to the video"), required=False, assume_scheme="https")
    body_kk = forms.CharField(label=_("Text (Kazakh, Markdown)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 12}))
    body_ru = forms.CharField(label=_("Text (Russian, Markdown)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 12}))
    change_note = forms.CharField(label=_("What changed"), max_length=500, required=False)


class NewMaterialForm(MaterialForm, VersionForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    field_order = ["kind"]


class ChangesForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Since the campaign"), queryset=Campaign.objects.all(),
                                      required=False, empty_label=None)
    since = forms.DateField(label=_("Or since the day"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title_kk", "title_ru", "description_kk", "description_ru", "has_kk", "has_ru", "commission",
                  "audiences", "estimated_hours", "sequential", "open_enrolment", "require_all_lessons",
                  "require_final_test"]
        widgets = {"description_kk": forms.Textarea(attrs={"rows": 3}),
                   "description_ru": forms.Textarea(attrs={"rows": 3}),
                   "audiences": forms.CheckboxSelectMultiple}

    def __init__(self, *args, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions.exclude(level="precinct").order_by("code")
        self.fields["commission"].label_from_instance = lambda c: f"{c.code} · {c.name}"


class ModuleForm(forms.Form):
    title_kk = forms.CharField(label=_("Module title (Kazakh)"), max_length=255)
    title_ru = forms.CharField(label=_("Module title (Russian)"), max_length=255)


class LessonForm(forms.Form):
    module = forms.TypedChoiceField(label=_("Module"), coerce=int)
    material = forms.IntegerField(label=_("Material number in the library"), required=False, min_value=1)
    exam = forms.TypedChoiceField(label=_("Or a course test"), coerce=int, required=False, empty_value=None)
    is_final = forms.BooleanField(label=_("This test is the final test"), required=False)
    title_kk = forms.CharField(label=_("Lesson title (Kazakh)"), max_length=255, required=False,
                               help_text=_("Empty: the material's or test's title."))
    title_ru = forms.CharField(label=_("Lesson title (Russian)"), max_length=255, required=False)
    minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=600, initial=15)

    def __init__(self, *args, modules=(), exams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(m.pk, f"{m.position}. {m.title}") for m in modules]
        self.fields["exam"].choices = [("", "—")] + [(e.pk, e.title) for e in exams]


class CourseTestForm(forms.Form):
    title_kk = forms.CharField(label=_("Test title (Kazakh)"), max_length=255)
    title_ru = forms.CharField(label=_("Test title (Russian)"), max_length=255)
    topic = forms.ChoiceField(label=_("Topic of the questions"))
    count = forms.IntegerField(label=_("Number of questions"), min_value=1, max_value=100, initial=5)
    pass_mark_percent = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100, initial=70)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), min_value=1, max_value=20, initial=3)
    final = forms.BooleanField(label=_("This is the final test"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = _topic_choices()[1:]


class CohortForm(EnrolFilterForm):
    name = forms.CharField(label=_("Cohort name"), max_length=255)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    since = forms.DateField(label=_("New members only: term started on or after"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    iins = forms.CharField(label=_("Or a list of IINs"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
                           help_text=_("Twelve digits each, separated by spaces, commas or new lines."))
    field_order = ["name", "deadline"]


class ProgressFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)
    under = forms.IntegerField(required=False, widget=forms.HiddenInput)
    commission = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Learners"), required=False, choices=[
        ("", _("all")), ("not_started", _("not started")), ("in_progress", _("in progress")),
        ("behind", _("behind schedule")), ("completed", _("completed"))])
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("all"))] + [(r.iso_code, r.name) for r in regions]

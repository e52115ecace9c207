import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Basis, Commission, Level, Position, Region

from .models import Audience, Event, EventStatus, Format, Method, RoadmapItem, TrainingLevel


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class EventForm(forms.ModelForm):
    audiences = forms.ModelMultipleChoiceField(label=_("Audiences"), queryset=Audience.objects.all(), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    languages = forms.MultipleChoiceField(label=_("Languages"), choices=[("kk", _("Kazakh")), ("ru", _("Russian"))],
                                          widget=forms.CheckboxSelectMultiple, initial=["kk", "ru"])

    class Meta:
        model = Event
        fields = ["title_kk", "title_ru", "description_kk", "description_ru", "kind", "format", "level", "starts_on",
                  "ends_on", "organiser", "venue_address", "venue_room", "online_link", "capacity", "audiences",
                  "languages", "parent", "trains_trainers", "min_attendance_percent", "accreditation_months"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(),
                   "description_kk": forms.Textarea(attrs={"rows": 3}), "description_ru": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisers=None, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers
        self.fields["organiser"].label_from_instance = lambda c: f"{c.code} · {c.name}"
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda e: f"{e.starts_on:%Y-%m-%d} · {e.title}"

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The event ends before it starts."))
        return data

    def _post_clean(self):
        # The organiser decides the region; set it before the model's own checks run.
        if self.cleaned_data.get("organiser"):
            self.instance.region = self.cleaned_data["organiser"].region
        super()._post_clean()


class SessionForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DateInput())
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    title_kk = forms.CharField(label=_("Title (Kazakh)"), max_length=500)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=500)
    topic = forms.CharField(label=_("Module / topic"), max_length=255, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    speaker_name = forms.CharField(label=_("External speaker"), max_length=255, required=False)
    speaker_organisation = forms.CharField(label=_("Speaker's organisation"), max_length=255, required=False)
    speaker_position = forms.CharField(label=_("Speaker's position"), max_length=255, required=False)
    material_title = forms.CharField(label=_("Material title"), max_length=255, required=False)
    material_file = forms.FileField(label=_("Material file (handout, presentation)"), required=False)
    material_link = forms.URLField(label=_("or a link to the material"), required=False, assume_scheme="https")

    def clean(self):
        data = super().clean()
        if (data.get("material_file") or data.get("material_link")) and not data.get("material_title"):
            self.add_error("material_title", _("Give the material a title."))
        if data.get("material_file") and data.get("material_link"):
            self.add_error("material_link", _("Attach either a file or a link."))
        return data

    def speakers(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("speaker_name"):
            return []
        return [{"name": data["speaker_name"], "organisation": data.get("speaker_organisation", ""),
                 "position": data.get("speaker_position", "")}]


class EnrolFilterForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    under = forms.ModelChoiceField(label=_("Commission and its subordinates"), queryset=Commission.objects.none(),
                                   required=False)
    level = forms.MultipleChoiceField(label=_("Commission level"), choices=Level.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    position = forms.MultipleChoiceField(label=_("Position"), choices=Position.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    basis = forms.ChoiceField(label=_("Basis"), choices=[("", _("any"))] + Basis.choices, required=False)

    def __init__(self, *args, regions=None, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["under"].queryset = commissions.exclude(level="precinct").order_by("code")
        self.fields["under"].label_from_instance = lambda c: f"{c.code} · {c.name}"


class EnrolFileForm(forms.Form):
    file = forms.FileField(label=_("File with an IIN column (XLSX or CSV)"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancellation"), max_length=500)


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("Session code"), max_length=8,
                           help_text=_("The six characters shown on the screen in the room."))


class EventFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("any"))] + TrainingLevel.choices)
    audience = forms.ChoiceField(label=_("Audience"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("", _("any"))] + Format.choices)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("any"))] + EventStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("any"))] + [(r.iso_code, r.name) for r in Region.objects.all()]
        self.fields["audience"].choices = [("", _("any"))] + [(a.code, a.name) for a in Audience.objects.all()]


def month_param(value: str | None) -> tuple[int, int]:
    today = datetime.date.today()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        datetime.date(year, month, 1)
        return year, month
    except (TypeError, ValueError):
        return today.year, today.month



class RoadmapForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    resolution_number = forms.CharField(label=_("Resolution number"), max_length=32, help_text=_("For example 58/73."))
    resolution_date = forms.DateField(label=_("Resolution date"), widget=DateInput())
    document = forms.FileField(label=_("Resolution document"), required=False)


class RoadmapItemForm(forms.ModelForm):
    class Meta:
        model = RoadmapItem
        fields = ["title_kk", "title_ru", "kind", "level", "audiences", "planned_month", "planned_quarter",
                  "responsible", "partners", "funding", "planned_participants"]
        widgets = {"audiences": forms.CheckboxSelectMultiple, "partners": forms.CheckboxSelectMultiple}

    def __init__(self, *args, responsible=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible
        self.fields["responsible"].label_from_instance = lambda c: f"{c.code} · {c.name}"


class CoverageTargetForm(forms.Form):
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("iso_code"))
    audience = forms.ModelChoiceField(label=_("Audience"), queryset=Audience.objects.all())
    target = forms.IntegerField(label=_("target (people)"), min_value=0)

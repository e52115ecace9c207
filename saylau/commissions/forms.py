from django import forms
from django.utils.translation import gettext_lazy as _

from . import iin as iin_rules
from .models import ALLOWED_PARENT_LEVELS, Basis, Commission, Level, Person, Position, Region


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        help_text=_("Surname, name, commission code, or IIN where you may see it."))
    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("any"))] + Level.choices)
    position = forms.ChoiceField(label=_("Position"), required=False, choices=[("", _("any"))] + Position.choices)
    basis = forms.ChoiceField(label=_("Basis"), required=False, choices=[("", _("any"))] + Basis.choices)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions if regions is not None else Region.objects.all()
        self.fields["region"].choices = [("", _("any"))] + [(r.iso_code, r.name) for r in regions]


class CommissionSearchForm(forms.Form):
    q = forms.CharField(label=_("Search commissions"), required=False,
                        help_text=_("Name, code or precinct number."))
    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("any"))] + Level.choices)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = regions if regions is not None else Region.objects.all()
        self.fields["region"].choices = [("", _("any"))] + [(r.iso_code, r.name) for r in regions]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Member list (XLSX or CSV)"),
        help_text=_("Columns: IIN, surname, first name, patronymic, commission code, position, basis, phone, "
                    "e-mail, language. Headers may be in Kazakh, Russian or English."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class CommissionForm(forms.ModelForm):
    class Meta:
        model = Commission
        fields = ["code", "number", "name_kk", "name_ru", "name_en", "conducts_elections", "conducts_referendums",
                  "address", "phone", "email"]


class ChildCommissionForm(CommissionForm):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)

    class Meta(CommissionForm.Meta):
        fields = ["level", *CommissionForm.Meta.fields]

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's constraints are checked on the instance: give it its place in the tree first.
        self.instance.parent, self.instance.region = parent, parent.region
        allowed = [level for level, parents in ALLOWED_PARENT_LEVELS.items() if parent.level in parents]
        self.fields["level"].choices = [(value, label) for value, label in Level.choices if value in allowed]


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["surname", "first_name", "patronymic", "iin", "phone", "email", "language"]

    def clean_iin(self):
        value = self.cleaned_data["iin"]
        try:
            return iin_rules.parse(value)[0]
        except iin_rules.InvalidIIN:
            raise forms.ValidationError(_("This IIN fails its check digit or is not 12 digits.")) from None

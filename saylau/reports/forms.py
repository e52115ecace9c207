from django import forms
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Region
from saylau.training.models import Audience, TrainingLevel

from .figures import PERIODS, Filter


def period_choices() -> list[tuple[str, str]]:
    from .documents import period_label

    return [(code, period_label(code)) for code in PERIODS]


class FilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    period = forms.ChoiceField(label=_("Period"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False)
    audience = forms.ChoiceField(label=_("Audience"), required=False)

    def __init__(self, *args, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices()
        if national:
            self.fields["region"].choices = [("", _("all regions"))] + [
                (region.iso_code, region.name) for region in Region.objects.order_by("iso_code")]
        else:
            del self.fields["region"]
        self.fields["level"].choices = [("", _("all levels")), *TrainingLevel.choices]
        self.fields["audience"].choices = [("", _("all audiences"))] + [
            (audience.code, audience.name) for audience in Audience.objects.all()]

    def to_filter(self, default_year: int) -> Filter:
        self.is_valid()  # the fields that are valid are used, the others shown with their error
        data = getattr(self, "cleaned_data", {})
        return Filter(year=data.get("year") or default_year, period=data.get("period") or "",
                      region=data.get("region") or "", level=data.get("level") or "",
                      audience=data.get("audience") or "")

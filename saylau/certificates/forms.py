from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PdfLanguages


class AwardForm(forms.Form):
    title_kk = forms.CharField(label=_("title (Kazakh)"), max_length=500)
    title_ru = forms.CharField(label=_("title (Russian)"), max_length=500)
    min_attendance_percent = forms.IntegerField(
        label=_("attendance needed (% of sessions held)"), min_value=1, max_value=100, required=False,
        help_text=_("Empty: attendance is not a condition."))
    required_exam = forms.ModelChoiceField(label=_("test to pass"), queryset=None, required=False,
                                           help_text=_("Empty: no test is needed."))
    hours = forms.DecimalField(label=_("hours"), max_digits=6, decimal_places=1, min_value=0, required=False,
                               help_text=_("Empty: the hours of the programme's sessions."))
    pdf_languages = forms.ChoiceField(label=_("languages of the PDF"), choices=PdfLanguages.choices)
    automatic = forms.BooleanField(label=_("issue automatically when the rule is met"), required=False)

    def __init__(self, *args, exams=None, for_event=True, **kwargs):
        super().__init__(*args, **kwargs)
        if for_event:
            self.fields["required_exam"].queryset = exams
        else:
            for name in ("min_attendance_percent", "required_exam"):
                del self.fields[name]


class ManualIssueForm(forms.Form):
    person = forms.TypedChoiceField(label=_("participant"), coerce=int, choices=())
    reason = forms.CharField(label=_("reason"), max_length=500)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.full_name) for p in people]


class BulkForm(forms.Form):
    send_email = forms.BooleanField(label=_("e-mail the PDF to each holder"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class RevokeForm(ReasonForm):
    on = forms.DateField(label=_("revoked on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("Empty: today."))


class VerifyNumberForm(forms.Form):
    number = forms.CharField(label=_("certificate number"), max_length=64,
                             widget=forms.TextInput(attrs={"placeholder": "ETC-2025-000123", "autocomplete": "off",
                                                           "spellcheck": "false"}))


class VerifyFileForm(forms.Form):
    file = forms.FileField(label=_("the certificate's PDF or its credential (.jwt)"))


class DesignForm(forms.Form):
    signatory_name = forms.CharField(label=_("signatory"), max_length=255, required=False)
    signatory_position_kk = forms.CharField(label=_("signatory's position (Kazakh)"), max_length=255,
                                            required=False)
    signatory_position_ru = forms.CharField(label=_("signatory's position (Russian)"), max_length=255,
                                            required=False)
    primary_colour = forms.CharField(label=_("main colour"), max_length=7,
                                     widget=forms.TextInput(attrs={"type": "color"}))
    accent_colour = forms.CharField(label=_("accent colour"), max_length=7,
                                    widget=forms.TextInput(attrs={"type": "color"}))
    logo = forms.FileField(label=_("logo (PNG or JPEG)"), required=False)


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("number or name"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[
        ("", _("all")), ("valid", _("valid")), ("revoked", _("revoked"))])

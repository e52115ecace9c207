from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from saylau.commissions.models import Commission, Region

from .models import Channel, Role


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or IIN"), max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Wrong username/IIN or password."),
        "inactive": _("This account is inactive."),
    }


class ActivateByCodeForm(forms.Form):
    iin = forms.CharField(label=_("IIN"), max_length=12, min_length=12,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}))
    code = forms.CharField(label=_("One-time code"), max_length=16,
                           help_text=_("The code printed on the sheet your coordinator gave you, e.g. ABCDE-23456."))


class ChoosePasswordForm(SetPasswordForm):
    pass


class InvitationForm(forms.Form):
    commission = forms.ModelChoiceField(label=_("Commission"), queryset=Commission.objects.none())
    include_subordinate = forms.BooleanField(
        label=_("Also the members of subordinate commissions"), required=False, initial=True
    )
    channel = forms.ChoiceField(label=_("How to deliver"), choices=Channel.choices, widget=forms.RadioSelect,
                                initial=Channel.PRINT)

    def __init__(self, *args, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commission"].queryset = commissions
        self.fields["commission"].label_from_instance = lambda c: f"{c.code} · {c.name}"


class UserAccessForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("iso_code"), required=False,
                                    help_text=_("Required for a regional coordinator; optional for a trainer."))
    is_active = forms.BooleanField(label=_("Account active"), required=False)

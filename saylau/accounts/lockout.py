"""How django-axes names and answers locked-out login attempts."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def axes_username(request, credentials) -> str:
    """One counter per account: an IIN and the username of the same account (or the same name padded with
    spaces) must not each get their own five attempts."""
    from .models import User

    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    identifier = raw.strip()
    if identifier.isdigit() and len(identifier) == 12:
        username = User.objects.filter(person__iin=identifier).values_list("username", flat=True).first()
        if username:
            return username
    return identifier


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "too_many_attempts", "detail": _("Too many failed attempts. Try again in 15 minutes.")}, status=429
        )
    return render(request, "accounts/locked_out.html", status=429)

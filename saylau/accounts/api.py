from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from saylau.core.errors import DomainError

from .services import api_token_create

router = Router(tags=["accounts"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenResponse(Schema):
    token: str


class ErrorResponse(Schema):
    code: str
    detail: str


class MeResponse(Schema):
    username: str
    role: str
    person_id: int | None
    region: str | None


class TooManyAttempts(DomainError):
    status = 429


@router.post("/auth/token", auth=None, response={200: TokenResponse, 401: ErrorResponse, 429: ErrorResponse})
def token(request, payload: TokenRequest):
    """Exchange a username (or IIN) and password for a bearer token valid 30 days. Failed attempts are throttled."""
    try:
        user = authenticate(request, username=payload.username, password=payload.password)
    except AxesBackendPermissionDenied:
        raise TooManyAttempts("too_many_attempts", _("Too many failed attempts. Try again in 15 minutes.")) from None
    if getattr(request, "axes_locked_out", False):
        raise TooManyAttempts("too_many_attempts", _("Too many failed attempts. Try again in 15 minutes."))
    if user is None:
        return Status(401, {"code": "invalid_credentials", "detail": _("Wrong username or password.")})
    return {"token": api_token_create(user=user)}


@router.get("/me", response=MeResponse)
def me(request):
    user = request.auth
    return {
        "username": user.username,
        "role": user.role,
        "person_id": user.person_id,
        "region": user.region.iso_code if user.region_id else None,
    }

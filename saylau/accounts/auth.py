from ninja.security import HttpBearer
from ninja.security.session import SessionAuth as NinjaSessionAuth

from .services import api_token_user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` from POST /api/v1/auth/token."""

    def authenticate(self, request, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session (CSRF checked on unsafe methods), so pages can call the API too."""

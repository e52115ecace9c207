"""Domain errors carry a stable code; pages and the API turn the code into a translated message."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """Base class. ``code`` is for machines and tests, ``message`` for people (already translated)."""

    status = 400

    def __init__(self, code: str, message: str | Promise | None = None, **params):
        self.code = code
        self.params = params
        self.message = message if message is not None else code
        super().__init__(str(self.message))


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409

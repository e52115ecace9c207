"""The audit trail: every service that writes a registry record calls one of these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEntry


def _plain(value: Any) -> Any:
    """A value the JSON audit trail can hold: dates as ISO text, records as their key, containers recursively."""
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return value


def redact(changes: dict, *, show_iin: bool) -> dict:
    """The trail as a reader may see it: IINs only for roles entitled to personal data."""
    if show_iin:
        return changes
    hidden = "••••••••••••"
    return {key: ([hidden if item else item for item in value] if isinstance(value, list) else hidden)
            if key == "iin" else value for key, value in changes.items()}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [old, new]}``."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {field: _plain(getattr(obj, field)) for field in fields}


def audit_entry(*, actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEntry:
    """An unsaved entry, for services that write many at once with bulk_create."""
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
    )


def audit(*, actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEntry:
    entry = audit_entry(actor=actor, action=action, obj=obj, changes=changes)
    entry.save()
    return entry

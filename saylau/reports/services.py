"""Writing the snapshot the figures are counted from."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from . import facts
from .models import Snapshot

KEEP = 2  # the newest and the one before it (a process may still be reading it)


@transaction.atomic
def refresh_snapshot() -> Snapshot:
    """Read the facts afresh and store them; older snapshots beyond ``KEEP`` are deleted."""
    started = time.perf_counter()
    built = facts.build()
    snapshot = Snapshot.objects.create(built_at=timezone.now(), data=built.to_bytes(),
                                       build_ms=int((time.perf_counter() - started) * 1000))
    stale = Snapshot.objects.order_by("-built_at", "-pk").values_list("pk", flat=True)[KEEP:]
    Snapshot.objects.filter(pk__in=list(stale)).delete()
    return snapshot

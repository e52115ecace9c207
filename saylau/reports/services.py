"""Writing the snapshot the figures are counted from."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from . import facts
from .models import Snapshot

KEEP = 2  # the newest and the one before it (a process may still be reading it)


@transaction.atomic
def refresh_snapshot(*, print_of_sources: list | None = None) -> Snapshot:
    """Read the facts afresh and store them; older snapshots beyond ``KEEP`` are deleted."""
    started = time.perf_counter()
    print_of_sources = print_of_sources if print_of_sources is not None else facts.fingerprint()
    built = facts.build()
    snapshot = Snapshot.objects.create(built_at=timezone.now(), data=built.to_bytes(), fingerprint=print_of_sources,
                                       build_ms=int((time.perf_counter() - started) * 1000))
    stale = Snapshot.objects.order_by("-built_at", "-pk").values_list("pk", flat=True)[KEEP:]
    Snapshot.objects.filter(pk__in=list(stale)).delete()
    return snapshot


def refresh_if_changed() -> Snapshot | None:
    """The worker's minute: a new snapshot if anything the facts come from has changed since the newest one
    (a national rebuild reads millions of rows; most minutes nothing has changed). The fingerprint is taken
    before reading, so a change made during a rebuild brings another one the next minute."""
    current = facts.fingerprint()
    newest = Snapshot.objects.order_by("-built_at", "-pk").values_list("fingerprint", flat=True).first()
    if newest == current:
        return None
    return refresh_snapshot(print_of_sources=current)

"""Reading the figures: the newest snapshot's facts (kept in the process until a newer one exists), the
figures under a user's scope, and the records behind a figure."""

from __future__ import annotations

import datetime
import threading

import numpy as np

from . import figures
from .facts import Facts
from .figures import Filter
from .models import Snapshot
from .scoping import scoped_filter
from .services import refresh_snapshot

# The facts of the snapshot this process read last: (snapshot id, built_at, facts).
_loaded: tuple[int, datetime.datetime, Facts] | None = None
_lock = threading.Lock()


def current_facts() -> tuple[Facts, datetime.datetime]:
    """The newest snapshot's facts and their as-of time. With no snapshot yet (a new installation, before the
    worker's first minute), one is built now."""
    global _loaded
    newest = Snapshot.objects.order_by("-built_at", "-pk").values_list("pk", "built_at").first()
    if newest is None:
        snapshot = refresh_snapshot()
        newest = (snapshot.pk, snapshot.built_at)
    with _lock:
        # Keyed by id and time: a test database rolled back may hand out an id again.
        if _loaded is None or (_loaded[0], _loaded[1]) != tuple(newest):
            data = Snapshot.objects.values_list("data", flat=True).get(pk=newest[0])
            _loaded = (newest[0], newest[1], Facts.from_bytes(bytes(data)))
        return _loaded[2], _loaded[1]


def summary(user, flt: Filter) -> tuple[Filter, dict, datetime.datetime]:
    flt = scoped_filter(user, flt)
    facts, as_of = current_facts()
    return flt, figures.summary(facts, flt), as_of


def page_of(ids: np.ndarray, page: int, per_page: int = 50) -> tuple[list[int], int, int]:
    """One page of a list of ids, the page's number (within the pages there are) and the number of pages."""
    pages = max(1, -(-len(ids) // per_page))
    page = min(max(page, 1), pages)
    return [int(i) for i in ids[(page - 1) * per_page: page * per_page]], page, pages

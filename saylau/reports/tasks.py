from django_tasks import task

from .services import refresh_if_changed


@task()
def refresh_figures() -> int | None:
    """Every minute (``core.schedule``): the reports' snapshot rebuilt if its sources have changed."""
    snapshot = refresh_if_changed()
    return snapshot.pk if snapshot else None

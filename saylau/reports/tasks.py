from django_tasks import task

from .services import refresh_snapshot


@task()
def refresh_figures() -> int:
    """The worker rebuilds the reports' snapshot every minute (``core.schedule``)."""
    return refresh_snapshot().pk

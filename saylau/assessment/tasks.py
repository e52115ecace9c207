from django_tasks import task


@task()
def submit_overdue_attempts() -> int:
    """Submit the open attempts whose deadline has passed (core.schedule runs this every minute)."""
    from .attempts import submit_overdue

    return submit_overdue()

from django_tasks import task


@task()
def send_invitation_emails(person_ids: list[int], by_id: int | None) -> int:
    """Mail an invitation link to each person; takes primary keys, never model instances."""
    from .services import invitation_email_send

    return sum(invitation_email_send(person_id=person_id, by_id=by_id) for person_id in person_ids)

from django_tasks import task


@task()
def send_enrolment_notices(event_id: int, person_ids: list[int]) -> int:
    """Mail each newly enrolled person the programme and an iCal file; takes primary keys."""
    from .notifications import enrolment_notice

    return sum(enrolment_notice(event_id=event_id, person_id=person_id) for person_id in person_ids)

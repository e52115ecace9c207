"""Background work: issuing by the rule, bulk jobs with progress, and mailing certificates."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)
CHUNK = 250  # people per transaction: the progress bar moves, and a failure keeps what was issued before it


@task()
def issue_for_award(award_id: int, person_ids: list[int] | None = None) -> list[str]:
    """Issue what the rule entitles (automatic issuance); returns the numbers issued."""
    from .models import Award
    from .services import issue_due

    award = Award.objects.select_related("event", "exam", "issuer").filter(pk=award_id).first()
    if award is None:
        return []
    return [c.number for c in issue_due(award=award, person_ids=person_ids)]


def run_job(job) -> None:
    """Issue in chunks, recording progress on the job row after each; mail the PDFs if asked."""
    from . import rules
    from .models import Certificate, IssuanceJob, JobStatus
    from .services import _issue

    award = job.award
    try:
        IssuanceJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
        holders = set(Certificate.objects.filter(award=award).values_list("person_id", flat=True))
        due = [o for o in rules.evaluate(award) if o.eligible and o.person_id not in holders]
        job.total = len(due)
        IssuanceJob.objects.filter(pk=job.pk).update(total=job.total)
        for start in range(0, len(due), CHUNK):
            issued = _issue(award=award, outcomes=due[start:start + CHUNK], by=job.created_by)
            job.done = min(start + CHUNK, len(due))
            IssuanceJob.objects.filter(pk=job.pk).update(done=job.done)
            if job.send_email:
                for certificate in issued:
                    transaction.on_commit(lambda pk=certificate.pk: mail_certificate.enqueue(pk))
        IssuanceJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    except Exception as exc:
        logger.exception("Issuance job %s failed", job.pk)
        IssuanceJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(exc)[:2000],
                                                      finished_at=timezone.now())
        raise


@task()
def run_issuance_job(job_id: int) -> int:
    from .models import IssuanceJob

    job = IssuanceJob.objects.select_related("award__event", "award__exam", "award__issuer", "created_by").get(
        pk=job_id)
    run_job(job)
    return job.done


@task()
def mail_certificate(certificate_id: int) -> bool:
    from .mail import send_certificate
    from .models import Certificate

    certificate = Certificate.objects.select_related("person", "award").filter(pk=certificate_id).first()
    return bool(certificate and send_certificate(certificate))

from django.core.management.base import BaseCommand, CommandError

from saylau.certificates.models import Award, IssuanceJob
from saylau.certificates.tasks import run_job


class Command(BaseCommand):
    help = "Issue the certificates an event's (or a test's) award rule entitles; prints the numbers issued."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--event", type=int, help="event id")
        target.add_argument("--test", type=int, help="test id")
        parser.add_argument("--email", action="store_true", help="mail each new certificate to its holder")

    def handle(self, *, event, test, email, **options):
        award = Award.objects.select_related("event", "exam", "issuer").filter(
            **({"event_id": event} if event else {"exam_id": test})).first()
        if award is None:
            raise CommandError("No award is set for this event or test: set its rule on the certificates page.")
        before = set(award.certificates.values_list("number", flat=True))
        job = IssuanceJob.objects.create(award=award, send_email=email)
        run_job(job)
        issued = sorted(set(award.certificates.values_list("number", flat=True)) - before)
        for number in issued:
            self.stdout.write(number)
        self.stderr.write(f"{len(issued)} issued, {len(before)} already held.")

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from saylau.accounts.models import Role, User
from saylau.assessment.demo import AssessmentDemo
from saylau.certificates import keys
from saylau.certificates.demo import CertificatesDemo
from saylau.commissions import demo
from saylau.commissions.models import Membership, Position, Region
from saylau.courses.demo import CoursesDemo
from saylau.training.demo import TrainingDemo

DEMO_PASSWORD = "demo12345"  # demo only: this command is the one place that sets it


class Command(BaseCommand):
    help = "Load fictional, deterministic demo data and the demo accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(demo.SIZES), default="small")
        parser.add_argument("--reset", action="store_true", help="Remove the registry (but reference data) first.")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *, size, reset, seed, **options):
        started = time.monotonic()
        if reset:
            demo.reset_registry()
        if demo.demo_loaded():
            self.stdout.write("Demo registry already loaded; nothing added (use --reset to rebuild).")
        else:
            counts = demo.DemoBuilder(size=size, seed=seed).build()
            self.stdout.write(
                f"Demo registry ({size}): {counts['commissions']} commissions, {counts['people']} people "
                f"in {time.monotonic() - started:.1f} s."
            )
        self._accounts()
        training = TrainingDemo(seed=seed).build()
        if training["events"]:
            self.stdout.write(f"Demo training: {training['events']} events, the 2025 roadmap and a trainer cascade.")
        assessment = AssessmentDemo(seed=seed).build()
        if assessment["items"]:
            self.stdout.write(
                f"Demo assessment: {assessment['items']} items, {assessment.get('seminar_attempts', 0)} seminar "
                f"attempts, {assessment['distance_attempts']} distance attempts.")
        courses = CoursesDemo(seed=seed).build()
        if courses["course"]:
            self.stdout.write(f"Demo distance learning: {courses['materials']} library articles, the course for "
                              f"precinct commissions, {courses['learners']} learners ({courses['completed']} "
                              f"completed, {courses['in_progress']} in progress).")
        keys.generate()  # no-op when a signing key exists
        certificates = CertificatesDemo().build()
        if certificates["certificates"]:
            self.stdout.write(f"Demo certificates: {certificates['certificates']} for the national seminar and "
                              f"{certificates['course_certificates']} for the distance course.")
        self.stdout.write(self.style.SUCCESS(
            "Demo logins (password demo12345): admin, coordinator (Almaty Region), trainer, participant, auditor"
        ))

    @transaction.atomic
    def _accounts(self):
        almaty_region = Region.objects.get(iso_code="KZ-19")
        in_region = Membership.objects.current().filter(commission__region=almaty_region).select_related("person")
        participant_person = in_region.filter(commission__level="precinct", position=Position.MEMBER).order_by("pk").first()
        trainer_person = in_region.filter(commission__level="territorial", position=Position.SECRETARY).order_by("pk").first()
        if participant_person is None or trainer_person is None:
            raise CommandError("The demo registry has no members in Almaty Region.")
        accounts = [
            ("admin", Role.ADMIN, None, None, "Admin", "CEC"),
            ("coordinator", Role.COORDINATOR, almaty_region, None, "Coordinator", "Almaty Region"),
            ("trainer", Role.TRAINER, almaty_region, trainer_person.person, None, None),
            ("participant", Role.PARTICIPANT, None, participant_person.person, None, None),
            ("auditor", Role.AUDITOR, None, None, "Auditor", "CEC"),
        ]
        for username, role, region, person, first_name, last_name in accounts:
            user = User.objects.filter(username=username).first()
            if user is not None:
                continue
            user = User(username=username, role=role, region=region, person=person,
                        first_name=person.first_name if person else first_name,
                        last_name=person.surname if person else last_name)
            user.set_password(DEMO_PASSWORD)
            user.save()

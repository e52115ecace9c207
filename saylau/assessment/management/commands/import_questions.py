"""Import a Moodle XML or GIFT question file into the item bank (all or nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saylau.accounts.models import Role, User
from saylau.assessment import bank
from saylau.assessment.models import ItemStatus, Topic
from saylau.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Import the questions of a Moodle XML or GIFT file (the format is recognised from the content) as new items. "
        "Questions of unsupported types are listed and skipped; one broken question imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The question file")
        parser.add_argument("--language", choices=["kk", "ru"], default="ru", help="Language of the questions (ru)")
        parser.add_argument("--topic", help="Topic code for questions whose category names no topic")
        parser.add_argument("--status", choices=[ItemStatus.DRAFT, ItemStatus.APPROVED], default=ItemStatus.DRAFT)
        parser.add_argument("--user", help="Username recorded as the author (default: the first active administrator)")

    def handle(self, *, file, language, topic, status, user, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        actor = self._user(user)
        topic_obj = None
        if topic:
            topic_obj = Topic.objects.filter(code=topic).first()
            if topic_obj is None:
                known = ", ".join(Topic.objects.values_list("code", flat=True))
                raise CommandError(f"Unknown topic code {topic!r}. Known: {known}")
        try:
            result = bank.items_import(by=actor, data=data, language=language, topic=topic_obj, status=status)
        except DomainError as error:
            raise CommandError(f"{file}: {error.message}") from None
        total = len(result.item_ids)
        self.stdout.write(f"Format: {result.format}")
        self.stdout.write(f"Imported {total} item{'s' if total != 1 else ''} as {status} (by {actor.username}):")
        for kind, count in sorted(result.imported.items()):
            self.stdout.write(f"  {kind}: {count}")
        if result.item_ids:
            self.stdout.write("Item ids: " + ", ".join(str(pk) for pk in result.item_ids))
        if result.unsupported:
            self.stdout.write(f"Not imported, unsupported type ({len(result.unsupported)}):")
            for question in result.unsupported:
                self.stdout.write(f"  #{question['position']} {question.get('name') or '-'} ({question['type']})")

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No active administrator to act as: pass --user USERNAME.")
        return user

"""Export items of the bank as a Moodle XML or GIFT file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saylau.assessment import bank, formats
from saylau.assessment.models import Item, ItemStatus, Topic


class Command(BaseCommand):
    help = (
        "Write the current versions of the bank's items (approved ones by default) to a Moodle XML or GIFT file. "
        "Scenarios have no equivalent in these formats: they are listed, not written."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="The file to write")
        parser.add_argument("--format", dest="file_format", choices=["moodle-xml", "gift"], required=True)
        parser.add_argument("--status", choices=[*ItemStatus.values, "any"], default=ItemStatus.APPROVED)
        parser.add_argument("--topic", help="Only the items of this topic code")
        parser.add_argument("--language", choices=["kk", "ru"],
                            help="Write this language (items without it are skipped); default: each item's first")

    def handle(self, *, out, file_format, status, topic, language, **options):
        items = Item.objects.select_related("current", "topic").order_by("topic__sort_order", "pk")
        if status != "any":
            items = items.filter(status=status)
        if topic:
            if not Topic.objects.filter(code=topic).exists():
                raise CommandError(f"Unknown topic code {topic!r}.")
            items = items.filter(topic__code=topic)
        items = list(items)
        skipped = formats.unexportable([item.current.document for item in items], language=language)
        try:
            data = bank.items_export(items, format=file_format, language=language)
        except formats.FormatError as error:
            raise CommandError(str(bank.parse_error(error).message)) from None
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror or error}") from None
        written = len(items) - len(skipped)
        self.stdout.write(f"{written} item{'s' if written != 1 else ''} written to {out} ({file_format}).")
        if skipped:
            reasons = {"scenario": "a scenario: the format cannot carry it", "no-text": "no text in the language",
                       "unsupported-type": "a type the format cannot carry"}
            self.stdout.write(f"Not written ({len(skipped)}):")
            for entry in skipped:
                item = items[entry["index"]]
                self.stdout.write(f"  item {item.pk} {item.name or '-'} ({reasons.get(entry['reason'], entry['reason'])})")

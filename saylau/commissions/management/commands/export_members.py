from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saylau.commissions.exporting import export_members
from saylau.commissions.models import Membership


class Command(BaseCommand):
    help = "Export current commission members in the format import_members reads (.xlsx or .csv by extension)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", help="ISO 3166-2:KZ code, e.g. KZ-19")
        parser.add_argument("--commission", help="Commission code: that commission only")
        parser.add_argument("--headers", choices=["en", "ru", "kk"], default="en")
        parser.add_argument("--encoding", choices=["utf-8", "cp1251"], default="utf-8", help="CSV only")

    def handle(self, *, file: Path, region, commission, headers, encoding, **options):
        memberships = Membership.objects.current().order_by("commission__code", "position", "person__surname", "pk")
        if region:
            memberships = memberships.filter(commission__region__iso_code=region.upper())
        if commission:
            memberships = memberships.filter(commission__code=commission.upper())
        file_format = "xlsx" if file.suffix.lower() == ".xlsx" else "csv"
        try:
            content = export_members(memberships, file_format=file_format, header_language=headers, encoding=encoding)
        except UnicodeEncodeError as exc:
            raise CommandError(
                f"{exc.object[exc.start:exc.end]!r} cannot be written in {encoding} (Kazakh letters such as ә, қ, ө "
                "are not in Windows-1251): use the default UTF-8."
            ) from None
        file.write_bytes(content)
        self.stdout.write(f"{file}: {memberships.count()} members written.")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from saylau.commissions.services import ImportRejected, member_import_apply


class Command(BaseCommand):
    help = "Import commission members from XLSX or CSV (UTF-8 or Windows-1251), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", choices=["kk", "ru", "en"], default="en",
                            help="Language of the messages (default: en).")

    def handle(self, *, file: Path, language: str, **options):
        with translation.override(language):
            self._import(file)

    def _import(self, file: Path) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            plan = member_import_apply(by=None, filename=file.name, content=content)
        except ImportRejected as exc:
            for problem in exc.plan.problems:
                where = f"row {problem.row}" if problem.row else "file"
                if problem.column:
                    where += f", column {problem.column}"
                self.stderr.write(f"{file.name}: {where}: [{problem.code}] {problem.message}")
            raise CommandError(f"{exc.message} Nothing was imported.") from None
        summary = plan.summary()
        self.stdout.write(
            f"{file.name}: {summary['rows']} rows; {summary['new_people']} new people, "
            f"{summary['changed_people']} updated, {summary['new_memberships']} new memberships, "
            f"{summary['closed_memberships']} ended, {summary['unchanged']} unchanged."
        )

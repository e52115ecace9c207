from django.core.management.base import BaseCommand

from saylau.reports.services import refresh_snapshot


class Command(BaseCommand):
    help = "Rebuild the reports' snapshot now (the worker does it every minute)."

    def handle(self, *args, **options):
        snapshot = refresh_snapshot()
        self.stdout.write(f"snapshot {snapshot.pk}: {len(snapshot.data):,} bytes in {snapshot.build_ms} ms")

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from saylau.core.schedule import enqueue_due


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs when they fall due (run one beside the worker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now and stop.")
        parser.add_argument("--tick", type=float, default=10.0, help="Seconds between checks.")

    def handle(self, *, once, tick, **options):
        last_run = {}
        while True:
            for name in enqueue_due(last_run, timezone.now()):
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(tick)

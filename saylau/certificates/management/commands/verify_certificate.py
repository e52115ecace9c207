from pathlib import Path

from django.core.management.base import BaseCommand

from saylau.certificates import verification
from saylau.core.errors import DomainError


class Command(BaseCommand):
    help = ("Verify a certificate by number, or a certificate's PDF or credential (.jwt) file. Exit status 0 when "
            "valid, 1 otherwise (revoked, unknown, tampered), with the reason.")

    def add_arguments(self, parser):
        parser.add_argument("file_or_number")

    def handle(self, *, file_or_number, **options):
        path = Path(file_or_number)
        try:
            if path.is_file():
                result = verification.by_file(path.read_bytes(), channel="cli")
            else:
                result = verification.by_number(file_or_number, channel="cli")
        except DomainError as exc:
            self.stderr.write(f"unreadable: {exc.message}")
            raise SystemExit(1) from None
        status = result["status"]
        if status == verification.VALID:
            note = " (a superseded revision)" if result["superseded"] else ""
            self.stdout.write(f"valid: {result['number']} · {result['holder_name']} · {result['award']} · "
                              f"{result['issued_on']:%d.%m.%Y}{note}")
            return
        reasons = {
            verification.REVOKED: lambda r: f"revoked on {r['revoked_on']:%d.%m.%Y}: {r['revocation_reason']}",
            verification.UNKNOWN: lambda r: "unknown: no such certificate was issued",
            verification.TAMPERED: lambda r: "tampered: the signature or content does not match what was issued",
        }
        self.stderr.write(reasons[status](result))
        raise SystemExit(1)

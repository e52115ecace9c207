from django.conf import settings
from django.core.management.base import BaseCommand

from saylau.certificates import keys


class Command(BaseCommand):
    help = ("Generate the certificate signing key (Ed25519) if there is none, or rotate it (--rotate: a new key "
            "signs from now on; only the public half of the old one is kept, so its credentials still verify). "
            "--list prints the published keys.")

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", default="generate", choices=["generate", "rotate", "list"])

    def handle(self, *, action, **options):
        if action == "list":
            for jwk in keys.jwks()["keys"]:
                self.stdout.write(jwk["kid"])
            return
        kid, created = keys.generate(rotate=action == "rotate")
        where = settings.CERTIFICATE_KEYS_DIR
        self.stdout.write(f"{'new key' if created else 'key kept'}: {kid} ({where})")

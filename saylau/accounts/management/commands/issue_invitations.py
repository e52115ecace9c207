from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saylau.accounts import services
from saylau.commissions.models import Commission, Membership, Person
from saylau.commissions.selectors import subtree_ids
from saylau.commissions.tabular import write_xlsx


class Command(BaseCommand):
    help = (
        "Issue one-time invitations to the current members of a region or commission (with its subordinates): "
        "printed codes to an XLSX sheet, or e-mail links sent by the background worker."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--region", help="ISO 3166-2:KZ code, e.g. KZ-19")
        target.add_argument("--commission", help="Commission code; its subordinates are included")
        parser.add_argument("--channel", choices=["print", "email"], default="print")
        parser.add_argument("--output", type=Path, help="XLSX file for the printed codes (required with print)")

    def handle(self, *, region, commission, channel, output, **options):
        if channel == "print" and output is None:
            raise CommandError("--output is required with --channel print: the codes are shown only once.")
        current = Membership.objects.current()
        if region:
            current = current.filter(commission__region__iso_code=region.upper())
        else:
            root = Commission.objects.filter(code=commission.upper()).first()
            if root is None:
                raise CommandError(f"No commission with code {commission}.")
            current = current.filter(commission_id__in=subtree_ids(root))
        people = list(Person.objects.filter(pk__in=current.values("person_id")).order_by("surname", "first_name"))
        if channel == "email":
            queued = services.invitations_email(by=None, people=people)
            self.stdout.write(f"{queued} invitation e-mails queued for the background worker.")
            return
        issued = services.invitations_print(by=None, people=people)
        codes = {item.person.pk: services.format_code(item.secret) for item in issued}
        commission_of = dict(current.values_list("person_id", "commission__code"))
        rows = [
            [commission_of.get(item.person.pk, ""), item.person.full_name, item.person.masked_iin, codes[item.person.pk],
             f"{item.invitation.expires_at:%Y-%m-%d}"]
            for item in issued
        ]
        rows.sort()
        output.write_bytes(write_xlsx(["commission", "name", "iin", "code", "valid_until"], rows, title="invitations"))
        self.stdout.write(f"{len(issued)} invitation codes written to {output}.")

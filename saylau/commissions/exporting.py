"""Member lists out, in the same columns ``import_members`` reads back."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Membership
from .tabular import EXPORT_COLUMNS, EXPORT_HEADERS, write_csv, write_xlsx


def member_table(memberships: QuerySet[Membership], *, header_language: str = "en",
                 include_iin: bool = True) -> tuple[list[str], list[list[object]]]:
    # Without the right to personal data, the contact details go together with the IIN.
    columns = [c for c in EXPORT_COLUMNS if include_iin or c not in ("iin", "phone", "email")]
    headers = [EXPORT_HEADERS[header_language][c] for c in columns]
    rows = []
    for membership in memberships.select_related("person", "commission").iterator(chunk_size=2000):
        person = membership.person
        values = {
            "iin": person.iin, "surname": person.surname, "first_name": person.first_name,
            "patronymic": person.patronymic, "commission": membership.commission.code,
            "position": membership.position, "basis": membership.basis, "phone": person.phone,
            "email": person.email, "language": person.language,
            "term_start": membership.term_start, "term_end": membership.term_end,
        }
        rows.append([values[c] for c in columns])
    return headers, rows


def export_members(memberships: QuerySet[Membership], *, file_format: str, header_language: str = "en",
                   include_iin: bool = True, encoding: str = "utf-8") -> bytes:
    headers, rows = member_table(memberships, header_language=header_language, include_iin=include_iin)
    if file_format == "xlsx":
        return write_xlsx(headers, rows)
    return write_csv(headers, rows, encoding=encoding)

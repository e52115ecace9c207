"""The records behind a figure, as tables: the ids come from the same facts as the figure (so a list has exactly
as many rows as the figure says), the names and links from the database, a page at a time."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from saylau.assessment.models import Attempt
from saylau.certificates.models import Certificate
from saylau.commissions.models import Commission, Membership, Person
from saylau.training.models import Event

from .tables import Row, Table


def _ordered(objects: dict, ids: list[int]) -> list:
    return [objects[pk] for pk in ids if pk in objects]


def people(ids: list[int], events_attended: dict[int, int]) -> Table:
    persons = Person.objects.in_bulk(ids)
    seats = {}
    for membership in (Membership.objects.current().filter(person_id__in=ids).select_related("commission")
                       .order_by("person_id", "pk")):
        seats.setdefault(membership.person_id, membership.commission.code)
    table = Table("people", _("People covered"), [_("Surname"), _("First name"), _("Commission now"),
                                                  _("Events attended")])
    for person in _ordered(persons, ids):
        table.rows.append(Row([person.surname, person.first_name, seats.get(person.pk, ""),
                               events_attended.get(person.pk, 0)], reverse("commissions:person", args=[person.pk])))
    return table


def events(ids: list[int]) -> Table:
    found = Event.objects.select_related("region").in_bulk(ids)
    table = Table("events", _("Events"), [_("Title"), _("Starts"), _("Ends"), _("Kind"), _("Level"), _("Format"),
                                          _("Status"), _("Region")])
    for event in _ordered(found, ids):
        table.rows.append(Row([event.title, event.starts_on, event.ends_on, event.get_kind_display(),
                               event.get_level_display(), event.get_format_display(), event.get_status_display(),
                               event.region.name if event.region_id else _("No region (national)")],
                              reverse("training:event", args=[event.pk])))
    return table


def commissions(ids: list[int], trained: dict[int, tuple[int, int]]) -> Table:
    found = Commission.objects.select_related("region").in_bulk(ids)
    table = Table("commissions", _("Commissions"), [_("Code"), _("Name"), _("Region"), _("Members trained"),
                                                    _("Members")])
    for commission in sorted(_ordered(found, ids), key=lambda c: c.code):
        done, total = trained.get(commission.pk, (0, 0))
        table.rows.append(Row([commission.code, commission.name, commission.region.name if commission.region_id else "",
                               done, total], reverse("commissions:commission", args=[commission.pk])))
    return table


def results(ids: list[int]) -> Table:
    found = Attempt.objects.select_related("person", "exam").in_bulk(ids)
    table = Table("results", _("Test results"), [_("Surname"), _("First name"), _("Test"), _("Purpose"),
                                                 _("Submitted"), _("Result, %"), _("Passed")])
    for attempt in _ordered(found, ids):
        table.rows.append(Row([
            attempt.person.surname, attempt.person.first_name, attempt.exam.title, attempt.exam.get_purpose_display(),
            attempt.submitted_at.date() if attempt.submitted_at else None,
            float(attempt.percent) if attempt.percent is not None else None,
            "" if attempt.passed is None else (_("yes") if attempt.passed else _("no"))]))
    return table


def certificates(ids: list[int]) -> Table:
    found = Certificate.objects.in_bulk(ids)
    table = Table("certificates", _("Certificates"), [_("Number"), _("Holder"), _("Awarded for"), _("Issued on"),
                                                      _("Revoked on")])
    for certificate in _ordered(found, ids):
        table.rows.append(Row([certificate.number, certificate.holder_name, certificate.award_title,
                               certificate.issued_on, certificate.revoked_on],
                              reverse("certificates:detail", args=[certificate.number])))
    return table

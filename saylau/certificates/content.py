"""What a certificate says, in Kazakh and Russian: the snapshot stored on the row, the texts of the PDF and the
facts of the signed credential. The phrases go through gettext with the language forced, so the catalogues hold
them and a certificate reads the same whatever language its issuer's interface is in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DurationField, ExpressionWrapper, F, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saylau.commissions.models import Commission, Person, Sex

from . import credential, pdf
from .models import Award, AwardKind, Certificate, CertificateDesign, PdfLanguages
from .rules import Outcome


@dataclass(frozen=True)
class Design:
    signatory_name: str
    signatory_position_kk: str
    signatory_position_ru: str
    primary_colour: str
    accent_colour: str
    logo: bytes | None


DEFAULT_DESIGN = Design("", "", "", "#1d3f6e", "#b08d2f", None)


def design_for(commission: Commission) -> Design:
    """The commission's design, or its nearest ancestor's, or the built-in one."""
    chain, node = [], commission
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    designs = {d.commission_id: d for d in CertificateDesign.objects.filter(commission_id__in=chain)}
    for pk in chain:
        found = designs.get(pk)
        if found:
            logo = None
            if found.logo:
                with found.logo.open("rb") as handle:
                    logo = handle.read()
            return Design(found.signatory_name, found.signatory_position_kk, found.signatory_position_ru,
                          found.primary_colour, found.accent_colour, logo)
    return DEFAULT_DESIGN


def programme_hours(award: Award) -> Decimal | None:
    if award.hours is not None:
        return award.hours
    if award.kind == AwardKind.COURSE:
        return Decimal(str(award.course.estimated_hours)) or None
    if award.kind != AwardKind.EVENT:
        return None
    # Academic hours are the norm on certificates, but sessions are timed in clock hours: say what was timed.
    total = award.event.sessions.filter(cancelled=False).aggregate(
        total=Sum(ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())))["total"]
    if not total:
        return None
    if not isinstance(total, datetime.timedelta):  # SQLite returns microseconds
        total = datetime.timedelta(microseconds=int(total))
    return (Decimal(total.total_seconds()) / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def snapshot(*, award: Award, person: Person, outcome: Outcome | None, design: Design,
             issued_on: datetime.date, hours: Decimal | None | str = "compute") -> dict:
    """The fields a certificate stores about what it states."""
    if award.kind == AwardKind.EVENT:
        starts_on, ends_on = award.event.starts_on, award.event.ends_on
    elif award.kind == AwardKind.COURSE:
        enrolled = award.course.enrolments.filter(person=person).values_list("enrolled_at", flat=True).first()
        ends_on = (outcome and outcome.tested_on) or issued_on
        starts_on = min(timezone.localdate(enrolled), ends_on) if enrolled else ends_on
    else:
        day = (outcome and outcome.tested_on) or issued_on
        starts_on = ends_on = day
    return {
        "holder_name": person.full_name,
        "award_title_kk": award.title_kk, "award_title_ru": award.title_ru,
        "starts_on": starts_on, "ends_on": ends_on,
        "hours": programme_hours(award) if hours == "compute" else hours,
        "result_percent": outcome.result_percent if outcome else None,
        "issuer": award.issuer,
        "issuer_name_kk": award.issuer.name_kk, "issuer_name_ru": award.issuer.name_ru,
        "signatory_name": design.signatory_name,
        "signatory_position_kk": design.signatory_position_kk,
        "signatory_position_ru": design.signatory_position_ru,
        "issued_on": issued_on,
    }


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "d.m.Y")


def _period(certificate: Certificate) -> str:
    if certificate.starts_on == certificate.ends_on:
        return _date(certificate.starts_on)
    return f"{_date(certificate.starts_on)} – {_date(certificate.ends_on)}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}".rstrip(".") + " %"


def criteria(award: Award, lang: str) -> str:
    with translation.override(lang):
        parts = []
        if award.kind == AwardKind.COURSE:
            course = award.course
            if course.require_all_lessons:
                parts.append(_("completed every lesson of the distance course"))
            if course.require_final_test:
                parts.append(_("passed the course's final test"))
        if award.min_attendance_percent is not None:
            parts.append(_("attended at least %(percent)s %% of the sessions held")
                         % {"percent": award.min_attendance_percent})
        exam = award.required_exam or award.exam
        if exam is not None:
            title = getattr(exam, f"title_{lang}")
            parts.append(_("passed the test «%(title)s»") % {"title": title})
        return "; ".join(parts) if parts else _("completed the programme")


def _column(certificate: Certificate, lang: str, sex: str) -> pdf.Column:
    award = certificate.award
    with translation.override(lang):
        if award.kind in (AwardKind.EVENT, AwardKind.COURSE):
            statement = {Sex.FEMALE: _("completed (she) the training programme"),
                         Sex.MALE: _("completed (he) the training programme")}.get(
                sex, _("completed the training programme"))
        else:
            statement = {Sex.FEMALE: _("passed (she) the test"), Sex.MALE: _("passed (he) the test")}.get(
                sex, _("passed the test"))
        facts = [_("Dates: %(period)s") % {"period": _period(certificate)}]
        if certificate.hours is not None:
            hours = certificate.hours
            if hours == hours.to_integral_value():
                count, shown = int(hours), int(hours)
            else:
                # A fraction takes the form of 2 ("2,5 часа"); the decimal separator is the language's.
                count, shown = 2, formats.number_format(hours.normalize(), use_l10n=True)
            facts.append(ngettext("%(hours)s hour", "%(hours)s hours", count) % {"hours": shown})
        if certificate.result_percent is not None:
            facts.append(_("Result: %(percent)s") % {"percent": _percent(certificate.result_percent)})
        return pdf.Column(
            lang=lang,
            lead=_("This certificate certifies that"),
            statement=statement,
            award=getattr(certificate, f"award_title_{lang}"),
            facts=tuple(facts),
            issuer=getattr(certificate, f"issuer_name_{lang}"),
            signatory_position=getattr(certificate, f"signatory_position_{lang}"),
            issued_label=_("Issued on %(date)s") % {"date": _date(certificate.issued_on)},
            number_label=_("No. %(number)s") % {"number": certificate.number},
            verify_label=_("Check that it is genuine"),
        )


def sheet(certificate: Certificate, *, sex: str, design: Design) -> pdf.Sheet:
    languages = certificate.award.pdf_languages
    langs = ("kk", "ru") if languages == PdfLanguages.BOTH else (languages,)
    with translation.override(langs[0]):
        title = _("CERTIFICATE")
    return pdf.Sheet(
        number=certificate.number,
        holder_name=certificate.holder_name,
        title=title,
        columns=tuple(_column(certificate, lang, sex) for lang in langs),
        signatory_name=certificate.signatory_name,
        verification_url=credential.verification_url(certificate.number),
        credential=certificate.credential,
        primary_colour=design.primary_colour,
        accent_colour=design.accent_colour,
        logo=design.logo,
        subject=certificate.award_title_kk,
        keywords=(certificate.number, "Open Badges 3.0"),
    )


def facts(certificate: Certificate, criteria_texts: tuple[str, str]) -> credential.CredentialFacts:
    """``criteria_texts``: the award's criteria in kk and ru (``criteria``), the same for a whole batch."""
    award = certificate.award
    return credential.CredentialFacts(
        number=certificate.number,
        revision=certificate.revision,
        holder_name=certificate.holder_name,
        award_kind=award.kind,
        award_id=award.pk,
        award_title_kk=certificate.award_title_kk,
        award_title_ru=certificate.award_title_ru,
        criteria_kk=criteria_texts[0],
        criteria_ru=criteria_texts[1],
        starts_on=certificate.starts_on,
        ends_on=certificate.ends_on,
        hours=None if certificate.hours is None else f"{certificate.hours}",
        result_percent=None if certificate.result_percent is None else f"{certificate.result_percent}",
        issuer_code=certificate.issuer.code,
        issuer_name_kk=certificate.issuer_name_kk,
        issuer_name_ru=certificate.issuer_name_ru,
        issued_on=certificate.issued_on,
        status_index=certificate.status_index,
    )

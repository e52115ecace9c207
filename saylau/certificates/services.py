"""Writes: award rules, issuing (by the rule, by hand, in bulk), re-issuing, revoking, designs. Each is atomic
and audited. Issuing a batch allocates its numbers and status-list positions in one step, signs each credential,
renders each PDF (in worker processes for large batches) and inserts the rows with one ``bulk_create``."""

from __future__ import annotations

import datetime
import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saylau.assessment.models import Exam
from saylau.commissions.models import Commission, Person
from saylau.core.audit import audit, audit_entry, diff
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry
from saylau.courses.models import Course
from saylau.courses.scoping import can_manage_courses
from saylau.training.models import Event, EventStatus
from saylau.training.scoping import can_manage_event

from . import content, credential, fonts, pdf, rules
from .models import (
    Award,
    AwardKind,
    Certificate,
    CertificateDesign,
    CertificateRevision,
    Counter,
    IssuanceJob,
    PdfLanguages,
)
from .scoping import can_edit_designs, can_manage_award, can_revoke

STATUS_COUNTER = "status-list"
# Below this many, rendering in worker processes costs more than it saves.
PARALLEL_FROM = 40
AWARD_FIELDS = ("title_kk", "title_ru", "issuer", "min_attendance_percent", "required_exam", "hours", "automatic",
                "pdf_languages")


def _require(condition: bool, message) -> None:
    if not condition:
        raise PermissionDenied("forbidden", message)


# --- Award rules ---------------------------------------------------------------------------------------------


def _check_rule(*, kind: str, event: Event | None, exam: Exam | None, fields: dict) -> None:
    if not (fields.get("title_kk") or "").strip() or not (fields.get("title_ru") or "").strip():
        raise DomainError("title_required", _("Give the title in Kazakh and in Russian."), field="title_kk")
    percent = fields.get("min_attendance_percent")
    if percent is not None and not 1 <= percent <= 100:
        raise DomainError("attendance_range", _("The attendance needed is a percentage from 1 to 100."),
                          field="min_attendance_percent")
    required = fields.get("required_exam")
    if kind == AwardKind.EVENT:
        if percent is None and required is None:
            raise DomainError("no_condition", _("Say what earns the certificate: attendance, a test, or both."),
                              field="min_attendance_percent")
        if required is not None and required.event_id != event.pk:
            raise DomainError("exam_of_another_event", _("The test must be one of this event's tests."),
                              field="required_exam")
    if fields.get("pdf_languages", PdfLanguages.BOTH) not in PdfLanguages.values:
        raise DomainError("bad_languages", _("Choose the languages of the PDF."), field="pdf_languages")


@transaction.atomic
def award_set(*, by, event: Event | None = None, exam: Exam | None = None, course: Course | None = None,
              **fields) -> Award:
    """Create or change the award of an event, a test or a distance course. Certificates already issued keep what
    they state."""
    if [event, exam, course].count(None) != 2:
        raise DomainError("award_target", _("An award is for one event, one test or one course."))
    kind = AwardKind.EVENT if event is not None else AwardKind.TEST if exam is not None else AwardKind.COURSE
    if course is not None:
        _require(can_manage_courses(by, course), _("You cannot manage this course."))
        defaults = {"title_kk": course.title_kk, "title_ru": course.title_ru, "issuer": course.commission}
        existing = Award.objects.select_for_update().filter(course=course).first()
    elif event is not None:
        _require(can_manage_event(by, event), _("You cannot manage this event."))
        defaults = {"title_kk": event.title_kk, "title_ru": event.title_ru, "issuer": event.organiser}
        existing = Award.objects.select_for_update().filter(event=event).first()
    else:
        _require(by is not None and by.role in ("admin", "coordinator"), _("You cannot manage this test."))
        defaults = {"title_kk": exam.title_kk, "title_ru": exam.title_ru, "issuer": exam.commission,
                    "min_attendance_percent": None, "required_exam": None}
        existing = Award.objects.select_for_update().filter(exam=exam).first()
    unknown = set(fields) - set(AWARD_FIELDS)
    if unknown:
        raise DomainError("unknown_fields", ", ".join(sorted(unknown)))
    values = {**defaults, **{key: value for key, value in fields.items() if value is not None or key in (
        "min_attendance_percent", "required_exam", "hours")}}
    if kind != AwardKind.EVENT:  # a test's rule is the test; a course's is its completion rule
        values.update(min_attendance_percent=None, required_exam=None)
    _check_rule(kind=kind, event=event, exam=exam, fields=values)
    if existing is None:
        award = Award(kind=kind, event=event, exam=exam, course=course, created_by=by, **values)
        if by is not None and by.role == "coordinator" and award.issuer.region_id != by.region_id:
            raise PermissionDenied("forbidden", _("You cannot issue certificates for another region."))
        award.save()
        audit(actor=by, action="certificates.award.created", obj=award, changes=values)
        return award
    _require(can_manage_award(by, existing), _("You cannot manage this award."))
    before = {key: getattr(existing, key) for key in values}
    for key, value in values.items():
        setattr(existing, key, value)
    existing.save()
    audit(actor=by, action="certificates.award.changed", obj=existing, changes=diff(before, values))
    return existing


# --- Numbers and positions -------------------------------------------------------------------------------------


def _allocate(name: str, count: int) -> int:
    """Reserve ``count`` consecutive values of a counter; returns the first. The row lock serialises issuers."""
    try:
        with transaction.atomic():
            Counter.objects.get_or_create(name=name)
    except IntegrityError:  # created concurrently: fine, it exists now
        pass
    row = Counter.objects.select_for_update().get(name=name)
    first = row.value + 1
    row.value += count
    row.save(update_fields=["value"])
    return first


def format_number(year: int, sequence: int) -> str:
    return f"{settings.CERTIFICATE_NUMBER_PREFIX}-{year}-{sequence:06d}"


# --- Issuing ---------------------------------------------------------------------------------------------------


def _render_all(sheets: list[pdf.Sheet]) -> list[bytes]:
    fonts_dir = fonts.prepared_fonts_dir()
    processes = settings.CERTIFICATE_RENDER_PROCESSES
    if processes <= 1 or len(sheets) < PARALLEL_FROM:
        return [pdf.render(sheet, fonts_dir) for sheet in sheets]
    # Forked workers render only (pure functions of the sheets); they touch no database connection.
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(pdf.render, sheets, [fonts_dir] * len(sheets), chunksize=16))


def _pdf_path(certificate: Certificate) -> str:
    return f"certificates/{certificate.issued_on.year}/{certificate.number}-r{certificate.revision}.pdf"


def _sign_and_render(certificates: list[Certificate], sexes: dict[int, str], design: content.Design) -> None:
    """Fill in the credential, the PDF and its digest of each (unsaved or re-issued) certificate."""
    signing_key = credential.keys.active_key()
    award = certificates[0].award  # a batch is one award's
    criteria_texts = (content.criteria(award, "kk"), content.criteria(award, "ru"))
    for certificate in certificates:
        certificate.credential = credential.sign(credential.build(content.facts(certificate, criteria_texts)),
                                                 signing_key)
        certificate.key_id = signing_key.kid
    documents = _render_all([content.sheet(c, sex=sexes.get(c.person_id, ""), design=design)
                             for c in certificates])
    for certificate, data in zip(certificates, documents, strict=True):
        path = _pdf_path(certificate)
        if default_storage.exists(path):
            default_storage.delete(path)
        certificate.pdf.name = default_storage.save(path, ContentFile(data))
        certificate.pdf_sha256 = hashlib.sha256(data).hexdigest()


@transaction.atomic
def _issue(*, award: Award, outcomes: list[rules.Outcome], by, manual_reason: str = "") -> list[Certificate]:
    """Certificates for these people (who do not hold one yet: others are skipped)."""
    holders = set(Certificate.objects.filter(award=award, person_id__in=[o.person_id for o in outcomes])
                  .values_list("person_id", flat=True))
    outcomes = [o for o in outcomes if o.person_id not in holders]
    if not outcomes:
        return []
    people = Person.objects.in_bulk([o.person_id for o in outcomes])
    design = content.design_for(award.issuer)
    issued_on = timezone.localdate()
    first_number = _allocate(f"number:{settings.CERTIFICATE_NUMBER_PREFIX}:{issued_on.year}", len(outcomes))
    first_index = _allocate(STATUS_COUNTER, len(outcomes)) - 1
    hours = content.programme_hours(award)  # once per batch, not per certificate
    certificates = []
    for offset, outcome in enumerate(outcomes):
        person = people[outcome.person_id]
        certificates.append(Certificate(
            number=format_number(issued_on.year, first_number + offset), award=award, person=person,
            status_index=first_index + offset, issued_by=by if manual_reason else None,
            manual_reason=manual_reason,
            **content.snapshot(award=award, person=person, outcome=outcome, design=design, issued_on=issued_on,
                               hours=hours)))
    _sign_and_render(certificates, {pid: p.sex for pid, p in people.items()}, design)
    Certificate.objects.bulk_create(certificates)
    AuditEntry.objects.bulk_create([
        audit_entry(actor=by, action="certificates.issued_by_hand" if manual_reason else "certificates.issued",
                    obj=c, changes={"award": award.pk, "person": c.person_id, "reason": manual_reason})
        for c in certificates])
    return certificates


def issue_due(*, award: Award, by=None, person_ids: list[int] | None = None) -> list[Certificate]:
    """Issue to everyone the rule now entitles (or those of ``person_ids``) who has no certificate yet."""
    if by is not None:
        _require(can_manage_award(by, award), _("You cannot manage this award."))
    if award.kind == AwardKind.EVENT and award.event.status == EventStatus.CANCELLED:
        raise Conflict("event_cancelled", _("The event was cancelled."))
    outcomes = [o for o in rules.evaluate(award, person_ids) if o.eligible]
    return _issue(award=award, outcomes=outcomes, by=by)


def issue_by_hand(*, by, award: Award, person: Person, reason: str) -> Certificate:
    """A certificate the rule would not give (e.g. attendance recorded on paper), with the reason on record."""
    _require(can_manage_award(by, award), _("You cannot manage this award."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the certificate is issued by hand."), field="reason")
    if Certificate.objects.filter(award=award, person=person).exists():
        raise Conflict("already_issued", _("This person already holds this certificate."))
    outcome = next(iter(rules.evaluate(award, [person.pk])), rules.Outcome(person_id=person.pk, eligible=False))
    return _issue(award=award, outcomes=[outcome], by=by, manual_reason=reason)[0]


@transaction.atomic
def reissue(*, by, certificate: Certificate, reason: str) -> Certificate:
    """Issue again with the same number, stating what the registry and the award say now (a corrected name or
    title). The superseded credential and PDF digest are kept: they remain genuine, but are no longer current."""
    certificate = Certificate.objects.select_for_update().select_related("award", "person", "issuer").get(
        pk=certificate.pk)
    _require(can_manage_award(by, certificate.award), _("You cannot manage this award."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Say why the certificate is issued again."), field="reason")
    if certificate.is_revoked:
        raise Conflict("revoked", _("A revoked certificate cannot be issued again."))
    CertificateRevision.objects.create(
        certificate=certificate, revision=certificate.revision, holder_name=certificate.holder_name,
        credential=certificate.credential, pdf_sha256=certificate.pdf_sha256, replaced_by=by, reason=reason)
    award, person = certificate.award, certificate.person
    design = content.design_for(award.issuer)
    outcome = next(iter(rules.evaluate(award, [person.pk])), None)
    before = {"holder_name": certificate.holder_name, "award_title_kk": certificate.award_title_kk,
              "award_title_ru": certificate.award_title_ru}
    fresh = content.snapshot(award=award, person=person, outcome=outcome, design=design,
                             issued_on=certificate.issued_on)
    if certificate.result_percent is not None and fresh["result_percent"] is None:
        fresh["result_percent"] = certificate.result_percent
    for key, value in fresh.items():
        setattr(certificate, key, value)
    certificate.revision += 1
    old_pdf = certificate.pdf.name
    _sign_and_render([certificate], {person.pk: person.sex}, design)
    certificate.save()
    if old_pdf and old_pdf != certificate.pdf.name:
        transaction.on_commit(lambda: default_storage.delete(old_pdf))
    audit(actor=by, action="certificates.reissued", obj=certificate, changes={
        "revision": certificate.revision, "reason": reason,
        **diff(before, {key: fresh[key] for key in before})})
    return certificate


@transaction.atomic
def revoke(*, by, certificate: Certificate, reason: str, on: datetime.date | None = None) -> Certificate:
    _require(can_revoke(by), _("Only an administrator revokes certificates."))
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Give the reason for revoking."), field="reason")
    if certificate.is_revoked:
        raise Conflict("already_revoked", _("The certificate is already revoked."))
    on = on or timezone.localdate()
    if on < certificate.issued_on:
        raise DomainError("revoked_before_issue", _("A certificate cannot be revoked before it was issued."),
                          field="on")
    certificate.revoked_on, certificate.revocation_reason, certificate.revoked_by = on, reason, by
    certificate.save(update_fields=["revoked_on", "revocation_reason", "revoked_by"])
    audit(actor=by, action="certificates.revoked", obj=certificate, changes={"on": on, "reason": reason})
    return certificate


# --- Bulk jobs -------------------------------------------------------------------------------------------------


@transaction.atomic
def job_start(*, by, award: Award, send_email: bool = False) -> IssuanceJob:
    """Queue issuing for the whole award; the worker runs it (``tasks.run_issuance_job``)."""
    from .tasks import run_issuance_job

    _require(can_manage_award(by, award), _("You cannot manage this award."))
    if award.jobs.filter(status__in=["queued", "running"]).exists():
        raise Conflict("job_running", _("Certificates for this award are already being issued."))
    job = IssuanceJob.objects.create(award=award, created_by=by, send_email=send_email)
    audit(actor=by, action="certificates.bulk_started", obj=award, changes={"job": job.pk, "email": send_email})
    transaction.on_commit(lambda: run_issuance_job.enqueue(job.pk))
    return job


# --- Designs ---------------------------------------------------------------------------------------------------


@transaction.atomic
def design_set(*, by, commission: Commission, **fields) -> CertificateDesign:
    _require(can_edit_designs(by), _("Only an administrator edits certificate designs."))
    for key in ("primary_colour", "accent_colour"):
        value = fields.get(key)
        if value is not None and not (len(value) == 7 and value.startswith("#")
                                      and all(ch in "0123456789abcdefABCDEF" for ch in value[1:])):
            raise DomainError("bad_colour", _("A colour is written as #RRGGBB."), field=key)
    design, _created = CertificateDesign.objects.get_or_create(commission=commission)
    before = {key: getattr(design, key) for key in fields if key != "logo"}
    logo = fields.pop("logo", None)
    for key, value in fields.items():
        setattr(design, key, value)
    if logo is not None:
        _check_logo(logo)
        design.logo = logo
    design.updated_by = by
    design.save()
    audit(actor=by, action="certificates.design.changed", obj=design, changes=diff(before, fields))
    return design


def _check_logo(upload) -> None:
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
        raise DomainError("bad_logo", _("The logo must be a PNG or JPEG image."), field="logo")
    if upload.size > 1_000_000:
        raise DomainError("logo_too_large", _("The logo must be smaller than 1 MB."), field="logo")


def pdf_bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as handle:
        return handle.read()


"""Certificate pages.

| page                                   | who                                                               |
|----------------------------------------|-------------------------------------------------------------------|
| /verify/, /verify/<number>/            | anyone, no login (rate-limited per address, every check logged)   |
| /.well-known/jwks.json, status list,   | anyone: what offline verifiers need                               |
| issuer profile, achievement            |                                                                   |
| my certificates                        | a participant with a registry person                              |
| register, certificate page             | as ``scoping.certificates_visible_to``; PDF and credential: the   |
|                                        | holder and those who manage certificates                          |
| an event's or test's certificates      | those who manage the event (test: administrators, coordinators)   |
| revoke / designs                       | administrators                                                    |
"""

from __future__ import annotations

import json
import tempfile
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from saylau.assessment.scoping import access_exam_by_id
from saylau.commissions.models import Commission
from saylau.commissions.scoping import commissions_visible_to
from saylau.core.errors import DomainError, NotFound
from saylau.core.throttle import client_ip
from saylau.courses.scoping import access_course_by_id, can_manage_courses
from saylau.training.scoping import access_event_by_id, can_manage_event

from . import credential, keys, selectors, services, verification
from .forms import (
    AwardForm,
    BulkForm,
    DesignForm,
    ManualIssueForm,
    ReasonForm,
    RegisterFilterForm,
    RevokeForm,
    VerifyFileForm,
    VerifyNumberForm,
)
from .models import Award, AwardKind, Certificate, CertificateDesign, IssuanceJob
from .scoping import (
    access_certificate,
    can_download,
    can_edit_designs,
    can_manage_award,
    can_revoke,
)


def _or_404(fetch, *args, **kwargs):
    try:
        return fetch(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- Public: verification and what offline verifiers need ------------------------------------------------------


def _throttled(request) -> bool:
    return not verification.within_rate(client_ip(request))


def _too_many(request):
    response = render(request, "certificates/verify.html", {
        "number_form": VerifyNumberForm(), "file_form": VerifyFileForm(),
        "error": _("Too many checks from your address. Wait a minute and try again.")}, status=429)
    response["Retry-After"] = "60"
    return response


def verify(request):
    """Type a number (GET ?number=) or upload the PDF or the credential (POST)."""
    number_form, file_form, result = VerifyNumberForm(request.GET or None), VerifyFileForm(), None
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request)
        file_form = VerifyFileForm(request.POST, request.FILES)
        if file_form.is_valid():
            try:
                result = verification.by_file(file_form.cleaned_data["file"].read(),
                                              channel="file", client=client_ip(request))
            except DomainError as exc:
                file_form.add_error("file", exc.message)
    elif number_form.is_bound and number_form.is_valid():
        return redirect("certificates:verify_number", number=verification.normalise_number(
            number_form.cleaned_data["number"]) or "-")
    return render(request, "certificates/verify.html", {
        "number_form": number_form if number_form.is_bound else VerifyNumberForm(), "file_form": file_form,
        "result": result})


@require_GET
def verify_number(request, number):
    """The QR code's target: what certificate ``number`` states and whether it stands."""
    if _throttled(request):
        return _too_many(request)
    result = verification.by_number(number, channel="page", client=client_ip(request))
    return render(request, "certificates/verify.html", {
        "number_form": VerifyNumberForm(initial={"number": number}), "file_form": VerifyFileForm(),
        "result": result, "asked": number})


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    return JsonResponse(keys.jwks(), content_type="application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=60)
def status_list(request, list_id):
    """The Bitstring Status List credential (VC-JWT): revoked positions, signed, current to the request."""
    if list_id != credential.STATUS_LIST_ID:
        raise Http404()
    root = Commission.objects.filter(parent__isnull=True).order_by("pk").first()
    payload = credential.status_list(selectors.revoked_positions(),
                                     issuer=credential.issuer_id(root.code if root else "CEC"),
                                     issuer_name=root.name_kk if root else "", now=timezone.now())
    if request.GET.get("format") == "json":
        return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(credential.sign(payload), content_type="application/vc+jwt")


@require_GET
@cache_control(public=True, max_age=3600)
def issuer(request, code):
    commission = get_object_or_404(Commission, code=code)
    return JsonResponse({
        "@context": [credential.VC_CONTEXT, credential.OB_CONTEXT],
        "id": credential.issuer_id(code), "type": ["Profile"], "name": commission.name_kk,
        "description": commission.name_ru, "url": credential.absolute("/"),
    }, json_dumps_params={"ensure_ascii": False})


@require_GET
@cache_control(public=True, max_age=3600)
def achievement(request, award_id):
    award = get_object_or_404(Award, pk=award_id)
    from .content import criteria

    return JsonResponse({
        "@context": [credential.VC_CONTEXT, credential.OB_CONTEXT],
        "id": credential.absolute(f"/certificates/awards/{award.pk}"), "type": ["Achievement"],
        "name": award.title_kk, "description": award.title_ru,
        "criteria": {"narrative": f"{criteria(award, 'kk')}\n\n{criteria(award, 'ru')}"},
    }, json_dumps_params={"ensure_ascii": False})


# --- Holders and the register ----------------------------------------------------------------------------------


@login_required
def mine(request):
    certificates = selectors.held_by(request.user.person_id) if request.user.person_id else []
    return render(request, "certificates/mine.html", {"certificates": certificates})


@login_required
def register(request):
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(selectors.register(request.user, q=filters.get("q", ""), status=filters.get("status", "")),
                     50).get_page(request.GET.get("page"))
    return render(request, "certificates/register.html", {"form": form, "page": page})


@login_required
def detail(request, number):
    certificate = _or_404(access_certificate, request.user, number)
    return render(request, "certificates/detail.html", {
        "certificate": certificate, "can_download": can_download(request.user, certificate),
        "can_reissue": can_manage_award(request.user, certificate.award) and not certificate.is_revoked,
        "can_revoke": can_revoke(request.user) and not certificate.is_revoked,
        "revisions": certificate.revisions.select_related("replaced_by"),
        "verify_url": credential.verification_url(certificate.number),
        "reissue_form": ReasonForm(), "revoke_form": RevokeForm(),
        "payload": credential_preview(certificate) if can_download(request.user, certificate) else "",
    })


def _downloadable(request, number) -> Certificate:
    certificate = _or_404(access_certificate, request.user, number)
    if not can_download(request.user, certificate):
        raise PermissionDenied
    return certificate


@login_required
def download_pdf(request, number):
    certificate = _downloadable(request, number)
    return FileResponse(certificate.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{certificate.number}.pdf")


@login_required
def download_credential(request, number):
    certificate = _downloadable(request, number)
    response = HttpResponse(certificate.credential, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.jwt"'
    return response


@login_required
@require_POST
def reissue(request, number):
    certificate = _or_404(access_certificate, request.user, number)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reissue(by=request.user, certificate=certificate, reason=form.cleaned_data["reason"])
            messages.success(request, _("The certificate was issued again with the same number."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Say why the certificate is issued again."))
    return redirect("certificates:detail", number=certificate.number)


@login_required
@require_POST
def revoke(request, number):
    certificate = _or_404(access_certificate, request.user, number)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke(by=request.user, certificate=certificate, reason=form.cleaned_data["reason"],
                            on=form.cleaned_data["on"])
            messages.success(request, _("The certificate is revoked."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the reason for revoking."))
    return redirect("certificates:detail", number=certificate.number)


# --- An award: the rule, who earned it, issuing ----------------------------------------------------------------


def _target(request, kind, target_id):
    """(event or exam, its award or None) for a manager; 404 outside the user's scope, 403 without rights."""
    if kind == AwardKind.COURSE:
        course = _or_404(access_course_by_id, request.user, target_id)
        if not can_manage_courses(request.user, course):
            raise PermissionDenied
        return course, Award.objects.filter(course=course).first()
    if kind == AwardKind.EVENT:
        event = _or_404(access_event_by_id, request.user, target_id)
        if not can_manage_event(request.user, event):
            raise PermissionDenied
        return event, Award.objects.filter(event=event).first()
    exam = _or_404(access_exam_by_id, request.user, target_id, manage=True)
    if request.user.role not in ("admin", "coordinator"):
        raise PermissionDenied
    return exam, Award.objects.filter(exam=exam).first()


def award_page(request, kind, target_id):
    target, award = _target(request, kind, target_id)
    is_event = kind == AwardKind.EVENT
    exams = target.exams.all() if is_event else None
    initial = ({"title_kk": award.title_kk, "title_ru": award.title_ru,
                "min_attendance_percent": award.min_attendance_percent, "required_exam": award.required_exam,
                "hours": award.hours, "pdf_languages": award.pdf_languages, "automatic": award.automatic}
               if award else {"title_kk": target.title_kk, "title_ru": target.title_ru, "automatic": True,
                              "min_attendance_percent": getattr(target, "min_attendance_percent", None)})
    form = AwardForm(request.POST if request.method == "POST" else None, initial=initial, exams=exams,
                     for_event=is_event)
    if request.method == "POST" and form.is_valid():
        try:
            award = services.award_set(by=request.user, **{kind: target} if kind != AwardKind.TEST else {"exam": target},
                                       **form.cleaned_data)
            messages.success(request, _("The rule is saved."))
            return redirect(request.path)
        except DomainError as exc:
            form.add_error(exc.params.get("field") if exc.params.get("field") in form.fields else None,
                           exc.message)
    rows = selectors.award_candidates(award) if award else []
    return render(request, "certificates/award.html", {
        "target": target, "is_event": is_event, "is_course": kind == AwardKind.COURSE, "award": award, "form": form, "rows": rows,
        "eligible_pending": sum(1 for r in rows if r["outcome"] and r["outcome"].eligible and not r["certificate"]),
        "issued": sum(1 for r in rows if r["certificate"]),
        "job": award.jobs.first() if award else None,
        "bulk_form": BulkForm(),
        "manual_form": ManualIssueForm(people=[r["person"] for r in rows if not r["certificate"]]),
    })


@login_required
def event_award(request, event_id):
    return award_page(request, AwardKind.EVENT, event_id)


@login_required
def test_award(request, exam_id):
    return award_page(request, AwardKind.TEST, exam_id)


@login_required
def course_award(request, course_id):
    return award_page(request, AwardKind.COURSE, course_id)


def _managed_award(request, award_id) -> Award:
    award = get_object_or_404(Award.objects.select_related("event", "exam", "issuer"), pk=award_id)
    if not can_manage_award(request.user, award):
        raise Http404()
    return award


def _award_url(award: Award) -> str:
    if award.kind == AwardKind.EVENT:
        return reverse("certificates:event_award", args=[award.event_id])
    if award.kind == AwardKind.COURSE:
        return reverse("certificates:course_award", args=[award.course_id])
    return reverse("certificates:test_award", args=[award.exam_id])


@login_required
@require_POST
def bulk_issue(request, award_id):
    award = _managed_award(request, award_id)
    form = BulkForm(request.POST)
    form.is_valid()
    try:
        job = services.job_start(by=request.user, award=award, send_email=form.cleaned_data.get("send_email", False))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_award_url(award))
    return redirect("certificates:job", job_id=job.pk)


@login_required
@require_POST
def issue_by_hand(request, award_id):
    award = _managed_award(request, award_id)
    rows = selectors.award_candidates(award)
    form = ManualIssueForm(request.POST, people=[r["person"] for r in rows if not r["certificate"]])
    if form.is_valid():
        person = next(r["person"] for r in rows if r["person"].pk == form.cleaned_data["person"])
        try:
            certificate = services.issue_by_hand(by=request.user, award=award, person=person,
                                                 reason=form.cleaned_data["reason"])
            messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose the participant and say why the certificate is issued by hand."))
    return redirect(_award_url(award))


@login_required
def job(request, job_id):
    job = get_object_or_404(IssuanceJob.objects.select_related("award"), pk=job_id)
    if not can_manage_award(request.user, job.award):
        raise Http404()
    if request.GET.get("format") == "json":
        return JsonResponse({"status": job.status, "done": job.done, "total": job.total, "percent": job.percent})
    return render(request, "certificates/job.html", {"job": job, "award_url": _award_url(job.award)})


@login_required
def award_zip(request, award_id):
    """Every PDF of the award in one ZIP (stored, not compressed: PDFs are compressed already)."""
    award = _managed_award(request, award_id)
    spool = tempfile.SpooledTemporaryFile(max_size=50_000_000)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in award.certificates.order_by("number").only("number", "pdf"):
            archive.writestr(f"{certificate.number}.pdf", services.pdf_bytes(certificate))
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"certificates-{award.pk}.zip",
                        content_type="application/zip")


# --- Designs ---------------------------------------------------------------------------------------------------


@login_required
def designs(request):
    if not can_edit_designs(request.user):
        raise PermissionDenied
    designs = CertificateDesign.objects.select_related("commission").order_by("commission__code")
    commissions = commissions_visible_to(request.user).filter(level__in=["cec", "regional"]).order_by("code")
    return render(request, "certificates/designs.html", {"designs": designs, "commissions": commissions})


@login_required
def design_edit(request, commission_id):
    if not can_edit_designs(request.user):
        raise PermissionDenied
    commission = get_object_or_404(Commission, pk=commission_id)
    design = CertificateDesign.objects.filter(commission=commission).first()
    initial = {"primary_colour": "#1d3f6e", "accent_colour": "#b08d2f"}
    if design:
        initial = {key: getattr(design, key) for key in ("signatory_name", "signatory_position_kk",
                                                          "signatory_position_ru", "primary_colour",
                                                          "accent_colour")}
    form = DesignForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if not fields.get("logo"):
            fields.pop("logo")
        try:
            services.design_set(by=request.user, commission=commission, **fields)
            messages.success(request, _("The design is saved. Certificates issued from now on use it."))
            return redirect("certificates:designs")
        except DomainError as exc:
            form.add_error(exc.params.get("field") if exc.params.get("field") in form.fields else None,
                           exc.message)
    return render(request, "certificates/design_form.html", {"form": form, "commission": commission,
                                                             "design": design})


def credential_preview(certificate: Certificate) -> str:
    """The credential's payload, pretty-printed, for the certificate page."""
    try:
        payload = credential.verify(certificate.credential)
    except credential.Tampered:
        return ""
    return json.dumps(payload, ensure_ascii=False, indent=2)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saylau.core.audit import redact
from saylau.core.errors import DomainError, NotFound
from saylau.core.models import AuditEntry

from . import selectors, services
from .exporting import export_members
from .forms import ChildCommissionForm, CommissionForm, CommissionSearchForm, ImportUploadForm, MemberFilterForm, PersonForm
from .importing import plan_import
from .models import Commission, MemberImport, Person
from .scoping import (
    access_commission_by_id,
    access_person_by_id,
    can_manage_registry,
    can_see_audit,
    can_see_iin,
    editable_commissions,
    memberships_visible_to,
)

PAGE_SIZE = 50


def _or_404(fetch, *args):
    try:
        return fetch(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _visible_regions(user):
    region_ids = selectors.commission_list(user).exclude(region=None).values("region_id")
    return selectors.regions().filter(pk__in=region_ids)


@login_required
def tree(request):
    """The tree from the top the user may see; with a search, a flat list of matching commissions."""
    form = CommissionSearchForm(request.GET or None, regions=_visible_regions(request.user))
    context = {"form": form, "roots": selectors.tree_roots(request.user)}
    if form.is_bound and form.is_valid() and any(form.cleaned_data.values()):
        results = selectors.commission_list(request.user, **form.cleaned_data)
        context["page"] = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        context["searched"] = True
        if query := form.cleaned_data["q"]:
            # The same box finds people: by name, or by IIN for the roles entitled to IINs.
            people = selectors.member_list(request.user, q=query, region=form.cleaned_data["region"])
            context["people"] = people[:20]
            context["people_query"] = query
            context["show_iin"] = can_see_iin(request.user)
    return render(request, "commissions/tree.html", context)


@login_required
def children(request, commission_id: int):
    """The children of one node, as a fragment the tree expands in place (or a page without JavaScript)."""
    commission = _or_404(access_commission_by_id, request.user, commission_id)
    nodes = selectors.child_commissions(request.user, commission)
    template = "commissions/_children.html" if request.headers.get("X-Fragment") else "commissions/children.html"
    return render(request, template, {"commission": commission, "nodes": nodes})


@login_required
def commission_detail(request, commission_id: int):
    commission = _or_404(access_commission_by_id, request.user, commission_id)
    members = selectors.member_list(request.user, commission=commission.pk)
    past = (
        selectors.member_list(request.user, commission=commission.pk, include_past=True)
        .filter(term_end__lt=timezone.localdate())
        .order_by("-term_end")
    )
    child_page = Paginator(selectors.child_commissions(request.user, commission), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "commissions/commission.html", {
        "commission": commission,
        "ancestors": selectors.ancestors(commission),
        "members": members,
        "past_members": past[:50],
        "page": child_page,
        "show_iin": can_see_iin(request.user),
    })


@login_required
def person_detail(request, person_id: int):
    person = _or_404(access_person_by_id, request.user, person_id)
    memberships = (
        memberships_visible_to(request.user).filter(person=person)
        .select_related("commission", "commission__region").order_by("-term_start", "-pk")
    )
    history = []
    if can_see_audit(request.user):
        entries = AuditEntry.objects.filter(
            object_type="commissions.person", object_id=str(person.pk)
        ).select_related("actor")[:50]
        show_iin = can_see_iin(request.user, person)
        history = [(entry, redact(entry.changes, show_iin=show_iin)) for entry in entries]
    return render(request, "commissions/person.html", {
        "person": person,
        "memberships": memberships,
        "show_iin": can_see_iin(request.user, person),
        "history": history,
    })


@login_required
def members(request):
    form = MemberFilterForm(request.GET or None, regions=_visible_regions(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = selectors.member_list(request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commissions/members.html", {
        "form": form, "page": page, "show_iin": can_see_iin(request.user),
    })


@login_required
def members_export(request):
    form = MemberFilterForm(request.GET or None, regions=_visible_regions(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    header_language = request.GET.get("headers") if request.GET.get("headers") in ("en", "ru", "kk") else "en"
    qs = selectors.member_list(request.user, **filters)
    content = export_members(qs, file_format=file_format, header_language=header_language,
                             include_iin=can_see_iin(request.user))
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="members-{timezone.localdate():%Y%m%d}.{file_format}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: upload; the file is checked in full and a preview shows every change or every problem."""
    if not can_manage_registry(request.user):
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        plan = plan_import(filename=upload.name, content=content, commission_scope=editable_commissions(request.user))
        member_import = MemberImport.objects.create(
            created_by=request.user, filename=upload.name, content=content if plan.ok else b"", summary=plan.summary(),
            status=MemberImport.Status.PREVIEWED if plan.ok else MemberImport.Status.REJECTED,
        )
        return render(request, "commissions/import_preview.html", {
            "plan": plan, "member_import": member_import, "preview_rows": plan.rows[:20],
        }, status=200 if plan.ok else 422)
    recent = MemberImport.objects.filter(created_by=request.user).defer("content")[:10]
    return render(request, "commissions/import.html", {"form": form, "recent": recent})


@login_required
@require_POST
def import_confirm(request, import_id: int):
    """Step 2: apply the previewed file, checked again inside the transaction."""
    if not can_manage_registry(request.user):
        raise PermissionDenied
    member_import = MemberImport.objects.filter(
        pk=import_id, created_by=request.user, status=MemberImport.Status.PREVIEWED
    ).first()
    if member_import is None:
        raise Http404(_("This import is not waiting for confirmation."))
    try:
        plan = services.member_import_apply(
            by=request.user, filename=member_import.filename, content=bytes(member_import.content),
            member_import=member_import, scope_user=request.user,
        )
    except services.ImportRejected as exc:
        return render(request, "commissions/import_preview.html", {
            "plan": exc.plan, "member_import": member_import, "preview_rows": [],
        }, status=422)
    summary = plan.summary()
    messages.success(request, _(
        "Imported: %(new_people)s new people, %(changed_people)s updated, %(new_memberships)s new memberships, "
        "%(closed_memberships)s memberships ended, %(unchanged)s unchanged."
    ) % summary)
    return redirect("commissions:import")


def _domain_error_to_form(form, exc):
    form.add_error(None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def commission_edit(request, commission_id: int):
    commission = _or_404(access_commission_by_id, request.user, commission_id)
    if not can_manage_registry(request.user):
        raise PermissionDenied
    form = CommissionForm(request.POST or None, instance=Commission.objects.get(pk=commission.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.commission_update(by=request.user, commission=commission, **{
                name: form.cleaned_data[name] for name in form.changed_data
            })
        except DomainError as exc:
            _domain_error_to_form(form, exc)
        else:
            messages.success(request, _("The commission is saved."))
            return redirect("commissions:commission", commission.pk)
    return render(request, "commissions/commission_form.html", {"form": form, "commission": commission})


@login_required
@require_http_methods(["GET", "POST"])
def commission_add_child(request, commission_id: int):
    parent = _or_404(access_commission_by_id, request.user, commission_id)
    if not can_manage_registry(request.user) or (parent.level == "cec" and request.user.role != "admin"):
        raise PermissionDenied
    form = ChildCommissionForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.commission_create(by=request.user, parent=parent, **form.cleaned_data)
        except DomainError as exc:
            _domain_error_to_form(form, exc)
        else:
            messages.success(request, _("The commission is added."))
            return redirect("commissions:commission", child.pk)
    return render(request, "commissions/commission_form.html", {"form": form, "parent": parent})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, person_id: int):
    person = _or_404(access_person_by_id, request.user, person_id)
    if not can_manage_registry(request.user):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(by=request.user, person=person, **{
                name: form.cleaned_data[name] for name in form.changed_data
            })
        except DomainError as exc:
            _domain_error_to_form(form, exc)
        else:
            messages.success(request, _("The person is saved."))
            return redirect("commissions:person", person.pk)
    return render(request, "commissions/person_form.html", {"form": form, "person": person})

"""Pages of the library: search with filters, a material (any of its versions), its files with byte ranges, a
printable article, what changed since the last campaign, and the editing forms for librarians."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saylau.core.errors import DomainError, NotFound

from .. import selectors, services
from ..files import serve
from ..forms import ChangesForm, LibraryFilterForm, MaterialForm, NewMaterialForm, VersionForm
from ..markup import render_markdown, title_and_body
from ..models import MaterialKind, MaterialStatus
from ..scoping import access_material_by_id, can_manage_library
from .common import article_language, form_error

PER_PAGE = 20


def _material(request, material_id: int):
    try:
        return access_material_by_id(request.user, material_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _version(material, number: int | None):
    if number is None:
        return material.current
    version = material.versions.filter(number=number).first()
    if version is None:
        raise Http404(_("No such version."))
    return version


@login_required
def library(request):
    form = LibraryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {key: data.get(key) or "" for key in ("q", "topic", "language", "kind", "audience")}
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    rows, total = selectors.material_page(request.user, offset=(number - 1) * PER_PAGE, limit=PER_PAGE, **filters)
    if not rows and number > 1:  # past the last page: show the last one
        number = max(1, -(-total // PER_PAGE))
        rows, total = selectors.material_page(request.user, offset=(number - 1) * PER_PAGE, limit=PER_PAGE,
                                              **filters)
    # The paginator only numbers the pages; the rows came with their total in one query.
    page = Paginator(range(total), PER_PAGE).get_page(number)
    page.object_list = rows
    return render(request, "courses/library/list.html", {
        "form": form, "page": page, "can_edit": can_manage_library(request.user), "q": data.get("q", "")})


@login_required
def material_detail(request, material_id: int, number: int | None = None):
    material = _material(request, material_id)
    version = _version(material, number)
    language = article_language(request, material)
    article_title, article_html = "", ""
    if material.kind == MaterialKind.ARTICLE:
        article_title, body = title_and_body(version.body(language))
        article_html = render_markdown(body)
    return render(request, "courses/library/detail.html", {
        "material": material, "version": version, "is_current": version.pk == material.current_id,
        "versions": material.versions.order_by("-number"), "references": material.references.select_related("act"),
        "audiences": material.audiences.all(), "language": language, "article_title": article_title or
        material.title, "article_html": article_html, "can_edit": can_manage_library(request.user),
        "quality": "low" if request.GET.get("quality") == "low" and version.low_file else "full",
    })


@login_required
def material_print(request, material_id: int, number: int | None = None):
    material = _material(request, material_id)
    if material.kind != MaterialKind.ARTICLE:
        raise Http404(_("Only articles have a printable version."))
    version = _version(material, number)
    language = article_language(request, material)
    title, body = title_and_body(version.body(language))
    return render(request, "courses/library/print.html", {
        "material": material, "version": version, "title": title or material.title, "html": render_markdown(body),
        "language": language, "references": material.references.select_related("act")})


@login_required
def material_file(request, material_id: int, number: int, which: str = "file"):
    material = _material(request, material_id)
    version = _version(material, number)
    field = version.low_file if which == "low" else version.file
    if not field:
        raise Http404(_("This version has no such file."))
    content_type = version.content_type or "application/octet-stream"
    return serve(request, field, content_type=content_type, file_name=version.file_name or field.name,
                 inline=material.kind == MaterialKind.VIDEO or content_type == "application/pdf")


def _version_data(data: dict, files) -> dict:
    return {"file": files.get("file"), "low_file": files.get("low_file"), "external_url": data.get("external_url"),
            "body_kk": data.get("body_kk"), "body_ru": data.get("body_ru"), "change_note": data.get("change_note")}


def _metadata(data: dict) -> dict:
    return {name: data.get(name) for name in ("title_kk", "title_ru", "description_kk", "description_ru", "has_kk",
                                              "has_ru", "topic")}


@login_required
@require_http_methods(["GET", "POST"])
def material_new(request):
    if not can_manage_library(request.user):
        raise PermissionDenied
    form = NewMaterialForm(request.POST or None, request.FILES or None, initial={"has_kk": True, "has_ru": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = services.material_create(
                by=request.user, kind=data["kind"], status=data["status"], audiences=data["audiences"],
                references=data["references"], version=_version_data(data, request.FILES), **_metadata(data))
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The material is in the library."))
            return redirect("courses:material", material.pk)
    return render(request, "courses/library/form.html", {"form": form, "title": _("New material"),
                                                          "multipart": True}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def material_edit(request, material_id: int):
    material = _material(request, material_id)
    if not can_manage_library(request.user):
        raise PermissionDenied
    initial = _metadata(material.__dict__) | {
        "topic": material.topic, "audiences": material.audiences.all(), "status": material.status,
        "references": "\n".join(f"{ref.act.code} {ref.article}".strip()
                                for ref in material.references.select_related("act"))}
    form = MaterialForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.material_update(by=request.user, material=material, audiences=data["audiences"],
                                     references=data["references"], **_metadata(data))
            if data["status"] != material.status:
                services.material_set_status(by=request.user, material=material, status=data["status"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("courses:material", material.pk)
    return render(request, "courses/library/form.html", {"form": form, "material": material,
                                                          "title": _("Edit the material")},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def material_version_new(request, material_id: int):
    material = _material(request, material_id)
    if not can_manage_library(request.user):
        raise PermissionDenied
    current = material.current
    form = VersionForm(request.POST or None, request.FILES or None, initial={
        "body_kk": current.body_kk, "body_ru": current.body_ru, "external_url": current.external_url})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.material_new_version(by=request.user, material=material,
                                                    version=_version_data(form.cleaned_data, request.FILES))
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Version %(number)s is now the current one.") % {"number": version.number})
            return redirect("courses:material", material.pk)
    return render(request, "courses/library/form.html", {
        "form": form, "material": material, "multipart": True,
        "title": _("New version of «%(title)s»") % {"title": material.title}}, status=400 if form.errors else 200)


@login_required
def changes(request):
    form = ChangesForm(request.GET or None)
    last = selectors.last_campaign()
    since = last.voting_day if last else datetime.date.today() - datetime.timedelta(days=365)
    campaign = last
    if form.is_valid():
        if form.cleaned_data.get("since"):
            since, campaign = form.cleaned_data["since"], None
        elif form.cleaned_data.get("campaign"):
            campaign = form.cleaned_data["campaign"]
            since = campaign.voting_day
    if not form.is_bound:
        form = ChangesForm(initial={"campaign": last})
    return render(request, "courses/library/changes.html", {
        "form": form, "since": since, "campaign": campaign, "changes": selectors.changes_since(request.user, since)})


@login_required
@require_POST
def material_retire(request, material_id: int):
    material = _material(request, material_id)
    try:
        services.material_set_status(by=request.user, material=material, status=MaterialStatus.RETIRED)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("courses:material", material.pk)


urlpatterns = [
    path("", library, name="library"),
    path("changes/", changes, name="changes"),
    path("new/", material_new, name="material_new"),
    path("<int:material_id>/", material_detail, name="material"),
    path("<int:material_id>/edit/", material_edit, name="material_edit"),
    path("<int:material_id>/retire/", material_retire, name="material_retire"),
    path("<int:material_id>/versions/new/", material_version_new, name="material_version_new"),
    path("<int:material_id>/v<int:number>/", material_detail, name="material_version"),
    path("<int:material_id>/print/", material_print, name="material_print"),
    path("<int:material_id>/v<int:number>/print/", material_print, name="material_version_print"),
    path("<int:material_id>/v<int:number>/file/", material_file, name="material_file"),
    path("<int:material_id>/v<int:number>/<str:which>/", material_file, name="material_file_variant"),
]

"""Pages: the item bank (methodologists). The list with filters and counts, an item in Kazakh and Russian side by
side with its versions and review workflow, the editor, import from Moodle XML / GIFT (preview, then confirm),
export, and the amendments of the law that send items back to review.

Readers of the bank: administrators, auditors, coordinators, trainers (``scoping.can_read_bank``); everybody else
gets 403 on the bank pages and 404 on an item. Authors (all readers but auditors) create and edit drafts and send
them to review; administrators approve, retire, send back to review and record amendments.
"""

from __future__ import annotations

import html
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saylau.core.errors import DomainError, NotFound

from .. import bank, formats
from ..documents import ITEM_TYPES, LANGUAGES
from ..forms_bank import (
    STRUCTURED_TYPES,
    AmendmentForm,
    BankFilterForm,
    ImportConfirmForm,
    ImportUploadForm,
    ItemEditor,
    StatusForm,
    clean_html,
    filter_items,
    import_ticket,
    ticket_fits_in_a_form,
)
from ..models import Amendment, Item, ItemStatus, ItemType, ItemVersion, LegalAct, Topic
from ..scoping import access_item_by_id, can_author_items, can_read_bank, can_review_items, items_visible_to

PAGE_SIZE = 50
PREVIEW_ITEMS = 20
EXPORT_FORMATS = {"moodle-xml": ("xml", "application/xml"), "gift": ("gift", "text/plain")}


def _require_reader(user) -> None:
    if not can_read_bank(user):
        raise PermissionDenied


def _require_author(user) -> None:
    _require_reader(user)
    if not can_author_items(user):
        raise PermissionDenied


def _item_or_404(user, item_id: int) -> Item:
    try:
        return access_item_by_id(user, item_id)
    except NotFound as error:
        raise Http404(error.message) from None


# --- The list -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def item_list(request):
    _require_reader(request.user)
    form = BankFilterForm(request.GET or None)
    filters = form.filters()
    flagged = _flagged_only(request)
    visible = _flagged_filter(items_visible_to(request.user), flagged)
    items = filter_items(visible, filters).select_related("topic", "current", "analysis").order_by("-pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    status_counts = dict(filter_items(visible, filters, without=("status",)).values_list("status")
                         .annotate(n=Count("pk")).values_list("status", "n"))
    topic_counts = dict(filter_items(visible, filters, without=("topic",)).values_list("topic__code")
                        .annotate(n=Count("pk")).values_list("topic__code", "n"))
    topics = [(topic, topic_counts.get(topic.code, 0)) for topic in Topic.objects.all()]
    approved = filter_items(visible, {**filters, "status": ItemStatus.APPROVED})
    return render(request, "assessment/bank/list.html", {
        "form": form, "page": page, "filters": filters,
        "statuses": [(value, label, status_counts.get(value, 0)) for value, label in ItemStatus.choices],
        "topics": topics, "no_topic": topic_counts.get(None, 0),
        "exportable": approved.exclude(type=ItemType.SCENARIO).count(),
        "scenarios_not_exported": approved.filter(type=ItemType.SCENARIO).count(),
        "can_author": can_author_items(request.user), "can_review": can_review_items(request.user),
        "flagged": flagged,
    })


def _flagged_only(request) -> bool:
    """``?flagged=1``: only the items the item statistics flag (``psychometrics.ItemAnalysis.flagged``)."""
    return request.GET.get("flagged") == "1"


def _flagged_filter(qs, flagged: bool):
    return qs.filter(analysis__flagged=True) if flagged else qs


@login_required
@require_GET
def export(request):
    """The approved items of the list's filters as a Moodle XML or GIFT file (scenarios cannot be written)."""
    _require_reader(request.user)
    file_format = request.GET.get("format", "moodle-xml")
    if file_format not in EXPORT_FORMATS:
        raise Http404(_("Unknown export format."))
    filters = {**BankFilterForm(request.GET).filters(), "status": ItemStatus.APPROVED}
    items = list(filter_items(_flagged_filter(items_visible_to(request.user), _flagged_only(request)), filters)
                 .select_related("current", "topic")
                 .order_by("topic__sort_order", "pk"))
    try:
        data = bank.items_export(items, format=file_format, language=filters.get("language"))
    except formats.FormatError as error:
        messages.error(request, bank.parse_error(error).message)
        return redirect(f"{reverse('assessment:bank')}?{request.GET.urlencode()}")
    extension, content_type = EXPORT_FORMATS[file_format]
    response = HttpResponse(data, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="items.{extension}"'
    return response


# --- One item -------------------------------------------------------------------------------------------------


def _html(texts) -> dict:
    """Texts of a document per language as HTML, sanitised here once more before they are marked safe."""
    texts = texts if isinstance(texts, dict) else {}
    return {language: mark_safe(clean_html(texts.get(language) or "")) for language in LANGUAGES}  # noqa: S308


def _percent(fraction) -> str:
    value = round(float(fraction or 0) * 100, 2)
    return f"{value:g}"


def _options(options) -> list[dict]:
    return [{"id": option.get("id"), "percent": _percent(option.get("fraction")), "right": option.get("fraction", 0) >= 1,
             "text": _html(option.get("text")), "feedback": _html(option.get("feedback")),
             "has_feedback": bool(option.get("feedback"))} for option in options or []]


def rendered(document: dict) -> dict:
    """What the item page shows of a document, every text sanitised and split by language."""
    essay = document.get("essay") or {}
    return {
        "text": _html(document.get("text")),
        "general_feedback": _html(document.get("general_feedback")),
        "has_general_feedback": bool(document.get("general_feedback")),
        "options": _options(document.get("options")),
        "steps": [{"id": step.get("id"), "text": _html(step.get("text")), "options": _options(step.get("options"))}
                  for step in document.get("steps") or []],
        "pairs": [{"id": pair.get("id"), "premise": _html(pair.get("premise")), "response": _html(pair.get("response")),
                   "distractor": not pair.get("premise")} for pair in document.get("pairs") or []],
        "answers": [{"text": answer.get("text", ""), "percent": _percent(answer.get("fraction")),
                     "feedback": _html(answer.get("feedback"))} for answer in document.get("answers") or []],
        "case_sensitive": document.get("case_sensitive", False),
        "numbers": [{"value": number.get("value"), "tolerance": number.get("tolerance"),
                     "percent": _percent(number.get("fraction")), "feedback": _html(number.get("feedback"))}
                    for number in document.get("numbers") or []],
        "essay": {"response_format": essay.get("response_format"), "min_words": essay.get("min_words"),
                  "grader_info": _html(essay.get("grader_info"))} if essay else None,
    }


def _references(document: dict) -> list[dict]:
    titles = {act.code: act.title for act in LegalAct.objects.all()}
    return [{"act": titles.get(reference["act"], reference["act"]), "article": reference.get("article"),
             "paragraph": reference.get("paragraph")} for reference in document.get("references") or []]


def _workflow(user, item: Item) -> list[dict]:
    """The status changes the user may make, as the buttons of the item page."""
    author, reviewer = can_author_items(user), can_review_items(user)
    status = item.status
    actions = []
    if status == ItemStatus.DRAFT and (author or reviewer):
        actions.append({"status": ItemStatus.REVIEW, "label": _("Send to review")})
    if status == ItemStatus.REVIEW and (author or reviewer):
        actions.append({"status": ItemStatus.DRAFT, "label": _("Back to draft")})
    if reviewer and status in (ItemStatus.DRAFT, ItemStatus.REVIEW):
        actions.append({"status": ItemStatus.APPROVED, "label": _("Approve")})
    if reviewer and status == ItemStatus.APPROVED:
        actions.append({"status": ItemStatus.REVIEW, "label": _("Send back to review"), "reason": True,
                        "needs_reason": True})
    if reviewer and status != ItemStatus.RETIRED:
        actions.append({"status": ItemStatus.RETIRED, "label": _("Retire"), "reason": True})
    if reviewer and status == ItemStatus.RETIRED:
        actions.append({"status": ItemStatus.DRAFT, "label": _("Back to draft")})
    for number, action in enumerate(actions):
        action["form"] = StatusForm(initial={"status": action["status"], "needs_reason": action.get("needs_reason")},
                                    prefix=f"action{number}")
        action["form"].fields["reason"].label = (
            _("Why it goes back to review") if action.get("needs_reason") else _("Why it is retired (optional)"))
    return actions


@login_required
@require_GET
def item_detail(request, item_id: int):
    item = _item_or_404(request.user, item_id)
    versions = list(ItemVersion.objects.filter(item=item).select_related("created_by").order_by("-number"))
    shown = item.current
    if request.GET.get("version", "").isdigit():
        shown = next((version for version in versions if version.number == int(request.GET["version"])), None)
        if shown is None:
            raise Http404(_("No such version."))
    document = shown.document
    return render(request, "assessment/bank/item.html", {
        "item": item, "version": shown, "document": document, "show": rendered(document),
        "references": _references(document), "versions": versions,
        "type_label": ItemType(item.type).label if item.type in ItemType.values else item.type,
        "actions": _workflow(request.user, item), "can_edit": can_author_items(request.user),
        "languages": [("kk", _("Kazakh")), ("ru", _("Russian"))],
    })


@login_required
@require_POST
def item_status(request, item_id: int):
    item = _item_or_404(request.user, item_id)
    prefix = next((key.split("-", 1)[0] for key in request.POST if key.startswith("action") and "-" in key), None)
    form = StatusForm(request.POST, prefix=prefix)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("assessment:bank_item", item.pk)
    try:
        item = bank.item_set_status(by=request.user, item=item, status=form.cleaned_data["status"],
                                    reason=form.cleaned_data["reason"])
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item is now “%(status)s”.") % {"status": ItemStatus(item.status).label})
    return redirect("assessment:bank_item", item.pk)


# --- The editor -----------------------------------------------------------------------------------------------


def _save_editor(request, editor: ItemEditor, item: Item | None):
    """Saves the editor's document; the response (a redirect) or None when the page shows errors."""
    if not editor.is_valid():
        return None
    document = editor.document()
    try:
        if item is None:
            saved = bank.item_create(by=request.user, document=document)
        else:
            before = (item.current.number, item.status)
            saved = bank.item_update(by=request.user, item=item, document=document)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        editor.add_error(error)
        return None
    if item is None:
        messages.success(request, _("The item is created as a draft. Send it to review when it is ready."))
    else:
        number = saved.current.number
        if number != before[0]:
            text = _("A new version (%(number)s) was created: earlier versions stay as they were for the attempts "
                     "that showed them.") % {"number": number}
            if before[1] == ItemStatus.APPROVED:
                text += " " + _("The item went back to draft and must be approved again.")
            messages.success(request, text)
        elif number == before[0] and saved.current.document == item.current.document:
            messages.info(request, _("Nothing was changed."))
        else:
            messages.success(request, _("The item is saved."))
    return redirect("assessment:bank_item", saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    _require_author(request.user)
    kind = request.GET.get("type", "")
    if kind not in ITEM_TYPES:
        return render(request, "assessment/bank/choose_type.html", {
            "structured": [(value, label) for value, label in ItemType.choices if value in STRUCTURED_TYPES],
            "other": [(value, label) for value, label in ItemType.choices if value not in STRUCTURED_TYPES],
        })
    editor = ItemEditor(kind, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and (response := _save_editor(request, editor, None)):
        return response
    return render(request, "assessment/bank/edit.html", {"editor": editor, "kind": kind,
                                                          "type_label": ItemType(kind).label})


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, item_id: int):
    item = _item_or_404(request.user, item_id)
    _require_author(request.user)
    editor = ItemEditor(item.type, document=item.current.document,
                        data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and (response := _save_editor(request, editor, item)):
        return response
    return render(request, "assessment/bank/edit.html", {
        "editor": editor, "kind": item.type, "item": item, "type_label": ItemType(item.type).label,
        "frozen_warning": item.status == ItemStatus.APPROVED})


# --- Import ---------------------------------------------------------------------------------------------------


def _plain(texts: dict, language: str) -> str:
    text = (texts or {}).get(language) or next(iter((texts or {}).values()), "")
    return " ".join(html.unescape(strip_tags(text)).split())


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: the file is read and previewed; nothing is written. The preview carries the file to step 2."""
    _require_author(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        language, topic, status = (form.cleaned_data[name] for name in ("language", "topic", "status"))
        try:
            parsed = bank.parse_bank(data, language=language)
        except DomainError as error:
            return render(request, "assessment/bank/import_preview.html", {
                "error": error, "filename": upload.name}, status=422)
        hidden = import_ticket(user=request.user, data=data, language=language, topic=topic, status=status,
                               filename=upload.name)
        if not ticket_fits_in_a_form(hidden):
            form.add_error("file", _("This file is too large to confirm in the browser. Split it, or import it "
                                     "with the import_questions command."))
            return render(request, "assessment/bank/import.html", {"form": form})
        types = dict(ItemType.choices)
        counts = Counter(document["type"] for document in parsed.items)
        return render(request, "assessment/bank/import_preview.html", {
            "parsed": parsed, "filename": upload.name, "language": language, "status": status,
            "topic": Topic.objects.filter(code=topic).first() if topic else None,
            "counts": [(types.get(kind, kind), count) for kind, count in sorted(counts.items())],
            "total": len(parsed.items),
            "preview": [{"position": position, "name": document.get("name") or "—",
                         "type": types.get(document["type"], document["type"]),
                         "text": _plain(document.get("text"), language)}
                        for position, document in zip(parsed.positions[:PREVIEW_ITEMS], parsed.items[:PREVIEW_ITEMS],
                                                      strict=False)],
            "warnings": getattr(parsed, "warnings", []),
            "confirm": ImportConfirmForm(initial=hidden, user=request.user),
        })
    return render(request, "assessment/bank/import.html", {"form": form})


@login_required
@require_POST
def import_confirm(request):
    """Step 2: import the previewed file, all or nothing."""
    _require_author(request.user)
    form = ImportConfirmForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("The preview has expired: upload the file again.")]:
            messages.error(request, error)
        return redirect("assessment:bank_import")
    data = form.cleaned_data
    topic = Topic.objects.filter(code=data["topic"]).first() if data["topic"] else None
    try:
        result = bank.items_import(by=request.user, data=data["content"], language=data["language"], topic=topic,
                                   status=data["status"])
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        return render(request, "assessment/bank/import_preview.html", {
            "error": error, "filename": data["filename"]}, status=422)
    types = dict(ItemType.choices)
    total = len(result.item_ids)
    counts = ", ".join(f"{types.get(kind, kind)}: {count}" for kind, count in sorted(result.imported.items()))
    summary = ngettext("%(count)s item imported", "%(count)s items imported", total) % {"count": total}
    summary += f" ({counts})." if counts else "."
    if result.unsupported:
        summary += " " + ngettext("%(count)s question of an unsupported type was skipped.",
                                  "%(count)s questions of unsupported types were skipped.",
                                  len(result.unsupported)) % {"count": len(result.unsupported)}
    messages.success(request, format_html('{} <a href="{}?status={}">{}</a>', summary, reverse("assessment:bank"),
                                          data["status"], _("See them in the bank")))
    return redirect("assessment:bank_import")


# --- Amendments -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def amendments(request):
    _require_reader(request.user)
    reviewer = can_review_items(request.user)
    if request.method == "POST" and not reviewer:
        raise PermissionDenied
    form = AmendmentForm(request.POST or None) if reviewer else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = bank.amendment_record(by=request.user, act=data["act"], article=data["article"],
                                              paragraph=data["paragraph"], amended_on=data["amended_on"],
                                              note=data["note"])
        except DomainError as error:
            form.add_error(error.params.get("field") if error.params.get("field") in form.fields else None,
                           error.message)
        else:
            messages.success(request, ngettext("%(count)s item sent back to review.",
                                               "%(count)s items sent back to review.",
                                               amendment.items_flagged) % {"count": amendment.items_flagged})
            return redirect("assessment:bank_amendments")
    page = Paginator(Amendment.objects.select_related("act", "recorded_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/bank/amendments.html", {"form": form, "page": page,
                                                                "can_author": can_author_items(request.user)})


urlpatterns = [
    path("", item_list, name="bank"),
    path("export/", export, name="bank_export"),
    path("items/new/", item_new, name="bank_item_new"),
    path("items/<int:item_id>/", item_detail, name="bank_item"),
    path("items/<int:item_id>/edit/", item_edit, name="bank_item_edit"),
    path("items/<int:item_id>/status/", item_status, name="bank_item_status"),
    path("import/", import_upload, name="bank_import"),
    path("import/confirm/", import_confirm, name="bank_import_confirm"),
    path("amendments/", amendments, name="bank_amendments"),
]

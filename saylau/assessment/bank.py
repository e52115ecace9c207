"""Writes to the item bank: items and their versions, review workflow, amendments of the law, imports.

Versioning rule: a version is frozen once the item was approved with it or an attempt showed it; editing a
frozen version makes a new one (and an approved item goes back to draft, to be approved again). Editing a
draft that nobody has seen changes it in place.
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from saylau.core.audit import audit, audit_entry
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry

from . import formats
from .documents import InvalidDocument, languages_of, validate_document
from .formats.html import sanitize
from .models import Amendment, AttemptItem, Item, ItemReference, ItemStatus, ItemVersion, LegalAct, Topic
from .scoping import can_author_items, can_review_items

# Which status changes the review workflow allows (retired items can be brought back as drafts).
TRANSITIONS = {
    ItemStatus.DRAFT: {ItemStatus.REVIEW, ItemStatus.APPROVED, ItemStatus.RETIRED},
    ItemStatus.REVIEW: {ItemStatus.DRAFT, ItemStatus.APPROVED, ItemStatus.RETIRED},
    ItemStatus.APPROVED: {ItemStatus.REVIEW, ItemStatus.RETIRED},
    ItemStatus.RETIRED: {ItemStatus.DRAFT},
}


def invalid_document_error(error: InvalidDocument, *, prefix: str = "") -> DomainError:
    where = f"{prefix}{error.field}" if error.field else prefix.rstrip(": ") or "document"
    return DomainError(f"invalid_item.{error.code}",
                       _("The item is not valid at “%(field)s”: %(problem)s.") % {
                           "field": where, "problem": DOCUMENT_PROBLEMS.get(error.code, error.code)},
                       field=where)


DOCUMENT_PROBLEMS = {
    "wrong_shape": _("unexpected structure"),
    "unknown_type": _("unknown item type"),
    "required": _("this is required"),
    "not_a_text": _("expected text"),
    "unknown_language": _("only Kazakh (kk) and Russian (ru) are accepted"),
    "not_a_number": _("expected a number"),
    "out_of_range": _("the value is out of range"),
    "two_options_needed": _("at least two options are needed"),
    "two_pairs_needed": _("at least two pairs are needed"),
    "duplicate_id": _("identifiers must be unique"),
    "no_right_option": _("no option gives full credit"),
    "unknown_act": _("unknown legal act"),
    "unknown_topic": _("unknown topic"),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("forbidden", _("You are not allowed to change the item bank."))


def _sanitised(document: dict) -> dict:
    """Every text of the document through the HTML sanitiser: pages render item texts as HTML, whoever wrote them
    (editor, import, API)."""
    def texts(value):
        return {language: sanitize(text) for language, text in value.items()} if isinstance(value, dict) else value

    def walk(node):
        if isinstance(node, list):
            return [walk(entry) for entry in node]
        if not isinstance(node, dict):
            return node
        return {key: texts(value) if key in TEXT_FIELDS else walk(value) for key, value in node.items()}

    return walk(document)


TEXT_FIELDS = {"text", "general_feedback", "feedback", "premise", "response", "grader_info"}


def _clean(document: dict) -> tuple[dict, Topic | None]:
    try:
        clean = _sanitised(validate_document(document))
    except InvalidDocument as error:
        raise invalid_document_error(error) from None
    topic = None
    if clean["topic"]:
        topic = Topic.objects.filter(code=clean["topic"]).first()
        if topic is None:
            raise invalid_document_error(InvalidDocument("unknown_topic", "topic"))
    if not languages_of(clean):
        raise invalid_document_error(InvalidDocument("required", "text"))
    return clean, topic


def _copy_to_item(item: Item, version: ItemVersion, topic: Topic | None) -> None:
    document = version.document
    languages = languages_of(document)
    item.current = version
    text = document["text"].get("ru", document["text"].get("kk", ""))
    item.name = document["name"] or " ".join(html.unescape(strip_tags(text)).split())[:80]
    item.topic = topic
    item.difficulty = document["difficulty"]
    item.points = document["points"]
    item.has_kk, item.has_ru = "kk" in languages, "ru" in languages


def _write_references(version: ItemVersion) -> None:
    version.references.all().delete()
    acts = dict(LegalAct.objects.values_list("code", "pk"))
    ItemReference.objects.bulk_create([
        ItemReference(version=version, act_id=acts[reference["act"]], article=reference["article"],
                      paragraph=reference["paragraph"])
        for reference in version.document["references"]
    ])


def _new_item(*, by, document: dict, status: str) -> Item:
    clean, topic = _clean(document)
    item = Item.objects.create(type=clean["type"], status=status, created_by=by if by and by.pk else None)
    version = ItemVersion.objects.create(item=item, number=1, document=clean, created_by=item.created_by)
    _write_references(version)
    _copy_to_item(item, version, topic)
    item.save()
    return item


@transaction.atomic
def item_create(*, by, document: dict, status: str = ItemStatus.DRAFT) -> Item:
    """A new item with version 1. Authors create drafts; only reviewers may create approved items."""
    _require(can_author_items(by))
    if status not in (ItemStatus.DRAFT, ItemStatus.REVIEW):
        _require(can_review_items(by))
    item = _new_item(by=by, document=document, status=status)
    audit(actor=by, action="assessment.item.created", obj=item, changes={"type": item.type, "status": item.status})
    return item


def _is_frozen(item: Item) -> bool:
    version = item.current
    return item.status == ItemStatus.APPROVED or AttemptItem.objects.filter(version=version).exists() or (
        ItemVersion.objects.filter(item=item, number__gt=version.number).exists())


@transaction.atomic
def item_update(*, by, item: Item, document: dict) -> Item:
    """New content for an item: a new version when the current one is frozen (see the module docstring)."""
    _require(can_author_items(by))
    item = Item.objects.select_for_update(of=("self",)).select_related("current").get(pk=item.pk)
    clean, topic = _clean(document)
    if clean["type"] != item.type:
        raise DomainError("type_changed", _("An item's type cannot change; create a new item instead."))
    if clean == item.current.document:
        return item
    was = {"version": item.current.number, "status": item.status}
    if _is_frozen(item):
        version = ItemVersion.objects.create(item=item, number=item.current.number + 1, document=clean,
                                             created_by=by if by and by.pk else None)
        if item.status == ItemStatus.APPROVED:
            item.status = ItemStatus.DRAFT
    else:
        version = item.current
        version.document = clean
        version.save(update_fields=["document"])
    _write_references(version)
    _copy_to_item(item, version, topic)
    item.save()
    audit(actor=by, action="assessment.item.updated", obj=item,
          changes={"version": [was["version"], version.number], "status": [was["status"], item.status]})
    return item


@transaction.atomic
def item_set_status(*, by, item: Item, status: str, reason: str = "") -> Item:
    """Move an item through draft → in review → approved → retired. Authors send drafts to review; reviewers
    approve, retire, and send back to review (with a reason shown on the item)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    if status not in TRANSITIONS.get(item.status, set()):
        raise Conflict("status_transition", _("An item cannot go from “%(old)s” to “%(new)s”.") % {
            "old": ItemStatus(item.status).label, "new": ItemStatus(status).label if status in ItemStatus.values
            else status})
    author_moves = {(ItemStatus.DRAFT, ItemStatus.REVIEW), (ItemStatus.REVIEW, ItemStatus.DRAFT)}
    _require(can_review_items(by) or ((item.status, status) in author_moves and can_author_items(by)))
    old = item.status
    item.status = status
    item.review_reason = reason.strip()[:500] if status == ItemStatus.REVIEW else ""
    item.save(update_fields=["status", "review_reason", "updated_at"])
    audit(actor=by, action="assessment.item.status", obj=item, changes={"status": [old, status], "reason": reason})
    return item


@transaction.atomic
def amendment_record(*, by, act: LegalAct, article: str, paragraph: str = "", amended_on: datetime.date,
                     note: str = "") -> Amendment:
    """Mark an article (or one of its paragraphs) as amended: every live item whose current version cites it
    goes to review, with the amendment as the reason. Returns the amendment with the number of items flagged."""
    _require(can_review_items(by))
    article, paragraph = article.strip(), paragraph.strip()
    if not article:
        raise DomainError("required", _("Name the article that was amended."), field="article")
    cites = ItemReference.objects.filter(act=act, article=article)
    if paragraph:
        # A reference to the whole article (no paragraph) cites every paragraph of it.
        cites = cites.filter(Q(paragraph=paragraph) | Q(paragraph=""))
    items = list(Item.objects.select_for_update().filter(
        current__in=cites.values("version_id"),
        status__in=[ItemStatus.DRAFT, ItemStatus.REVIEW, ItemStatus.APPROVED]))
    where = f"{act.code}, art. {article}" + (f", para. {paragraph}" if paragraph else "")
    reason = str(_("Amended on %(date)s: %(where)s. Check the item against the new text.") % {
        "date": amended_on.isoformat(), "where": where})
    entries = []
    for item in items:
        entries.append(audit_entry(actor=by, action="assessment.item.flagged", obj=item,
                                   changes={"status": [item.status, ItemStatus.REVIEW], "reason": reason}))
        item.status, item.review_reason = ItemStatus.REVIEW, reason[:500]
    Item.objects.bulk_update(items, ["status", "review_reason"])
    AuditEntry.objects.bulk_create(entries)
    amendment = Amendment.objects.create(act=act, article=article, paragraph=paragraph, amended_on=amended_on,
                                         note=note, items_flagged=len(items), recorded_by=by if by.pk else None)
    audit(actor=by, action="assessment.amendment.recorded", obj=amendment,
          changes={"act": act.code, "article": article, "paragraph": paragraph, "items_flagged": len(items)})
    return amendment


# --- Import ---------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    format: str
    imported: dict[str, int] = field(default_factory=dict)
    item_ids: list[int] = field(default_factory=list)
    unsupported: list[dict] = field(default_factory=list)


def parse_error(error: formats.FormatError) -> DomainError:
    if error.line:
        message = _("The file could not be read at line %(line)s: %(problem)s") % {
            "line": error.line, "problem": error.message}
    elif error.element:
        message = _("The file could not be read at element %(element)s: %(problem)s") % {
            "element": error.element, "problem": error.message}
    else:
        message = _("The file could not be read: %(problem)s") % {"problem": error.message}
    return DomainError("unreadable_file", message, line=error.line, element=error.element)


def parse_bank(data: bytes, *, language: str) -> formats.ParseResult:
    try:
        return formats.parse(data, language=language)
    except formats.FormatError as error:
        raise parse_error(error) from None


@transaction.atomic
def items_import(*, by, data: bytes, language: str = "ru", topic: Topic | None = None,
                 status: str = ItemStatus.DRAFT) -> ImportResult:
    """Every supported question of a Moodle XML or GIFT file as a new item, or nothing (one bad question rolls
    the whole file back, and the error names its position). Unsupported types are listed, not imported.
    Categories become topics when a category's name or code matches one; otherwise ``topic`` (if given)."""
    _require(can_author_items(by))
    if status not in (ItemStatus.DRAFT, ItemStatus.REVIEW):
        _require(can_review_items(by))
    parsed = parse_bank(data, language=language)
    topics = _topics_by_name()
    result = ImportResult(format=parsed.format, unsupported=parsed.unsupported)
    for position, document in zip(parsed.positions, parsed.items, strict=True):
        document = dict(document)
        document["topic"] = _topic_for(document.get("category") or [], topics) or (topic.code if topic else None)
        try:
            item = _new_item(by=by, document=document, status=status)
        except DomainError as error:
            raise DomainError(error.code, _("Question %(position)s (%(name)s): %(problem)s") % {
                "position": position, "name": document.get("name") or "—", "problem": error.message},
                position=position) from None
        result.imported[item.type] = result.imported.get(item.type, 0) + 1
        result.item_ids.append(item.pk)
    AuditEntry.objects.create(
        actor=by if by.pk else None, action="assessment.items.imported", object_type="assessment.item",
        object_id="", object_repr=f"{parsed.format}: {len(result.item_ids)}",
        changes={"imported": result.imported, "unsupported": len(result.unsupported), "status": status})
    return result


def _topics_by_name() -> dict[str, str]:
    names = {}
    for topic in Topic.objects.all():
        for value in (topic.code, topic.name_kk, topic.name_ru, topic.name_en):
            names[value.strip().casefold()] = topic.code
    return names


def _topic_for(category: list[str], topics: dict[str, str]) -> str | None:
    """The deepest category in the path that names a topic (by code or name in any language)."""
    for part in reversed(category):
        code = topics.get(part.strip().casefold())
        if code:
            return code
    return None


def items_export(items, *, format: str, language: str | None = None) -> bytes:
    """The current versions of ``items`` in Moodle XML or GIFT (scenarios have no equivalent there: see
    ``formats.unexportable``)."""
    documents = []
    for item in items:
        document = dict(item.current.document)
        if item.topic_id:
            document["category"] = [item.topic.code]
        documents.append(document)
    return formats.export(documents, format=format, language=language)

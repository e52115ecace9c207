"""Stored item statistics over the API (computed by the worker; these endpoints never compute)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router

from saylau.assessment.models import Item
from saylau.assessment.scoping import access_exam_by_id, can_read_bank
from saylau.core.errors import NotFound

from .models import ItemAnalysis, TestAnalysis

router = Router(tags=["statistics"])


@router.get("/tests/{int:exam_id}/statistics")
def test_statistics(request, exam_id: int):
    """A test's item analysis as last computed: Moodle's test and item figures, IRT parameters, distractors and
    flags; 404 until the worker has computed it (after the test closes)."""
    exam = access_exam_by_id(request.auth, exam_id, manage=True)
    stored = TestAnalysis.objects.filter(exam=exam).first()
    if stored is None:
        raise NotFound("not_computed", _("The statistics of this test have not been computed yet."))
    return {"test_id": exam.pk, "computed_at": stored.computed_at, "attempts": stored.attempts, "irt": stored.irt,
            "test": stored.test, "items": stored.items}


@router.get("/items/{int:item_id}/statistics")
def item_statistics(request, item_id: int):
    """An item's figures over every attempt that showed it, its distractors and flags."""
    if not can_read_bank(request.auth) or not Item.objects.filter(pk=item_id).exists():
        raise NotFound("not_found", _("Item not found."))
    stored = ItemAnalysis.objects.filter(item_id=item_id).first()
    if stored is None:
        raise NotFound("not_computed", _("The statistics of this item have not been computed yet."))
    return {"item_id": item_id, "computed_at": stored.computed_at, "attempts": stored.attempts,
            "tests": stored.tests, "figures": stored.figures, "distractors": stored.distractors,
            "flags": stored.flags}

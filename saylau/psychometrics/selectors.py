"""Reads behind the statistics pages that are more than a look-up of stored figures: entry vs final by topic,
and the bank's health (pools per blueprint row, exposure, flags, items citing amended articles). Scoped by the
caller: every function takes the items or tests the user may see."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone

from saylau.assessment.exams import drawable_items
from saylau.assessment.models import (
    Amendment,
    Attempt,
    AttemptItem,
    Exam,
    Item,
    ItemReference,
    ItemStatus,
    Mode,
    Purpose,
    RoomState,
)
from saylau.assessment.scoping import exams_visible_to

from .flags import LABELS
from .models import ItemAnalysis

OVEREXPOSED_SHARE = 30.0  # % of distance-test attempts
MOST_EXPOSED = 20


def topic_percents(attempt_ids: list[int]) -> dict[tuple[int, int | None], float]:
    """(attempt, topic) → % of the topic's marks won in that attempt (marked answers only)."""
    sums = (AttemptItem.objects.filter(attempt_id__in=attempt_ids, fraction__isnull=False).order_by()
            .values("attempt_id", "topic_id").annotate(points=Sum("points"), maximum=Sum("max_points")))
    return {(row["attempt_id"], row["topic_id"]): 100 * float(row["points"] or 0) / float(row["maximum"])
            for row in sums if row["maximum"]}


def pool_counter():
    """How many approved, drawable items a blueprint row finds, per language, from one grouped query."""
    groups = list(drawable_items().order_by().values("topic__code", "difficulty", "has_kk", "has_ru")
                  .annotate(n=Count("pk")))

    def pool(topic: str, low: int, high: int, language: str | None = None) -> int:
        return sum(group["n"] for group in groups
                   if group["topic__code"] == topic and (language is None or group[f"has_{language}"])
                   and ((low, high) == (1, 5) or (group["difficulty"] is not None and low <= group["difficulty"] <= high)))

    return pool


def band(row: dict) -> tuple[int, int]:
    return int(row.get("difficulty_min") or 1), int(row.get("difficulty_max") or 5)


def blueprint_shortages(user, pool, topic_names: dict[str, str]) -> list[dict]:
    """Rows of the blueprints of tests still to be taken that ask for more items than the bank holds approved in
    Kazakh or in Russian."""
    now = timezone.now()
    upcoming = (Q(mode=Mode.ROOM) & ~Q(room_state=RoomState.CLOSED)) | (
        Q(mode=Mode.DISTANCE) & (Q(closes_at__isnull=True) | Q(closes_at__gt=now)))
    rows = []
    for exam in exams_visible_to(user).filter(upcoming).order_by("pk"):
        for row in exam.blueprint or []:
            low, high = band(row)
            available = {language: pool(row["topic"], low, high, language) for language in ("kk", "ru")}
            short = [language for language, count in available.items() if count < int(row["count"])]
            if short:
                rows.append({"exam": exam, "topic": topic_names.get(row["topic"], row["topic"]), "low": low,
                             "high": high, "count": row["count"], "kk": available["kk"], "ru": available["ru"],
                             "short_kk": "kk" in short, "short_ru": "ru" in short})
    return rows


def exposure(items, pool) -> dict:
    """How often each item was shown, in all tests and in distance tests; the over-exposed ones."""
    counts = {row["item_id"]: row for row in AttemptItem.objects.order_by().values("item_id").annotate(
        shown=Count("pk"), distance=Count("pk", filter=Q(attempt__exam__purpose=Purpose.DISTANCE)))}
    distance_attempts = Attempt.objects.filter(exam__purpose=Purpose.DISTANCE).count()
    # (topic, band) of distance-test blueprint rows that draw from a pool larger than they ask for.
    larger_pool = set()
    for blueprint in Exam.objects.filter(purpose=Purpose.DISTANCE).values_list("blueprint", flat=True):
        for row in blueprint or []:
            low, high = band(row)
            if pool(row["topic"], low, high) > int(row["count"]):
                larger_pool.add((row["topic"], low, high))

    def drawn_from_larger_pool(item: Item) -> bool:
        code = item.topic.code if item.topic_id else None
        return any(topic == code and ((low, high) == (1, 5) or (item.difficulty is not None
                                                                and low <= item.difficulty <= high))
                   for topic, low, high in larger_pool)

    def share(item_id: int) -> float | None:
        if not distance_attempts:
            return None
        return 100 * counts.get(item_id, {}).get("distance", 0) / distance_attempts

    candidates = {item_id for item_id, row in counts.items() if (share(item_id) or 0) > OVEREXPOSED_SHARE}
    top = sorted(counts, key=lambda item_id: (-counts[item_id]["shown"], item_id))[:MOST_EXPOSED]
    found = items.filter(pk__in=set(top) | candidates).select_related("topic").in_bulk()
    overexposed = sorted((item_id for item_id in candidates if item_id in found
                          and drawn_from_larger_pool(found[item_id])), key=lambda item_id: -(share(item_id) or 0))

    def entry(item_id: int) -> dict:
        return {"item": found[item_id], "shown": counts[item_id]["shown"], "distance": counts[item_id]["distance"],
                "share": share(item_id), "over": item_id in overexposed}

    return {"distance_attempts": distance_attempts, "threshold": OVEREXPOSED_SHARE,
            "top": [entry(item_id) for item_id in top if item_id in found],
            "overexposed": [entry(item_id) for item_id in overexposed],
            "shown_items": len(counts)}


def flag_counts(items) -> dict:
    analyses = ItemAnalysis.objects.filter(flagged=True, item__in=items).values_list("flags", flat=True)
    per_code, total = Counter(), 0
    for flags in analyses:
        total += 1
        per_code.update({flag["code"] for flag in flags})
    return {"total": total, "codes": [{"label": LABELS.get(code, code), "count": count}
                                      for code, count in per_code.most_common()]}


def amended_items(items) -> list[dict]:
    """Live items whose current version cites an article recorded as amended."""
    amendments = list(Amendment.objects.select_related("act"))
    if not amendments:
        return []
    live = items.exclude(status=ItemStatus.RETIRED)
    references = ItemReference.objects.filter(version_id__in=live.values("current_id"),
                                              act_id__in={a.act_id for a in amendments},
                                              article__in={a.article for a in amendments})
    cited = defaultdict(list)
    for version_id, act_id, article, paragraph in references.values_list("version_id", "act_id", "article", "paragraph"):
        for amendment in amendments:
            if (amendment.act_id, amendment.article) == (act_id, article) and (
                    not amendment.paragraph or paragraph in ("", amendment.paragraph)) and (
                    amendment not in cited[version_id]):
                cited[version_id].append(amendment)
    found = live.filter(current_id__in=cited).select_related("topic").order_by("pk")
    rows = [{"item": item, "amendments": cited[item.current_id]} for item in found]
    return sorted(rows, key=lambda row: (row["item"].status != ItemStatus.REVIEW, row["item"].pk))

"""Reads of results: an attempt's breakdown by topic, a test's group results (distribution, top performers,
weakest topics), an event's entry vs final comparison with the normalised gain, and the trainer's live view."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from .attempts import version_documents
from .models import Attempt, AttemptItem, AttemptStatus, Exam, Topic


@dataclass
class TopicResult:
    code: str
    name: str
    score: float
    max_score: float

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0


@dataclass
class AttemptResult:
    score: float
    max_score: float
    percent: float
    passed: bool | None
    awaiting_grading: bool
    topics: list[TopicResult]
    weakest: list[TopicResult]
    references: list[dict]  # legal provisions behind the items answered wrongly, to reread


def _topic_names(topic_ids=None) -> dict[int, tuple[str, str]]:
    topics = Topic.objects.all() if topic_ids is None else Topic.objects.filter(pk__in=topic_ids)
    return {topic.pk: (topic.code, topic.name) for topic in topics}


def attempt_result(attempt: Attempt, rows: list | None = None) -> AttemptResult:
    """Score, percent, pass/fail, the per-topic breakdown (weakest first among those below full marks) and the
    legal references of the items not fully right. ``rows``: the attempt's items in position order when the
    caller has them (``attempts.ScoredItem``, as a submit scored them); read otherwise."""
    if rows is None:
        rows = list(AttemptItem.objects.filter(attempt=attempt).order_by("position").values_list(
            "topic_id", "version_id", "points", "max_points", "fraction", named=True))
    names = _topic_names({row.topic_id for row in rows})
    by_topic: dict[int | None, list[float]] = defaultdict(lambda: [0.0, 0.0])
    references, seen = [], set()
    documents = version_documents([row.version_id for row in rows])
    for row in rows:
        totals = by_topic[row.topic_id]
        totals[0] += float(row.points or 0)
        totals[1] += float(row.max_points)
        if row.fraction is not None and row.fraction < 1:
            for reference in documents[row.version_id].get("references", []):
                key = (reference["act"], reference["article"], reference["paragraph"])
                if key not in seen:
                    seen.add(key)
                    references.append(reference)
    topics = [TopicResult(code=names.get(topic_id, ("", ""))[0], name=names.get(topic_id, ("", "—"))[1],
                          score=round(score, 4), max_score=maximum)
              for topic_id, (score, maximum) in by_topic.items() if maximum]
    topics.sort(key=lambda topic: topic.name)
    weakest = sorted((topic for topic in topics if topic.percent < 100), key=lambda topic: (topic.percent, topic.name))
    return AttemptResult(score=float(attempt.score or 0), max_score=float(attempt.max_score or 0),
                         percent=float(attempt.percent or 0), passed=attempt.passed,
                         awaiting_grading=attempt.awaiting_grading, topics=topics, weakest=weakest[:3],
                         references=sorted(references, key=lambda r: (r["act"], _natural(r["article"]),
                                                                      _natural(r["paragraph"]))))


def _natural(text: str) -> tuple:
    return (int(text), "") if text.isdigit() else (10**9, text)


def final_attempts(exam: Exam):
    """Each examinee's best submitted attempt (the one a result table shows)."""
    best = {}
    for attempt in (Attempt.objects.filter(exam=exam, status=AttemptStatus.SUBMITTED).select_related("person")
                    .order_by("person_id", "-percent", "number")):
        best.setdefault(attempt.person_id, attempt)
    return list(best.values())


@dataclass
class Ranked:
    rank: int
    attempt: Attempt


def top_performers(attempts: list[Attempt], n: int = 3) -> list[Ranked]:
    """The top ``n`` by percent with ties sharing a rank (1, 2, 2, 4…); everyone tied at the n-th place is in."""
    ordered = sorted(attempts, key=lambda a: (-(a.percent or 0), a.submitted_at or timezone.now(), a.pk))
    ranked, rank = [], 0
    for index, attempt in enumerate(ordered):
        if index == 0 or attempt.percent != ordered[index - 1].percent:
            rank = index + 1
        if rank > n:
            break
        ranked.append(Ranked(rank=rank, attempt=attempt))
    return ranked


def distribution(percents: list[float], *, width: int = 10) -> list[dict]:
    """Counts per band of ``width`` percent: 0–9, 10–19, …, 90–100."""
    bands = [{"low": low, "high": min(low + width, 100), "count": 0} for low in range(0, 100, width)]
    for percent in percents:
        bands[min(int(percent // width), len(bands) - 1)]["count"] += 1
    return bands


def group_topics(attempts: list[Attempt]) -> list[TopicResult]:
    """The group's result per topic, weakest first."""
    names = _topic_names()
    rows = (AttemptItem.objects.filter(attempt__in=[a.pk for a in attempts], fraction__isnull=False)
            .values("topic_id").annotate(score=Sum("points"), max_score=Sum("max_points")))
    topics = [TopicResult(code=names.get(row["topic_id"], ("", ""))[0], name=names.get(row["topic_id"], ("", "—"))[1],
                          score=float(row["score"] or 0), max_score=float(row["max_score"] or 0)) for row in rows]
    return sorted((topic for topic in topics if topic.max_score), key=lambda topic: (topic.percent, topic.name))


@dataclass
class ExamResults:
    attempts: list[Attempt]
    count: int
    passed: int
    mean_percent: float | None
    median_percent: float | None
    distribution: list[dict]
    top: list[Ranked]
    weakest_topics: list[TopicResult]
    awaiting_grading: int


def exam_results(exam: Exam, *, top_n: int = 3) -> ExamResults:
    attempts = sorted(final_attempts(exam), key=lambda a: (a.person.surname, a.person.first_name, a.pk))
    percents = sorted(float(a.percent or 0) for a in attempts)
    median = None
    if percents:
        middle = len(percents) // 2
        median = percents[middle] if len(percents) % 2 else (percents[middle - 1] + percents[middle]) / 2
    return ExamResults(
        attempts=attempts, count=len(attempts), passed=sum(1 for a in attempts if a.passed),
        mean_percent=round(sum(percents) / len(percents), 1) if percents else None, median_percent=median,
        distribution=distribution(percents), top=top_performers(attempts, top_n),
        weakest_topics=group_topics(attempts), awaiting_grading=sum(1 for a in attempts if a.awaiting_grading),
    )


def normalised_gain(pre: float, post: float) -> float | None:
    """Hake's normalised gain (post − pre) / (100 − pre): the share of what was left to learn that was learnt.
    Undefined (None) for someone who scored 100 % before."""
    if pre >= 100:
        return None
    return round((post - pre) / (100 - pre), 3)


@dataclass
class GainRow:
    person: object
    pre: float | None
    post: float | None
    gain: float | None


@dataclass
class PrePost:
    pre_exam: Exam
    post_exam: Exam
    rows: list[GainRow] = field(default_factory=list)
    pre_mean: float | None = None
    post_mean: float | None = None
    average_gain: float | None = None     # of the group: from the means (Hake's <g>)
    matched: int = 0                       # people with both tests


def pre_post(post_exam: Exam) -> PrePost | None:
    """Entry vs final per participant and on average. Averages and the group's gain use the people who took
    both tests, so that someone who missed one does not move the comparison."""
    pre_exam = post_exam.pre_test
    if pre_exam is None:
        return None
    pre = {a.person_id: a for a in final_attempts(pre_exam)}
    post = {a.person_id: a for a in final_attempts(post_exam)}
    people = {**{pid: a.person for pid, a in pre.items()}, **{pid: a.person for pid, a in post.items()}}
    result = PrePost(pre_exam=pre_exam, post_exam=post_exam)
    for person_id, person in sorted(people.items(), key=lambda kv: (kv[1].surname, kv[1].first_name, kv[0])):
        before = float(pre[person_id].percent) if person_id in pre else None
        after = float(post[person_id].percent) if person_id in post else None
        gain = normalised_gain(before, after) if before is not None and after is not None else None
        result.rows.append(GainRow(person=person, pre=before, post=after, gain=gain))
    both = [row for row in result.rows if row.pre is not None and row.post is not None]
    result.matched = len(both)
    if both:
        result.pre_mean = round(sum(row.pre for row in both) / len(both), 1)
        result.post_mean = round(sum(row.post for row in both) / len(both), 1)
        result.average_gain = normalised_gain(result.pre_mean, result.post_mean)
    return result


@dataclass
class RoomView:
    joined: int
    answering: int
    submitted: int
    rows: list[dict]


def room_view(exam: Exam, *, active_within: datetime.timedelta = datetime.timedelta(minutes=2)) -> RoomView:
    """Who joined, who is answering (saved an answer recently), who submitted, with answered counts."""
    since = timezone.now() - active_within
    attempts = (Attempt.objects.filter(exam=exam).select_related("person")
                .annotate(answered=Count("items", filter=Q(items__response__isnull=False)),
                          total=Count("items"), last_saved=Max("items__saved_at"))
                .order_by("person__surname", "person__first_name", "number"))
    rows = []
    for attempt in attempts:
        if attempt.status == AttemptStatus.SUBMITTED:
            state = "submitted"
        elif attempt.last_saved and attempt.last_saved >= since:
            state = "answering"
        else:
            state = "joined"
        rows.append({"attempt": attempt, "person": attempt.person, "state": state, "answered": attempt.answered,
                     "total": attempt.total, "percent": attempt.percent})
    return RoomView(joined=len(rows), answering=sum(1 for r in rows if r["state"] == "answering"),
                    submitted=sum(1 for r in rows if r["state"] == "submitted"), rows=rows)

"""Fictional, deterministic assessment demo: the item bank (demo_bank/*.json, original items in kk and ru), the
entry and final tests of the November 2025 national seminar with finished attempts, a distance test for the
precinct commission members of Almaty Region, and an in-room test the demo trainer can open.

Answers are simulated with a seeded generator: each participant has an ability; the chance of a right answer
grows with it, falls with the item's difficulty and rises after the seminar, so the final test shows a gain.
"""

from __future__ import annotations

import datetime
import json
import math
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from saylau.accounts.models import Role, User
from saylau.commissions.models import Commission, Membership
from saylau.training.models import EnrolmentStatus, Event

from . import attempts, bank, exams
from .models import Attempt, AttemptItem, Exam, Item, ItemStatus, RoomState

BANK_DIR = Path(__file__).resolve().parent / "demo_bank"
SEMINAR_DAY = datetime.date(2025, 11, 5)
# Two items per topic per form: 30 items, as Russia's precinct commission members take.
SEMINAR_TOPICS = ("legal-framework", "commission-work", "voter-lists", "nomination", "campaigning",
                  "campaign-finance", "polling-station", "observers", "voting", "counting", "complaints",
                  "emergencies", "referendum", "data-protection", "public-communication")


def bank_documents() -> list[dict]:
    documents = []
    for path in sorted(BANK_DIR.glob("*.json")):
        documents.extend(json.loads(path.read_text(encoding="utf-8")))
    return documents


class AssessmentDemo:
    def __init__(self, seed: int = 2025):
        self.rng = random.Random(seed)
        self.seed = seed

    @transaction.atomic
    def build(self) -> dict:
        if Item.objects.exists():
            return {"items": 0}
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        for document in bank_documents():
            bank.item_create(by=admin, document=document, status=ItemStatus.APPROVED)
        counts = {"items": Item.objects.count()}
        cec = Commission.objects.get(level="cec")
        seminar = Event.objects.filter(starts_on=SEMINAR_DAY, organiser=cec).first()
        if seminar is not None:
            counts["seminar_attempts"] = self._seminar(admin, cec, seminar)
        counts["distance_attempts"] = self._distance(admin)
        self._room_test_for_trainer()
        return counts

    # --- Simulated examinees ---------------------------------------------------------------------------------

    def _right_chance(self, ability: float, difficulty: int | None, boost: float) -> float:
        return 1 / (1 + math.exp(-(ability + boost - 0.45 * ((difficulty or 3) - 3))))

    def _answer(self, document: dict, p: float) -> dict | None:
        rng, kind = self.rng, document["type"]
        right = rng.random() < p
        if kind in ("single_choice", "true_false"):
            options = document["options"]
            best = max(options, key=lambda o: o["fraction"])
            wrong = [o for o in options if o is not best] or [best]
            return {"choices": [best["id"] if right else rng.choice(wrong)["id"]]}
        if kind == "multiple_choice":
            good = [o["id"] for o in document["options"] if o["fraction"] > 0]
            bad = [o["id"] for o in document["options"] if o["fraction"] <= 0]
            if right:
                return {"choices": good}
            return {"choices": good[:1] + bad[:1] if bad else good[:1]}
        if kind == "short_answer":
            return {"text": document["answers"][0]["text"] if right else "—"}
        if kind == "numerical":
            value = document["numbers"][0]["value"]
            return {"number": value if right else value + 1}
        if kind == "matching":
            premises = [pair["id"] for pair in document["pairs"] if pair["premise"]]
            if right:
                return {"pairs": {pid: pid for pid in premises}}
            shuffled = premises[1:] + premises[:1]
            return {"pairs": dict(zip(premises, shuffled, strict=True))}
        if kind == "scenario":
            choices = []
            for step in document["steps"]:
                best = max(step["options"], key=lambda o: o["fraction"])
                other = [o for o in step["options"] if o is not best]
                choices.append(best["id"] if rng.random() < p or not other else rng.choice(other)["id"])
            return {"choices": choices}
        if kind == "essay":
            return {"text": "Комиссия действует в соответствии с Конституционным законом «О выборах»."}
        return None

    def simulate_attempt(self, exam: Exam, person, *, ability: float, boost: float, started: datetime.datetime,
                         minutes: int, language: str) -> Attempt:
        attempt = attempts.attempt_start(by=None, exam=exam, person=person, language=language)
        rows = AttemptItem.objects.filter(attempt=attempt).select_related("version")
        for row in rows:
            response = self._answer(row.version.document, self._right_chance(ability, row.version.document.get(
                "difficulty"), boost))
            if response is not None and self.rng.random() < 0.97:  # a few items left unanswered
                attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=row.item_id,
                                     response=response)
        attempt = attempts.attempt_submit(attempt=attempt, by=None)
        finished = started + datetime.timedelta(minutes=minutes)
        deadline = started + datetime.timedelta(minutes=exam.time_limit_minutes) if exam.time_limit_minutes else None
        Attempt.objects.filter(pk=attempt.pk).update(started_at=started, submitted_at=finished,
                                                     last_activity_at=finished, deadline=deadline)
        AttemptItem.objects.filter(attempt=attempt, response__isnull=False).update(saved_at=finished)
        return attempt

    def _seminar(self, admin, cec, seminar: Event) -> int:
        blueprint = [{"topic": topic, "count": 2} for topic in SEMINAR_TOPICS]
        pre, post = exams.exam_pair_create(
            by=admin, event=seminar, commission=cec, blueprint=blueprint, seed=self.seed, mode="room",
            title_kk="Аумақтық сайлау комиссиялары төрағаларының республикалық семинары",
            title_ru="Республиканский семинар председателей территориальных избирательных комиссий",
            time_limit_minutes=40, pass_mark_percent=70)
        people = [e.person for e in seminar.enrolments.filter(status=EnrolmentStatus.ENROLLED)
                  .select_related("person").order_by("person_id")]
        taken = 0
        for exam, day, hour, boost in ((pre, 0, 9, 0.0), (post, 1, 16, 1.1)):
            Exam.objects.filter(pk=exam.pk).update(room_state=RoomState.OPEN)
            exam.refresh_from_db()
            for person in people:
                ability = random.Random(f"{self.seed}-{person.pk}").gauss(0.2, 0.9)
                started = timezone.make_aware(datetime.datetime.combine(
                    SEMINAR_DAY + datetime.timedelta(days=day), datetime.time(hour, 5)))
                self.simulate_attempt(exam, person, ability=ability, boost=boost, started=started,
                           minutes=self.rng.randint(18, 38), language="kk" if person.pk % 3 else "ru")
                taken += 1
            Exam.objects.filter(pk=exam.pk).update(room_state=RoomState.CLOSED)
        return taken

    def _distance(self, admin) -> int:
        now = timezone.now()
        regional = Commission.objects.get(code="TEC-19")
        exam = exams.exam_create(
            by=admin, commission=regional, title_kk="Учаскелік сайлау комиссиялары мүшелерін қашықтықтан тестілеу",
            title_ru="Дистанционное тестирование членов участковых избирательных комиссий",
            purpose="distance", mode="distance", eligibility="filter",
            eligible_filter={"region": "KZ-19", "level": ["precinct"]},
            blueprint=[{"topic": topic, "count": 2} for topic in SEMINAR_TOPICS],
            time_limit_minutes=45, pass_mark_percent=80, feedback_policy="after_close",
            opens_at=now - datetime.timedelta(days=7), closes_at=now + datetime.timedelta(days=21))
        demo_person = User.objects.filter(username="participant").values_list("person_id", flat=True).first()
        members = list(exams.filter_memberships(exam.eligible_filter).exclude(person_id=demo_person)
                       .order_by("person_id").values_list("person", flat=True)[:80])
        people = {m.person_id: m.person for m in Membership.objects.filter(person_id__in=members)
                  .select_related("person")}
        for index, person_id in enumerate(members):
            ability = random.Random(f"{self.seed}-{person_id}").gauss(0.0, 1.0)
            started = now - datetime.timedelta(days=6) + datetime.timedelta(hours=index * 1.5)
            self.simulate_attempt(exam, people[person_id], ability=ability, boost=0.3, started=started,
                       minutes=self.rng.randint(20, 44), language="kk" if index % 2 else "ru")
        return len(members)

    def _room_test_for_trainer(self) -> None:
        trainer = User.objects.filter(username="trainer").first()
        if trainer is None:
            return
        event = Event.objects.filter(region__iso_code="KZ-19").order_by("-starts_on").first()
        exams.exam_create(
            by=trainer, commission=Commission.objects.get(code="TEC-19"), event=event, mode="room",
            purpose="practice", eligibility="filter", eligible_filter={"region": "KZ-19"},
            title_kk="Дауыс беру күні: жағдаяттық тапсырмалар", title_ru="День голосования: ситуационные задачи",
            items=list(Item.objects.filter(type="scenario", status=ItemStatus.APPROVED).order_by("pk")[:8]),
            time_limit_minutes=20, pass_mark_percent=60)

"""Demo distance learning: the library's original articles (``demo_content/``, kk and ru), the course "Precinct
election commission: from preparation to counting" built from them and from the demo item bank (a quiz per module
and a final test), and a cohort of precinct commission members with realistic, deterministic progress.

The demo participant account is enrolled but has not started, so that anyone can walk through the course."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from saylau.accounts.models import Role, User
from saylau.assessment.demo import AssessmentDemo
from saylau.assessment.models import LegalAct, Topic
from saylau.commissions.models import Commission, Membership
from saylau.training.models import Audience

from . import services
from .markup import title_and_body
from .models import Course, CourseEnrolment, Lesson, LessonKind, LessonProgress, MaterialKind, MaterialVersion

CONTENT = Path(__file__).parent / "demo_content"
# Written before the 2026 referendum; three were revised after it ("what changed since the last campaign").
WRITTEN_ON = datetime.datetime(2025, 9, 1, 10, 0, tzinfo=datetime.UTC)
REVISED = {"m2-voter-list-corrections", "m4-observers-and-order", "m5-protocol-and-transfer"}
ENROLLED_DAYS_AGO = 20
DEADLINE_IN_DAYS = 25
# The first cohort: the precinct commissions of three regions (the demo coordinator's among them).
COHORT_REGIONS = ("KZ-19", "KZ-43", "KZ-61")
COHORT_SIZE = 120
# Share of learners: not started, in progress (some lessons), completed (everything, final test passed).
SHARES = (0.25, 0.45, 0.30)


class CoursesDemo:
    def __init__(self, seed: int = 2025):
        self.rng = random.Random(seed)
        self.seed = seed

    def build(self) -> dict:
        if Course.objects.exists():
            return {"course": None}
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        cec = Commission.objects.filter(code="CEC").first()
        if admin is None or cec is None or not Topic.objects.filter(items__status="approved").exists():
            return {"course": None}
        course, materials = self.build_course(admin, cec)
        cohort = self._cohort(admin, course)
        learners = self._progress(course)
        return {"course": course, "materials": len(materials), "learners": cohort.size, **learners}

    @transaction.atomic
    def build_course(self, admin, cec) -> tuple[Course, dict]:
        """The library's articles and the published course, without learners (needs the approved demo bank)."""
        spec = json.loads((CONTENT / "course.json").read_text(encoding="utf-8"))
        materials = self._library(admin, spec)
        return self._course(admin, cec, spec, materials), materials

    # --- Library ---------------------------------------------------------------------------------------------

    def _library(self, admin, spec: dict) -> dict:
        acts = {act.code: act for act in LegalAct.objects.all()}
        topics = {topic.code: topic for topic in Topic.objects.all()}
        precinct = list(Audience.objects.filter(code__in=["precinct_members", "trainers"]))
        materials = {}
        for module in spec["modules"]:
            for lesson in module["lessons"]:
                slug = lesson["article"]
                bodies = {lang: (CONTENT / "articles" / f"{slug}.{lang}.md").read_text(encoding="utf-8")
                          for lang in ("kk", "ru")}
                titles = {lang: title_and_body(text)[0] for lang, text in bodies.items()}
                material = services.material_create(
                    by=admin, kind=MaterialKind.ARTICLE, title_kk=titles["kk"], title_ru=titles["ru"],
                    description_kk=lesson["description"]["kk"], description_ru=lesson["description"]["ru"],
                    has_kk=True, has_ru=True, topic=topics.get(lesson["topic"]), audiences=precinct,
                    references=[(acts[ref["act"]], ref["article"]) for ref in lesson["acts"] if ref["act"] in acts],
                    version={"body_kk": bodies["kk"], "body_ru": bodies["ru"],
                             "change_note": "Бірінші басылым / Первое издание"})
                MaterialVersion.objects.filter(material=material).update(created_at=WRITTEN_ON)
                type(material).objects.filter(pk=material.pk).update(created_at=WRITTEN_ON)
                if slug in REVISED:
                    services.material_new_version(by=admin, material=material, version={
                        "body_kk": bodies["kk"] + "\n\n> 2026 жылғы референдумнан кейінгі түзетулер ескерілді.",
                        "body_ru": bodies["ru"] + "\n\n> Учтены изменения после референдума 2026 года.",
                        "change_note": "Учтены изменения после референдума 2026 года"})
                materials[slug] = material
        return materials

    # --- The course ------------------------------------------------------------------------------------------

    def _course(self, admin, cec, spec: dict, materials: dict) -> Course:
        minutes = sum(lesson["minutes"] for module in spec["modules"] for lesson in module["lessons"])
        course = services.course_create(
            by=admin, title_kk=spec["title"]["kk"], title_ru=spec["title"]["ru"],
            description_kk=spec["description"]["kk"], description_ru=spec["description"]["ru"], commission=cec,
            estimated_hours=Decimal(round((minutes + 6 * 20) / 60, 1)).quantize(Decimal("0.1")), sequential=True,
            open_enrolment=True, audiences=Audience.objects.filter(code="precinct_members"))
        for number, module_spec in enumerate(spec["modules"], start=1):
            module = services.module_add(by=admin, course=course, title_kk=module_spec["title"]["kk"],
                                         title_ru=module_spec["title"]["ru"])
            for lesson in module_spec["lessons"]:
                services.lesson_add(by=admin, module=module, kind=LessonKind.MATERIAL,
                                    material=materials[lesson["article"]], minutes=lesson["minutes"])
            quiz = services.course_test_create(
                by=admin, course=course, title_kk=f"{number}-модуль бойынша тест",
                title_ru=f"Тест по модулю {number}", blueprint=[{"topic": module_spec["topic"], "count": 5}],
                pass_mark_percent=60, attempts_allowed=3)
            services.lesson_add(by=admin, module=module, kind=LessonKind.TEST, exam=quiz, minutes=10)
        final_module = services.module_add(by=admin, course=course, title_kk="Қорытынды тест",
                                           title_ru="Итоговый тест")
        final = services.course_test_create(
            by=admin, course=course, title_kk="Учаскелік комиссия мүшесіне арналған қорытынды тест",
            title_ru="Итоговый тест для члена участковой комиссии", final=True, pass_mark_percent=70,
            attempts_allowed=2, time_limit_minutes=30,
            blueprint=[{"topic": module["topic"], "count": 2} for module in spec["modules"]])
        services.lesson_add(by=admin, module=final_module, kind=LessonKind.TEST, exam=final, is_final=True,
                            minutes=30)
        services.course_set_status(by=admin, course=course, status="published")
        return course

    def _cohort(self, admin, course: Course):
        memberships = Membership.objects.current().filter(commission__level="precinct",
                                                          commission__region__iso_code__in=COHORT_REGIONS)
        # The first precinct commissions of those regions, up to COHORT_SIZE people (the national demo has
        # thousands; each simulated learner takes real tests), always with the demo participant.
        person_ids = list(dict.fromkeys(memberships.order_by("commission__code", "person_id")
                                        .values_list("person_id", flat=True)))[:COHORT_SIZE]
        participant = User.objects.filter(username="participant").values_list("person_id", flat=True).first()
        if participant and participant not in person_ids:
            person_ids.append(participant)
        cohort = services.cohort_enrol(
            by=admin, course=course, name="Учаскелік комиссиялар мүшелері / Члены участковых комиссий",
            memberships=memberships.filter(person_id__in=person_ids),
            deadline=timezone.localdate() + datetime.timedelta(days=DEADLINE_IN_DAYS),
            registry_filter={"level": ["precinct"], "region": list(COHORT_REGIONS)})
        enrolled = timezone.now() - datetime.timedelta(days=ENROLLED_DAYS_AGO)
        CourseEnrolment.objects.filter(course=course).update(enrolled_at=enrolled)
        return cohort

    # --- Progress ---------------------------------------------------------------------------------------------

    def _progress(self, course: Course) -> dict:
        lessons = services.ordered_lessons(course)
        participant = User.objects.filter(username="participant").values_list("person_id", flat=True).first()
        enrolments = list(CourseEnrolment.objects.filter(course=course).exclude(person_id=participant)
                          .select_related("person").order_by("person_id"))
        examinee = AssessmentDemo(seed=self.seed)
        counts = {"not_started": 0, "in_progress": 0, "completed": 0}
        now = timezone.now()
        for enrolment in enrolments:
            draw = self.rng.random()
            if draw < SHARES[0]:
                counts["not_started"] += 1
                services.refresh(enrolment=enrolment)  # behind the pace from the backdated enrolment
                continue
            completing = draw >= SHARES[0] + SHARES[1]
            reach = len(lessons) if completing else self.rng.randint(1, len(lessons) - 2)
            ability = self.rng.gauss(1.2 if completing else 0.3, 0.5)
            day = enrolment.enrolled_at + datetime.timedelta(hours=self.rng.randint(2, 48))
            for lesson in lessons[:reach]:
                day = min(day + datetime.timedelta(hours=self.rng.randint(3, 40)), now - datetime.timedelta(hours=1))
                if lesson.kind == LessonKind.MATERIAL:
                    spent = int(lesson.minutes * 60 * self.rng.uniform(0.6, 1.4))
                    LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, started_at=day,
                                                  last_seen_at=day, completed_at=day, time_spent_seconds=spent)
                else:
                    self._test(examinee, enrolment, lesson, ability=ability, day=day, completing=completing)
            CourseEnrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lessons[reach - 1],
                                                                   last_activity_at=day)
            refreshed = services.refresh(enrolment=enrolment)
            counts["completed" if refreshed.completed_at else "in_progress"] += 1
        return counts

    def _test(self, examinee, enrolment, lesson: Lesson, *, ability: float, day, completing: bool) -> None:
        language = enrolment.person.language if enrolment.person.language in ("kk", "ru") else "kk"
        for _try in range(lesson.exam.attempts_allowed):
            attempt = examinee.simulate_attempt(lesson.exam, enrolment.person, ability=ability,
                                                boost=1.5 if completing else 0.0, started=day,
                                                minutes=self.rng.randint(6, 25), language=language)
            # Also what the submission's signal does after commit; the demo may run inside a transaction.
            services.record_test_result(attempt=attempt)
            if attempt.passed or not (lesson.is_final and completing):
                return
            ability += 1.0  # studied again before the second try

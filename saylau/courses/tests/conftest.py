"""Distance-learning fixtures on the shared world: a small library, a published sequential course (an article and a
quiz, then an article and the final test) drawn from a bank of approved items, and helpers to take its tests."""

from __future__ import annotations

import pytest

from saylau.assessment import attempts
from saylau.assessment.models import AttemptItem
from saylau.assessment.tests.factories import bank_of
from saylau.courses import services
from saylau.courses.models import LessonKind, MaterialKind

ARTICLE_KK = "# Сайлаушылар тізімі\n\nСайлаушылар тізімін жергілікті атқарушы орган жасайды. Сайлаушылардың құқықтары."
ARTICLE_RU = "# Списки избирателей\n\nСписки избирателей составляет местный исполнительный орган."


def article(by, *, title_kk="Сайлаушылар тізімі", title_ru="Списки избирателей", body_kk=ARTICLE_KK,
            body_ru=ARTICLE_RU, **fields):
    return services.material_create(by=by, kind=MaterialKind.ARTICLE, title_kk=title_kk, title_ru=title_ru,
                                    has_kk=True, has_ru=True,
                                    version={"body_kk": body_kk, "body_ru": body_ru}, **fields)


def take(exam, person, *, right: bool = True, language: str = "ru"):
    """Start, answer (the bank's choice items: "a" is right) and submit an attempt."""
    attempt = attempts.attempt_start(by=None, exam=exam, person=person, language=language)
    for row in AttemptItem.objects.filter(attempt=attempt):
        attempts.answer_save(person_id=person.pk, attempt_id=attempt.pk, item_id=row.item_id,
                             response={"choices": ["a" if right else "b"]})
    return attempts.attempt_submit(attempt=attempt, by=None)


@pytest.fixture
def course(world):
    bank_of(world.admin, 4, topic="voter-lists")
    admin = world.admin
    course = services.course_create(by=admin, title_kk="Учаскелік комиссия", title_ru="Участковая комиссия",
                                    commission=world.cec, sequential=True, open_enrolment=True,
                                    estimated_hours=2)
    first = services.module_add(by=admin, course=course, title_kk="Тізімдер", title_ru="Списки")
    second = services.module_add(by=admin, course=course, title_kk="Қорытынды", title_ru="Итог")
    course.read = services.lesson_add(by=admin, module=first, kind=LessonKind.MATERIAL, material=article(admin))
    quiz = services.course_test_create(by=admin, course=course, title_kk="Тест 1", title_ru="Тест 1",
                                       blueprint=[{"topic": "voter-lists", "count": 2}], pass_mark_percent=50)
    course.quiz = services.lesson_add(by=admin, module=first, kind=LessonKind.TEST, exam=quiz)
    course.read2 = services.lesson_add(by=admin, module=second, kind=LessonKind.MATERIAL, material=article(
        admin, title_kk="Дауыс беру", title_ru="Голосование", body_kk="# Дауыс беру\n\nДауыс беру күні.",
        body_ru="# Голосование\n\nДень голосования."))
    final = services.course_test_create(by=admin, course=course, title_kk="Қорытынды тест", title_ru="Итоговый",
                                        blueprint=[{"topic": "voter-lists", "count": 2}], final=True,
                                        pass_mark_percent=70, attempts_allowed=2)
    course.final = services.lesson_add(by=admin, module=second, kind=LessonKind.TEST, exam=final, is_final=True)
    services.course_set_status(by=admin, course=course, status="published")
    return course


@pytest.fixture
def learner(world, course):
    services.cohort_enrol(by=world.admin, course=course, name="PEC-19-0001", people=[world.member1])
    return course.enrolments.get(person=world.member1)

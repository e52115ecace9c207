"""Item documents and approved items for the assessment tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from saylau.assessment import bank, exams
from saylau.assessment.models import Item, ItemStatus


def choice_document(n: int = 1, *, topic: str = "voter-lists", difficulty: int = 2, points: float = 1.0,
                    languages=("kk", "ru"), references=None) -> dict:
    def texts(kk: str, ru: str) -> dict:
        return {lang: {"kk": kk, "ru": ru}[lang] for lang in languages}

    return {
        "type": "single_choice", "name": f"Сұрақ {n}", "topic": topic, "difficulty": difficulty, "points": points,
        "text": texts(f"<p>Сұрақ {n}: сайлаушылар тізімін кім жасайды?</p>",
                      f"<p>Вопрос {n}: кто составляет списки избирателей?</p>"),
        "references": references if references is not None else [
            {"act": "elections", "article": "24", "paragraph": "1"}],
        "options": [
            {"id": "a", "text": texts("Әкімдік", "Акимат"), "fraction": 1.0,
             "feedback": texts("Дұрыс.", "Верно.")},
            {"id": "b", "text": texts("Сот", "Суд"), "fraction": 0.0},
            {"id": "c", "text": texts("Партия", "Партия"), "fraction": 0.0},
        ],
        "general_feedback": texts("Тізімді жергілікті атқарушы орган жасайды.",
                                  "Списки составляет местный исполнительный орган."),
    }


def scenario_document(*, topic: str = "observers") -> dict:
    def option(option_id: str, fraction: float, ru: str) -> dict:
        return {"id": option_id, "text": {"kk": ru, "ru": ru}, "fraction": fraction,
                "feedback": {"kk": "Түсініктеме", "ru": f"Комментарий к {option_id}: статья 20"}}

    return {
        "type": "scenario", "name": "Наблюдатель и список", "topic": topic, "difficulty": 3, "points": 2,
        "text": {"kk": "<p>Байқаушы тізімді суретке түсіргісі келеді.</p>",
                 "ru": "<p>В 10:00 наблюдатель требует сфотографировать список избирателей.</p>"},
        "references": [{"act": "elections", "article": "20", "paragraph": "3"}],
        "steps": [
            {"id": "s1", "text": {"kk": "Не істейсіз?", "ru": "Что вы сделаете?"},
                "options": [option("s1a", 1.0, "Разрешу ознакомиться, без съёмки"), option("s1b", 0.0, "Выгоню"),
                            option("s1c", 0.5, "Позову председателя")]},
            {"id": "s2", "text": {"kk": "Ол келіспейді.", "ru": "Он настаивает."},
                "options": [option("s2a", 1.0, "Составлю акт"), option("s2b", 0.0, "Уступлю")]},
        ],
    }


def approved_item(admin, document: dict) -> Item:
    return bank.item_create(by=admin, document=document, status=ItemStatus.APPROVED)


def bank_of(admin, count: int, **kwargs) -> list[Item]:
    return [approved_item(admin, choice_document(n, **kwargs)) for n in range(1, count + 1)]


def distance_exam(world, items, **fields):
    now = timezone.now()
    defaults = {"title_kk": "Қашықтықтан тест", "title_ru": "Дистанционный тест", "mode": "distance",
                "opens_at": now - datetime.timedelta(hours=1), "closes_at": now + datetime.timedelta(days=1),
                "eligibility": "persons", "shuffle_items": False, "shuffle_options": False}
    defaults.update(fields)
    people = defaults.pop("people", [world.member1, world.member2])
    return exams.exam_create(by=world.admin, commission=world.regional, items=items, eligible_people=people,
                             **defaults)

"""Fictional, deterministic training demo: the 2025 roadmap, the November national seminar, a trainer cascade.

Built from the registry demo (saylau.commissions.demo); speakers are fictional.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from saylau.commissions.models import Commission, Membership, Position, Region

from .models import (
    Accreditation,
    Attendance,
    Audience,
    CoverageTarget,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Event,
    EventStatus,
    EventTrainer,
    Organisation,
    Roadmap,
    RoadmapItem,
    Session,
    Speaker,
)

YEAR = 2025
# (month, kind, level, kk, ru, audience codes, funding, planned participants)
ROADMAP = [
    (1, "seminar", "republican", "Аумақтық сайлау комиссиялары төрағаларына арналған семинар",
     "Семинар для председателей территориальных избирательных комиссий", ["tec_chairs"], "republican_budget", 40),
    (2, "training", "republican", "Тренерлік корпусты оқыту", "Обучение тренерского корпуса", ["trainers"],
     "republican_budget", 150),
    (2, "webinar", "republican", "Сайлау заңнамасындағы өзгерістер бойынша вебинар",
     "Вебинар по изменениям избирательного законодательства", ["tec_members"], "none", 300),
    (3, "training", "regional", "Облыстық аумақтық сайлау комиссиялары мүшелеріне арналған тренинг",
     "Тренинг для членов областных территориальных избирательных комиссий", ["tec_members"], "local_budget", 140),
    (3, "lecture", "regional", "Жергілікті атқарушы органдардың мемлекеттік қызметшілеріне арналған дәріс",
     "Лекция для государственных служащих местных исполнительных органов", ["civil_servants"], "local_budget", 200),
    (4, "seminar", "territorial", "Учаскелік сайлау комиссиялары мүшелеріне арналған семинар",
     "Семинар для членов участковых избирательных комиссий", ["precinct_members"], "local_budget", 1500),
    (4, "round_table", "republican", "Сайлау процесіндегі БАҚ рөлі туралы дөңгелек үстел",
     "Круглый стол о роли СМИ в избирательном процессе", ["observers_media"], "partner", 60),
    (5, "seminar", "republican", "Судьяларға арналған сайлау дауларын қарау бойынша семинар",
     "Семинар для судей по рассмотрению избирательных споров", ["judges"], "partner", 50),
    (5, "training", "regional", "Құқық қорғау органдары қызметкерлеріне арналған тренинг",
     "Тренинг для сотрудников правоохранительных органов", ["law_enforcement"], "local_budget", 120),
    (6, "distance_course", "republican", "Учаскелік комиссия мүшелеріне арналған қашықтықтан оқыту курсы",
     "Дистанционный курс для членов участковых комиссий", ["precinct_members"], "none", 5000),
    (6, "testing", "republican", "Комиссия мүшелерін қашықтықтан тестілеу",
     "Дистанционное тестирование членов комиссий", ["precinct_members", "tec_members"], "none", 5000),
    (7, "seminar", "regional", "Call-орталық қызметкерлеріне арналған семинар", "Семинар для сотрудников call-центра",
     ["call_centre"], "local_budget", 80),
    (9, "lecture", "republican", "Жас және алғаш дауыс беретін сайлаушыларға арналған дәріс",
     "Лекция для молодых и впервые голосующих избирателей", ["young_voters"], "partner", 300),
    (9, "webinar", "regional", "Сайлаушылардың дербес деректерін қорғау бойынша вебинар",
     "Вебинар по защите персональных данных избирателей", ["tec_members"], "none", 200),
    (10, "training", "territorial", "Округтік сайлау комиссиялары мүшелеріне арналған тренинг",
     "Тренинг для членов окружных избирательных комиссий", ["district_members"], "local_budget", 300),
    (11, "seminar", "republican",
     "Тұрақты кәсіби негізде жұмыс істейтін қалалық және аудандық АСК төрағаларына арналған республикалық семинар",
     "Республиканский семинар для председателей городских и районных ТИК, работающих на постоянной профессиональной основе",
     ["tec_chairs"], "republican_budget", 220),
    (12, "round_table", "republican", "Жылдың электоралдық оқыту қорытындылары",
     "Итоги электорального обучения за год", ["tec_chairs", "trainers"], "none", 80),
]

# The two days of the national seminar (seed 000): (day, start, end, kk, ru, method, speaker position)
SEMINAR = [
    (0, "09:00", "09:30", "Бастапқы тестілеу", "Входное тестирование", "test", ""),
    (0, "09:30", "11:00", "Сайлау науқанын ұйымдастыру", "Организация избирательной кампании", "lecture", "ОСК мүшесі"),
    (0, "11:15", "12:45", "Байқаушылар, сенім білдірілген адамдар және БАҚ",
     "Наблюдатели, доверенные лица и СМИ", "practical_case", "ОСК хатшысы"),
    (0, "14:00", "15:30", "Қаржылық ережелер", "Финансовые правила", "lecture", "сарапшы"),
    (0, "15:45", "17:00", "Әдеттен тыс жағдайлар: практикалық кейстер",
     "Нештатные ситуации: практические кейсы", "facilitation", "тренер"),
    (0, "17:00", "18:00", "Цифрландыру және жасанды интеллект", "Цифровизация и искусственный интеллект",
     "discussion", "сарапшы"),
    (1, "09:00", "10:30", "Сайлау учаскесін дайындау", "Подготовка избирательного участка", "practical_case", "тренер"),
    (1, "10:45", "12:15", "Сайлаушылар тізімдері", "Списки избирателей", "lecture", "ОСК мүшесі"),
    (1, "13:30", "15:00", "Дауыс беру процедурасы", "Процедура голосования", "facilitation", "тренер"),
    (1, "15:15", "16:30", "Дауыстарды санау және хаттамалар", "Подсчёт голосов и протоколы", "practical_case", "сарапшы"),
    (1, "16:30", "17:00", "Қорытынды тестілеу", "Итоговое тестирование", "test", ""),
]
SPEAKERS = ["Сәрсенбаев Қ. Т.", "Ильина О. В.", "Жақыпова Г. Р.", "Нұрғалиев А. С.", "Ким Д. Э."]


def _time(text: str) -> datetime.time:
    return datetime.time(*map(int, text.split(":")))


class TrainingDemo:
    def __init__(self, seed: int = 2025):
        self.rng = random.Random(seed)
        self.code_counter = 0
        self.enrolments: list[Enrolment] = []
        self.attendance: list[Attendance] = []
        self.now = timezone.now()

    def _code(self) -> str:
        self.code_counter += 1
        return f"D{self.code_counter:05d}"

    def _session(self, event, day, start, end, kk, ru, method="lecture") -> Session:
        return Session.objects.create(event=event, day=day, starts_at=_time(start), ends_at=_time(end), title_kk=kk,
                                      title_ru=ru, method=method, check_in_code=self._code())

    def _attend(self, event: Event, sessions: list[Session], people, rate: float = 0.9) -> None:
        for person in people:
            self.enrolments.append(Enrolment(event=event, person=person, status=EnrolmentStatus.ENROLLED,
                                             source=EnrolmentSource.FILTER))
            if event.status != EventStatus.HELD:
                continue
            for session in sessions:
                if self.rng.random() < rate:
                    start = timezone.make_aware(datetime.datetime.combine(session.day, session.starts_at))
                    late = self.rng.random() < 0.08
                    self.attendance.append(Attendance(
                        session=session, person=person, method=Attendance.Method.ROSTER, late=late,
                        checked_in_at=start + datetime.timedelta(minutes=15 if late else -5)))

    @transaction.atomic
    def build(self) -> dict:
        if Roadmap.objects.filter(year=YEAR).exists():
            return {"events": 0}
        cec = Commission.objects.get(level="cec")
        audiences = {a.code: a for a in Audience.objects.all()}
        academy = Organisation.objects.get(short_name="АГУ")
        centre = Organisation.objects.get(short_name="ЭОО")
        roadmap = Roadmap.objects.create(year=YEAR, resolution_number="58/73", resolution_date=datetime.date(2024, 12, 11))
        regional = list(Commission.objects.filter(level="regional").select_related("region").order_by("code"))
        events = []
        for number, (month, kind, level, kk, ru, codes, funding, planned) in enumerate(ROADMAP, start=1):
            item = RoadmapItem.objects.create(
                roadmap=roadmap, number=number, title_kk=kk, title_ru=ru, kind=kind, level=level, planned_month=month,
                planned_quarter=(month - 1) // 3 + 1, responsible=cec, funding=funding, planned_participants=planned)
            item.audiences.set([audiences[c] for c in codes])
            item.partners.set([academy, centre] if funding != "local_budget" else [centre])
            # Regional items are held in several regions (an event each); the last item is still only planned.
            if number == len(ROADMAP):
                continue
            organisers = regional[:2] if level != "republican" else [cec]
            for index, organiser in enumerate(organisers):
                start = datetime.date(YEAR, month, 3 + 5 * index)
                status = EventStatus.HELD if start < datetime.date(YEAR, 11, 20) else EventStatus.SCHEDULED
                if number == 8 and index == 0:
                    status = EventStatus.CANCELLED
                event = Event.objects.create(
                    title_kk=kk, title_ru=ru, kind=kind, level=level, starts_on=start,
                    ends_on=start + datetime.timedelta(days=1 if kind in ("seminar", "training") else 0),
                    organiser=organiser, region=organiser.region, languages=["kk", "ru"], roadmap_item=item,
                    status=status, cancel_reason="Ауа райы / Погодные условия" if status == EventStatus.CANCELLED else "",
                    venue_address="Астана, Мәңгілік Ел даңғылы" if organiser == cec else f"{organiser.region.name_kk}",
                    capacity=planned if planned < 1000 else None,
                )
                event.audiences.set([audiences[c] for c in codes])
                event.partners.set([centre])
                events.append(event)
        seminar = self._national_seminar(cec, audiences, centre, roadmap)
        tot = self._cascade(cec, regional, audiences, centre)
        self._previous_year(cec, regional, audiences, centre)
        Enrolment.objects.bulk_create(self.enrolments, batch_size=2000, ignore_conflicts=True)
        Attendance.objects.bulk_create(self.attendance, batch_size=2000, ignore_conflicts=True)
        self._targets(audiences)
        return {"events": Event.objects.count(), "seminar": seminar.pk, "cascade_root": tot.pk}

    def _national_seminar(self, cec, audiences, centre, roadmap) -> Event:
        item = roadmap.items.get(number=16)
        event = item.events.first()
        event.starts_on, event.ends_on = datetime.date(YEAR, 11, 5), datetime.date(YEAR, 11, 6)
        event.venue_address = "Астана, Мемлекеттік басқару академиясы"
        event.venue_room = "Электоралдық оқыту орталығы, 301"
        event.status = EventStatus.HELD
        event.description_kk = "Модульдік бағдарлама: талдамалық, практикалық және фасилитациялық әдістер."
        event.description_ru = "Модульная программа: аналитические, практические и фасилитационные методы."
        event.save()
        sessions = []
        for day, start, end, kk, ru, method, position in SEMINAR:
            session = self._session(event, event.starts_on + datetime.timedelta(days=day), start, end, kk, ru, method)
            if position:
                Speaker.objects.create(session=session, name=self.rng.choice(SPEAKERS), position=position,
                                       organisation="ОСК" if "ОСК" in position else "ЭОО")
            sessions.append(session)
        chairs = [m.person for m in Membership.objects.current().filter(
            commission__level="territorial", position=Position.CHAIR).select_related("person").order_by("pk")]
        self._attend(event, sessions, chairs, rate=0.95)
        return event

    def _cascade(self, cec, regional, audiences, centre) -> Event:
        """2017-style: trainers trained nationally, who train TECs in their regions, who train precinct commissions."""
        start = datetime.date(YEAR, 2, 10)
        tot = Event.objects.create(
            title_kk="Тренерлік корпусты оқыту (каскадтық әдіс)", title_ru="Обучение тренерского корпуса (каскадный метод)",
            kind="training", level="republican", starts_on=start, ends_on=start + datetime.timedelta(days=2),
            organiser=cec, languages=["kk", "ru"], status=EventStatus.HELD, trains_trainers=True,
            venue_address="Астана", capacity=150)
        tot.audiences.set([audiences["trainers"]])
        tot.partners.set([centre])
        sessions = [self._session(tot, start + datetime.timedelta(days=d), "10:00", "17:00",
                                  f"Тренерлерді оқыту, {d + 1}-күн", f"Обучение тренеров, день {d + 1}", "facilitation")
                    for d in range(3)]
        by_region: dict[int, list] = {}
        for membership in Membership.objects.current().filter(
                commission__level__in=["territorial", "regional"]).select_related("person").order_by("pk"):
            by_region.setdefault(membership.commission.region_id, []).append(membership.person)
        # Round-robin over the regions so that the 150 places reach every region (8 each would leave the last out).
        trainers = []
        regions = sorted(by_region.items())
        for rank in range(8):
            trainers.extend((people[rank], region_id) for region_id, people in regions if rank < len(people))
        trainers = trainers[:150]
        for person, _region_id in trainers:
            self.enrolments.append(Enrolment(event=tot, person=person, status=EnrolmentStatus.ENROLLED,
                                             source=EnrolmentSource.LIST))
            for session in sessions:
                self.attendance.append(Attendance(session=session, person=person, method=Attendance.Method.ROSTER,
                                                  checked_in_at=timezone.make_aware(
                                                      datetime.datetime.combine(session.day, session.starts_at))))
        Accreditation.objects.bulk_create([
            Accreditation(person=person, event=tot, region_id=region_id, issued_on=tot.ends_on,
                          valid_until=tot.ends_on + datetime.timedelta(days=730)) for person, region_id in trainers
        ])
        trainers_by_region: dict[int, list] = {}
        for person, region_id in trainers:
            trainers_by_region.setdefault(region_id, []).append(person)
        territorial = Commission.objects.filter(level="territorial").order_by("code")
        for regional_tec in regional:
            region_trainers = trainers_by_region.get(regional_tec.region_id, [])[:2]
            day = datetime.date(YEAR, 3, 3) + datetime.timedelta(days=regional_tec.pk % 20)
            child = Event.objects.create(
                title_kk=f"{regional_tec.region.name_kk}: аумақтық комиссияларды оқыту",
                title_ru=f"{regional_tec.region.name_ru}: обучение территориальных комиссий",
                kind="seminar", level="regional", starts_on=day, ends_on=day, organiser=regional_tec,
                region=regional_tec.region, languages=["kk", "ru"], parent=tot, status=EventStatus.HELD)
            child.audiences.set([audiences["tec_members"]])
            EventTrainer.objects.bulk_create([EventTrainer(event=child, person=p) for p in region_trainers])
            child_sessions = [self._session(child, day, "10:00", "13:00", "Каскадтық семинар", "Каскадный семинар")]
            tec_people = [m.person for m in Membership.objects.current().filter(
                commission__region=regional_tec.region, commission__level="territorial").select_related("person")]
            self._attend(child, child_sessions, tec_people, rate=0.9)
            for tec in territorial.filter(region=regional_tec.region):
                precinct_day = day + datetime.timedelta(days=14)
                grandchild = Event.objects.create(
                    title_kk=f"{tec.name_kk}: учаскелік комиссияларды оқыту",
                    title_ru=f"{tec.name_ru}: обучение участковых комиссий", kind="seminar", level="precinct",
                    starts_on=precinct_day, ends_on=precinct_day, organiser=tec, region=tec.region,
                    languages=["kk", "ru"], parent=child,
                    status=EventStatus.HELD if self.rng.random() < 0.8 else EventStatus.SCHEDULED)
                grandchild.audiences.set([audiences["precinct_members"]])
                EventTrainer.objects.bulk_create([EventTrainer(event=grandchild, person=p) for p in region_trainers[:1]])
                g_sessions = [self._session(grandchild, precinct_day, "10:00", "13:00", "Учаскелік комиссиялар үшін семинар",
                                            "Семинар для участковых комиссий", "practical_case")]
                precinct_people = [m.person for m in Membership.objects.current().filter(
                    commission__parent=tec, commission__level="precinct").select_related("person")]
                self._attend(grandchild, g_sessions, precinct_people, rate=0.85)
        return tot

    def _previous_year(self, cec, regional, audiences, centre) -> None:
        """A smaller 2024 (the reports compare a year with the one before): ten roadmap items, an event each in
        a region in turn, held (one cancelled), attended by the region's territorial and precinct members."""
        year = YEAR - 1
        roadmap = Roadmap.objects.create(year=year, resolution_number="41/112",
                                         resolution_date=datetime.date(year - 1, 12, 14))
        for number, (month, kind, level, kk, ru, codes, funding, planned) in enumerate(ROADMAP[:10], start=1):
            item = RoadmapItem.objects.create(
                roadmap=roadmap, number=number, title_kk=kk, title_ru=ru, kind=kind, level=level, planned_month=month,
                planned_quarter=(month - 1) // 3 + 1, responsible=cec, funding=funding, planned_participants=planned)
            item.audiences.set([audiences[c] for c in codes])
            organiser = regional[(number * 3) % len(regional)]
            start = datetime.date(year, month, 12)
            event = Event.objects.create(
                title_kk=kk, title_ru=ru, kind=kind, level="regional", starts_on=start, ends_on=start,
                organiser=organiser, region=organiser.region, languages=["kk", "ru"], roadmap_item=item,
                status=EventStatus.CANCELLED if number == 5 else EventStatus.HELD,
                cancel_reason="Кесте өзгерді / Изменение графика" if number == 5 else "",
                venue_address=organiser.region.name_kk)
            event.audiences.set([audiences[c] for c in codes])
            event.partners.set([centre])
            sessions = [self._session(event, start, "10:00", "13:00", kk[:200], ru[:200])]
            people = [m.person for m in Membership.objects.current().filter(
                commission__region=organiser.region, commission__level__in=["territorial", "precinct"])
                .select_related("person").order_by("pk")[:40]]
            self._attend(event, sessions, people, rate=0.85)

    def _targets(self, audiences) -> None:
        for iso, audience, target in [("KZ-43", "precinct_members", 1500), ("KZ-19", "precinct_members", 900),
                                      ("KZ-19", "tec_members", 60), ("KZ-61", "precinct_members", 1200),
                                      ("KZ-75", "precinct_members", 1000)]:
            CoverageTarget.objects.get_or_create(year=YEAR, region=Region.objects.get(iso_code=iso),
                                                 audience=audiences[audience], defaults={"target": target})

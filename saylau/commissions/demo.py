"""Fictional, deterministic demo registry: the same seed always gives the same commissions and people.

Names are random combinations of common Kazakh and Russian given names and surnames; no record
describes a real person. IINs are built with valid check digits from random birth dates.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from . import iin as iin_rules
from .models import Basis, Commission, Level, Membership, Person, Position, Region

KK_MALE = ["Ерлан", "Асхат", "Нұрлан", "Дәурен", "Бауыржан", "Ержан", "Серік", "Қайрат", "Талғат", "Мұрат",
           "Арман", "Дамир", "Ақылбек", "Болат", "Ғалым", "Жандос", "Төлеген", "Әділет", "Мирас", "Нұрсұлтан"]
KK_FEMALE = ["Айгүл", "Гүлнар", "Динара", "Жанар", "Әсем", "Сәуле", "Меруерт", "Ләззат", "Айжан", "Гүлмира",
             "Ботагөз", "Назгүл", "Қарлығаш", "Толқын", "Шынар", "Әйгерім", "Ұлжан", "Дана", "Інжу", "Перизат"]
KK_SURNAME_STEMS = ["Ахмет", "Серікбай", "Жұмабек", "Омар", "Нұрлан", "Сейіт", "Тоқтар", "Әбен", "Қасым",
                    "Бекмұхамбет", "Сағынтай", "Ержан", "Құдайберген", "Есенжол", "Мұқан", "Оспан", "Тілеу",
                    "Рахым", "Байжан", "Сұлтанбек", "Жақсылық", "Әлімжан", "Үсен", "Ғабит"]
RU_MALE = ["Андрей", "Сергей", "Дмитрий", "Алексей", "Владимир", "Игорь", "Павел", "Виктор", "Николай", "Олег"]
RU_FEMALE = ["Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Марина", "Юлия", "Анна", "Галина"]
RU_SURNAME_STEMS = ["Иван", "Петр", "Смирн", "Кузнецо", "Поп", "Соколо", "Лебеде", "Козл", "Новико", "Мороз",
                    "Волк", "Зайце", "Павл", "Семён", "Голуб", "Виноград", "Богдан", "Ткаченк"]

# Named places for the small demo: (region ISO, kk place, ru commission name, en place, is city).
PLACES = [
    ("KZ-10", "Семей", "Семейская городская территориальная избирательная комиссия", "Semey", True),
    ("KZ-11", "Көкшетау", "Кокшетауская городская территориальная избирательная комиссия", "Kokshetau", True),
    ("KZ-15", "Ақтөбе", "Актюбинская городская территориальная избирательная комиссия", "Aktobe", True),
    ("KZ-19", "Қонаев", "Конаевская городская территориальная избирательная комиссия", "Konaev", True),
    ("KZ-19", "Іле", "Илийская районная территориальная избирательная комиссия", "Ile", False),
    ("KZ-19", "Талғар", "Талгарская районная территориальная избирательная комиссия", "Talgar", False),
    ("KZ-23", "Атырау", "Атырауская городская территориальная избирательная комиссия", "Atyrau", True),
    ("KZ-27", "Орал", "Уральская городская территориальная избирательная комиссия", "Oral", True),
    ("KZ-31", "Тараз", "Таразская городская территориальная избирательная комиссия", "Taraz", True),
    ("KZ-33", "Талдықорған", "Талдыкорганская городская территориальная избирательная комиссия", "Taldykorgan", True),
    ("KZ-35", "Қарағанды", "Карагандинская городская территориальная избирательная комиссия", "Karaganda", True),
    ("KZ-39", "Қостанай", "Костанайская городская территориальная избирательная комиссия", "Kostanay", True),
    ("KZ-43", "Қызылорда", "Кызылординская городская территориальная избирательная комиссия", "Kyzylorda", True),
    ("KZ-47", "Ақтау", "Актауская городская территориальная избирательная комиссия", "Aktau", True),
    ("KZ-55", "Павлодар", "Павлодарская городская территориальная избирательная комиссия", "Pavlodar", True),
    ("KZ-59", "Петропавл", "Петропавловская городская территориальная избирательная комиссия", "Petropavl", True),
    ("KZ-61", "Түркістан", "Туркестанская городская территориальная избирательная комиссия", "Turkistan", True),
    ("KZ-61", "Отырар", "Отырарская районная территориальная избирательная комиссия", "Otyrar", False),
    ("KZ-62", "Жезқазған", "Жезказганская городская территориальная избирательная комиссия", "Zhezkazgan", True),
    ("KZ-63", "Өскемен", "Усть-Каменогорская городская территориальная избирательная комиссия", "Oskemen", True),
    ("KZ-71", "Есіл", "Есильская районная территориальная избирательная комиссия", "Esil", False),
    ("KZ-75", "Алмалы", "Алмалинская районная территориальная избирательная комиссия", "Almaly", False),
    ("KZ-79", "Әл-Фараби", "Аль-Фарабийская районная территориальная избирательная комиссия", "Al-Farabi", False),
]


@dataclass(frozen=True)
class Size:
    territorial_per_region: int  # beyond the named places
    precincts_per_territorial: int
    districts_per_region: int
    precinct_members: tuple[int, int]


SIZES = {
    "small": Size(territorial_per_region=0, precincts_per_territorial=2, districts_per_region=0, precinct_members=(5, 6)),
    "national": Size(territorial_per_region=11, precincts_per_territorial=45, districts_per_region=5,
                     precinct_members=(5, 10)),
}
DEMO_MARKER_CODE = "TEC-19-01"  # the first city TEC the demo creates


class DemoBuilder:
    def __init__(self, *, size: str, seed: int = 2025):
        self.size = SIZES[size]
        self.size_name = size
        self.rng = random.Random(seed)
        self.used_iins: set[str] = set(Person.objects.values_list("iin", flat=True))
        self.commissions: list[Commission] = []
        self.people: list[Person] = []
        self.memberships: list[tuple[int, str, str, int]] = []  # (commission index, position, basis, person index)
        self.term_start = datetime.date(2021, 4, 1)

    # --- people -----------------------------------------------------------------------------
    def _iin(self, birth: datetime.date, sex: str) -> str:
        while True:
            value = iin_rules.build(birth, sex, self.rng.randint(0, 9999))
            if value and value not in self.used_iins:
                self.used_iins.add(value)
                return value

    def _person(self, region_iso: str) -> Person:
        rng = self.rng
        sex = rng.choice("mf")
        russian = rng.random() < (0.35 if region_iso in ("KZ-59", "KZ-55", "KZ-39", "KZ-35", "KZ-63", "KZ-11") else 0.15)
        if russian:
            first = rng.choice(RU_MALE if sex == "m" else RU_FEMALE)
            stem = rng.choice(RU_SURNAME_STEMS)
            surname = self._russian_surname(stem, sex)
            father = rng.choice(RU_MALE)
            patronymic = self._russian_patronymic(father, sex)
            language = "ru"
        else:
            first = rng.choice(KK_MALE if sex == "m" else KK_FEMALE)
            stem = rng.choice(KK_SURNAME_STEMS)
            surname = stem + ("ов" if stem[-1] not in "ауеыоияюэ" else "ев") + ("" if sex == "m" else "а")
            father = rng.choice(KK_MALE)
            patronymic = father + ("ұлы" if sex == "m" else "қызы")
            language = "kk" if rng.random() < 0.8 else "ru"
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 42 * 365))
        iin = self._iin(birth, sex)
        phone = f"+7 7{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        email = f"demo{len(self.people) + 1}@example.kz" if rng.random() < 0.7 else ""
        return Person(surname=surname, first_name=first, patronymic=patronymic, iin=iin, birth_date=birth,
                      sex=sex, phone=phone, email=email, language=language)

    @staticmethod
    def _russian_surname(stem: str, sex: str) -> str:
        if stem.endswith("к"):
            return stem + "о"  # Ткаченко: the same for both sexes
        base = stem + ("ов" if not stem.endswith(("о", "е")) else "в")
        return base + ("" if sex == "m" else "а")

    @staticmethod
    def _russian_patronymic(father: str, sex: str) -> str:
        if father.endswith("й"):
            stem = father[:-1] + "е"
        else:
            stem = father + "о"
        return stem + ("вич" if sex == "m" else "вна")

    def _seat(self, commission_index: int, region_iso: str, count: int, *, permanent_chair: bool) -> None:
        positions = [Position.CHAIR, Position.DEPUTY_CHAIR, Position.SECRETARY] + [Position.MEMBER] * (count - 3)
        for position in positions[:count]:
            self.people.append(self._person(region_iso))
            professional = permanent_chair and position in (Position.CHAIR, Position.SECRETARY)
            basis = Basis.PERMANENT if professional else Basis.NON_PERMANENT
            self.memberships.append((commission_index, position, basis, len(self.people) - 1))

    def _add(self, commission: Commission, region_iso: str, members: int, *, permanent_chair: bool = False) -> int:
        self.commissions.append(commission)
        index = len(self.commissions) - 1
        self._seat(index, region_iso, members, permanent_chair=permanent_chair)
        return index

    # --- commissions ------------------------------------------------------------------------
    def build(self) -> dict:
        regions = {r.iso_code: r for r in Region.objects.all()}
        regional = {c.region.iso_code: c for c in Commission.objects.filter(level=Level.REGIONAL).select_related("region")}
        cec = Commission.objects.get(level=Level.CEC)
        precinct_number = {}
        with transaction.atomic():
            # The CEC and the regional TECs exist (reference data); they get members here.
            existing = [cec, *regional.values()]
            for commission in existing:
                region_iso = commission.region.iso_code if commission.region_id else "KZ-71"
                self._seat(-1 - existing.index(commission), region_iso, 7, permanent_chair=True)
            for iso, region in sorted(regions.items()):
                places = [p for p in PLACES if p[0] == iso]
                generic = [
                    (iso, f"№{i}", None, f"No. {i}", False)
                    for i in range(len(places) + 1, self.size.territorial_per_region + 1)
                ]
                for t_index, (_iso, kk_place, ru_name, en_place, is_city) in enumerate(places + generic, start=1):
                    code = f"TEC-{iso[3:]}-{t_index:02d}"
                    if ru_name is None:
                        kk_name = f"{region.name_kk}, {kk_place} аудандық аумақтық сайлау комиссиясы"
                        ru_name = f"Районная территориальная избирательная комиссия {kk_place} ({region.name_ru})"
                        en_name = f"District Territorial Election Commission {en_place} ({region.name_en})"
                    else:
                        kind = "қалалық" if is_city else "аудандық"
                        kk_name = f"{kk_place} {kind} аумақтық сайлау комиссиясы"
                        en_name = f"{en_place} {'City' if is_city else 'District'} Territorial Election Commission"
                    territorial = Commission(
                        level=Level.TERRITORIAL, code=code, name_kk=kk_name, name_ru=ru_name, name_en=en_name,
                        region=region, address=f"{kk_place}, {self.rng.randint(1, 120)}",
                    )
                    territorial._parent_code = regional[iso].code
                    self._add(territorial, iso, 7, permanent_chair=True)
                    for _p in range(self.size.precincts_per_territorial):
                        precinct_number[iso] = precinct_number.get(iso, 0) + 1
                        number = precinct_number[iso]
                        precinct = Commission(
                            level=Level.PRECINCT, code=f"PEC-{iso[3:]}-{number:04d}", number=str(number),
                            name_kk=f"№{number} учаскелік сайлау комиссиясы",
                            name_ru=f"Участковая избирательная комиссия №{number}",
                            name_en=f"Precinct Election Commission No. {number}", region=region,
                            address=f"{kk_place}, №{self.rng.randint(1, 90)} мектеп",
                        )
                        precinct._parent_code = code
                        self._add(precinct, iso, self.rng.randint(*self.size.precinct_members))
                for d in range(1, self.size.districts_per_region + (1 if iso == "KZ-19" else 0) + 1):
                    district = Commission(
                        level=Level.DISTRICT, code=f"DEC-{iso[3:]}-{d:03d}", number=str(d),
                        name_kk=f"№{d} округтік сайлау комиссиясы", name_ru=f"Окружная избирательная комиссия №{d}",
                        name_en=f"District (Okrug) Election Commission No. {d}", region=region,
                    )
                    district._parent_code = regional[iso].code
                    self._add(district, iso, 5)
            self._save(existing)
        return {"commissions": len(self.commissions), "people": len(self.people)}

    def _save(self, existing: list[Commission]) -> None:
        by_code = {c.code: c for c in existing}
        # Parents before children: territorial and district first, then precincts.
        for level in (Level.TERRITORIAL, Level.DISTRICT, Level.PRECINCT):
            batch = [c for c in self.commissions if c.level == level]
            for commission in batch:
                commission.parent = by_code[commission._parent_code]
            Commission.objects.bulk_create(batch, batch_size=2000)
            by_code.update({c.code: c for c in batch})
        Person.objects.bulk_create(self.people, batch_size=2000)
        memberships = []
        for commission_index, position, basis, person_index in self.memberships:
            commission = self.commissions[commission_index] if commission_index >= 0 else existing[-1 - commission_index]
            memberships.append(Membership(person=self.people[person_index], commission=commission, position=position,
                                          basis=basis, term_start=self.term_start))
        Membership.objects.bulk_create(memberships, batch_size=2000)


def demo_loaded() -> bool:
    return Commission.objects.filter(code=DEMO_MARKER_CODE).exists()


def reset_registry() -> None:
    """Remove everything but the reference data (CEC, regions, regional TECs)."""
    with transaction.atomic():
        from saylau.accounts.models import User
        from saylau.assessment.models import Amendment, Attempt, AttemptItem, Exam, Item, ItemVersion
        from saylau.certificates.models import Award, Certificate
        from saylau.courses.models import Course, Material
        from saylau.training.models import Accreditation, Attendance, Enrolment, Event, EventTrainer, Roadmap, Speaker

        # Certificates protect people, events and tests; tests and the bank go next: attempts protect people,
        # tests protect events.
        Certificate.objects.all().delete()
        Award.objects.all().delete()
        # Courses cascade to their modules, lessons, cohorts, enrolments and progress; lessons protect tests.
        Course.objects.all().delete()
        Material.objects.all().delete()
        for model in (AttemptItem, Attempt):
            model.objects.all().delete()
        Exam.objects.update(pre_test=None)
        Exam.objects.all().delete()
        Item.objects.update(current=None)
        ItemVersion.objects.all().delete()
        Item.objects.all().delete()
        Amendment.objects.all().delete()
        for model in (Attendance, Enrolment, EventTrainer, Accreditation, Speaker):
            model.objects.all().delete()
        Event.objects.filter(parent__isnull=False).update(parent=None)
        Event.objects.all().delete()
        Roadmap.objects.all().delete()
        User.objects.filter(person__isnull=False).update(person=None)
        Membership.objects.all().delete()
        Person.objects.all().delete()
        for level in (Level.PRECINCT, Level.DISTRICT, Level.TERRITORIAL):
            Commission.objects.filter(level=level).delete()

"""Reads: the event list with filters, the roadmap status of an item, the cascade tree and coverage against targets."""

import datetime

import pytest

from saylau.commissions.models import Commission, Membership
from saylau.training import selectors, services
from saylau.training.models import Accreditation, Audience, CoverageTarget, EventStatus, Roadmap, RoadmapItem, Session

from .conftest import event_fields, new_person

d = datetime.date


# --- The event list -------------------------------------------------------------------------------


def test_the_event_list_filters_by_year_region_level_audience_format_and_status(world, make_event, precinct_members):
    spring = make_event(starts_on=d(2025, 4, 1), ends_on=d(2025, 4, 2), audiences=[precinct_members])
    autumn = make_event(starts_on=d(2025, 10, 1), ends_on=d(2025, 10, 1), level="regional", organiser=world.regional,
                        format="distance")
    next_year = make_event(starts_on=d(2026, 2, 1), ends_on=d(2026, 2, 1))
    national = services.event_create(by=world.admin, **event_fields(world, organiser=world.cec, level="republican",
                                                                    starts_on=d(2025, 6, 1), ends_on=d(2025, 6, 1)))
    abai = services.event_create(by=world.admin, **event_fields(world, organiser=world.abai_tec,
                                                                starts_on=d(2025, 5, 1), ends_on=d(2025, 5, 1)))
    services.event_cancel(by=world.coordinator, event=autumn, reason="x")

    def ids(**filters):
        return [e.pk for e in selectors.event_list(world.admin, **filters)]

    assert ids(year=2025) == [spring.pk, abai.pk, national.pk, autumn.pk]
    assert ids(year=2025, region="kz-19") == [spring.pk, autumn.pk]
    assert ids(level="regional") == [autumn.pk]
    assert ids(audience="precinct_members") == [spring.pk]
    assert ids(format="distance") == [autumn.pk]
    assert ids(status="cancelled") == [autumn.pk]
    assert ids(month=(2026, 2)) == [next_year.pk]


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"almaty", "national", "abai"}),
    ("auditor", {"almaty", "national", "abai"}),
    ("coordinator", {"almaty", "national"}),
    ("abai_coordinator", {"national", "abai"}),
    ("trainer", {"almaty", "national"}),
    ("participant", {"almaty"}),
])
def test_the_event_list_is_scoped_by_role(world, make_event, role, expected):
    events = {
        "almaty": make_event(),
        "national": services.event_create(by=world.admin, **event_fields(world, organiser=world.cec, level="republican")),
        "abai": services.event_create(by=world.abai_coordinator, **event_fields(world, organiser=world.abai_tec)),
    }
    services.enrol_list(by=world.coordinator, event=events["almaty"], people=[world.member1])

    visible = set(selectors.event_list(getattr(world, role)))

    assert visible == {events[name] for name in expected}


def test_a_trainer_sees_the_events_they_train_at_in_another_region(world, event, event_trainer):
    abai = services.event_create(by=world.abai_coordinator, **event_fields(world, organiser=world.abai_tec))
    services.trainer_add(by=world.abai_coordinator, event=abai, person=event_trainer.person)

    assert set(selectors.event_list(event_trainer)) == {event, abai}


def test_upcoming_events_of_a_person_leave_out_past_and_cancelled_ones(world, make_event, today):
    past = make_event(starts_on=today - datetime.timedelta(days=5), ends_on=today - datetime.timedelta(days=4))
    current = make_event()
    cancelled = make_event()
    for event in (past, current, cancelled):
        services.enrol_list(by=world.coordinator, event=event, people=[world.member1])
    services.event_cancel(by=world.coordinator, event=cancelled, reason="x")

    assert list(selectors.upcoming_for_person(world.member1)) == [current]


# --- Roadmap status -------------------------------------------------------------------------------


@pytest.fixture
def roadmap_item(world):
    roadmap = Roadmap.objects.create(year=2025, resolution_number="58/73", resolution_date=d(2024, 12, 11))
    return RoadmapItem.objects.create(roadmap=roadmap, number=1, title_kk="Семинар", title_ru="Семинар",
                                      kind="seminar", level="territorial", planned_month=4, responsible=world.tec,
                                      planned_participants=100)


@pytest.mark.parametrize(("statuses", "expected"), [
    ((), "planned"),
    (("scheduled",), "scheduled"),
    (("scheduled", "scheduled"), "scheduled"),
    (("held",), "held"),
    (("held", "held"), "held"),
    (("held", "scheduled"), "partly_held"),
    (("held", "cancelled"), "held"),
    (("scheduled", "cancelled"), "scheduled"),
    (("cancelled",), "cancelled"),
    (("cancelled", "cancelled"), "cancelled"),
])
def test_a_roadmap_items_status_comes_from_its_events(world, make_event, roadmap_item, statuses, expected):
    for status in statuses:
        event = make_event(roadmap_item=roadmap_item)
        if status == "held":
            services.event_close(by=world.coordinator, event=event)
        elif status == "cancelled":
            services.event_cancel(by=world.coordinator, event=event, reason="Қаржы жоқ")

    assert selectors.roadmap_item_status(roadmap_item) == expected


def test_the_roadmap_status_uses_prefetched_events(world, make_event, roadmap_item, django_assert_num_queries):
    make_event(roadmap_item=roadmap_item)
    item = RoadmapItem.objects.prefetch_related("events").get(pk=roadmap_item.pk)

    with django_assert_num_queries(0):
        assert selectors.roadmap_item_status(item) == "scheduled"


# --- The cascade ----------------------------------------------------------------------------------


def test_the_cascade_is_a_nested_tree(world, cascade_tree):
    tree = selectors.cascade(world.admin, cascade_tree.national).as_dict()

    assert tree["id"] == cascade_tree.national.pk
    assert tree["level"] == "republican" and tree["status"] == EventStatus.HELD
    (regional,) = tree["children"]
    assert regional["id"] == cascade_tree.regional.pk
    (territorial,) = regional["children"]
    assert territorial["id"] == cascade_tree.territorial.pk
    assert [c["id"] for c in territorial["children"]] == [cascade_tree.precinct1.pk, cascade_tree.precinct2.pk]
    assert all(c["children"] == [] for c in territorial["children"])
    assert territorial["trainers"] == ["Ахметов Ерлан"]
    assert (territorial["starts_on"], territorial["ends_on"]) == (d(2025, 3, 20), d(2025, 3, 20))
    assert set(tree) == {"id", "title_kk", "title_ru", "level", "starts_on", "ends_on", "status", "trainers",
                         "enrolled", "attended", "reached_in_subtree", "children"}


def test_the_cascade_counts_distinct_people_reached_in_each_subtree(world, cascade_tree):
    tree = selectors.cascade(world.admin, cascade_tree.national).as_dict()
    regional = tree["children"][0]
    territorial = regional["children"][0]
    precinct1, precinct2 = territorial["children"]

    # chair: national + regional; member1: territorial + precinct1; member2: precinct2.
    assert (tree["enrolled"], tree["attended"], tree["reached_in_subtree"]) == (1, 1, 3)
    assert (regional["attended"], regional["reached_in_subtree"]) == (1, 3)
    assert (territorial["attended"], territorial["reached_in_subtree"]) == (1, 2)
    assert (precinct1["enrolled"], precinct1["attended"], precinct1["reached_in_subtree"]) == (1, 1, 1)
    assert precinct2["reached_in_subtree"] == 1


def test_the_cascade_from_a_middle_node_shows_only_what_is_below(world, cascade_tree):
    tree = selectors.cascade(world.coordinator, cascade_tree.territorial).as_dict()

    assert tree["id"] == cascade_tree.territorial.pk
    assert len(tree["children"]) == 2
    assert tree["reached_in_subtree"] == 2


def test_enrolled_but_absent_people_are_not_reached(world, cascade_tree):
    services.enrol_list(by=world.coordinator, event=cascade_tree.precinct2, people=[world.chair])

    node = selectors.cascade(world.admin, cascade_tree.precinct2).as_dict()

    assert (node["enrolled"], node["attended"], node["reached_in_subtree"]) == (2, 1, 1)


def test_the_cascade_shows_only_the_events_the_user_may_see(world, cascade_tree):
    # Trainers teach in the region of their accreditation: Abai's event needs a trainer accredited for Abai.
    Accreditation.objects.create(person=world.abai_member, event=cascade_tree.national, region=world.abai,
                                 issued_on=d(2025, 2, 12), valid_until=d(2027, 2, 12))
    abai_child = cascade_tree.child(cascade_tree.national, "regional", world.abai_tec.parent, d(2025, 3, 4),
                                    "Абай облысы", trainer=world.abai_member, by=world.abai_coordinator)

    admin_tree = selectors.cascade(world.admin, cascade_tree.national).as_dict()
    abai_tree = selectors.cascade(world.abai_coordinator, cascade_tree.national).as_dict()

    assert [c["id"] for c in admin_tree["children"]] == [cascade_tree.regional.pk, abai_child.pk]
    assert [c["id"] for c in abai_tree["children"]] == [abai_child.pk]
    assert abai_tree["reached_in_subtree"] == 1


def test_children_are_ordered_by_date(world, cascade_tree):
    earlier = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 3, 25), "Ерте")

    tree = selectors.cascade(world.admin, cascade_tree.territorial).as_dict()

    assert [c["id"] for c in tree["children"]] == [earlier.pk, cascade_tree.precinct1.pk, cascade_tree.precinct2.pk]


def test_the_cascade_queries_do_not_grow_with_the_number_of_events(world, cascade_tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        selectors.cascade(world.admin, cascade_tree.national)

    for n in range(6):
        event = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 5, 1 + n), f"Қосымша {n}")
        cascade_tree.attend(event, world.member2)

    with django_assert_max_num_queries(8):
        tree = selectors.cascade(world.admin, cascade_tree.national).as_dict()
    assert len(tree["children"][0]["children"][0]["children"]) == 8


# --- Coverage -------------------------------------------------------------------------------------


@pytest.fixture
def coverage_world(world, make_event, precinct_members):
    """2025: member1 attends two events (counts once); member2 attends only an event that was cancelled."""
    CoverageTarget.objects.create(year=2025, region=world.almaty_region, audience=precinct_members, target=4)
    CoverageTarget.objects.create(year=2025, region=world.abai, audience=precinct_members, target=10)
    CoverageTarget.objects.create(year=2025, region=world.almaty_region, audience=Audience.objects.get(code="judges"),
                                  target=5)

    def held_event(day, *people, audiences=(precinct_members,)):
        event = make_event(starts_on=day, ends_on=day, audiences=list(audiences))
        session = services.session_create(by=world.coordinator, event=event, day=day, starts_at=datetime.time(10),
                                          ends_at=datetime.time(12), title_kk="x", title_ru="x")
        services.enrol_list(by=world.coordinator, event=event, people=list(people))
        for person in people:
            services.attendance_mark(by=world.coordinator, session=session, person=person, present=True)
        return event

    first = held_event(d(2025, 3, 1), world.member1)
    second = held_event(d(2025, 4, 1), world.member1)
    cancelled = held_event(d(2025, 5, 1), world.member2)
    services.event_cancel(by=world.coordinator, event=cancelled, reason="Су тасқыны")
    return type("Coverage", (), {"first": first, "second": second, "cancelled": cancelled, "held_event": held_event})


def rows_by_key(rows):
    return {(r.region_iso, r.audience_code): r for r in rows}


def test_coverage_counts_distinct_attendees_and_lists_untrained_commissions(world, coverage_world):
    rows = rows_by_key(selectors.coverage(world.admin, year=2025))

    almaty = rows[("KZ-19", "precinct_members")]
    assert (almaty.target, almaty.reached, almaty.percent) == (4, 1, 25.0)
    assert almaty.untrained_commissions == [(world.pec2.pk, "PEC-19-0002")]
    assert almaty.untrained_count == 1
    abai = rows[("KZ-10", "precinct_members")]
    assert (abai.reached, abai.untrained_commissions, abai.untrained_count) == (0, [], 0)


def test_coverage_counts_again_after_a_check_in_to_an_event_already_counted(world, coverage_world):
    assert rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "precinct_members")].reached == 1

    session = Session.objects.get(event=coverage_world.first)
    services.enrol_list(by=world.coordinator, event=coverage_world.first, people=[world.member2])
    services.attendance_mark(by=world.coordinator, session=session, person=world.member2, present=True)

    almaty = rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "precinct_members")]
    assert (almaty.reached, almaty.untrained_commissions) == (2, [])


def test_coverage_counts_a_person_in_the_cancelled_event_once_they_attend_a_held_one(world, coverage_world):
    coverage_world.held_event(d(2025, 6, 1), world.member2)

    almaty = rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "precinct_members")]

    assert (almaty.reached, almaty.untrained_commissions) == (2, [])


def test_coverage_counts_only_events_of_the_year_and_the_audience(world, coverage_world):
    coverage_world.held_event(d(2024, 6, 1), world.member2)
    coverage_world.held_event(d(2025, 6, 1), world.member2, audiences=[Audience.objects.get(code="tec_members")])

    almaty = rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "precinct_members")]

    assert almaty.reached == 1


def test_coverage_counts_current_members_only(world, coverage_world, today):
    Membership.objects.filter(person=world.member1).update(term_end=today - datetime.timedelta(days=1))
    new_person(701, "Жаңа", world.pec1)

    almaty = rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "precinct_members")]

    assert almaty.reached == 0
    assert [code for _pk, code in almaty.untrained_commissions] == ["PEC-19-0001", "PEC-19-0002"]


def test_coverage_of_a_non_commission_audience_counts_attendees_of_the_regions_events(world, coverage_world):
    judges = Audience.objects.get(code="judges")
    judge = new_person(700, "Судья")
    coverage_world.held_event(d(2025, 7, 1), judge, world.member1, audiences=[judges])

    row = rows_by_key(selectors.coverage(world.admin, year=2025))[("KZ-19", "judges")]

    assert (row.target, row.reached, row.untrained_commissions) == (5, 2, [])


def test_the_untrained_list_is_capped_but_counted(world, coverage_world):
    for n in range(3, 6):
        commission = Commission.objects.create(
            level="precinct", code=f"PEC-19-000{n}", number=str(n), parent=world.tec, region=world.almaty_region,
            name_kk=f"№{n}", name_ru=f"№{n}", name_en=f"No. {n}")
        new_person(800 + n, f"Мүше{n}", commission)

    rows = selectors.coverage(world.admin, year=2025, region="KZ-19", audience="precinct_members", list_limit=2)

    (row,) = rows
    assert len(row.untrained_commissions) == 2
    assert row.untrained_count == 4


@pytest.mark.parametrize(("role", "expected"), [
    ("admin", {"KZ-10", "KZ-19"}),
    ("auditor", {"KZ-10", "KZ-19"}),
    ("coordinator", {"KZ-19"}),
    ("trainer", {"KZ-19"}),
    ("abai_coordinator", {"KZ-10"}),
])
def test_a_user_sees_the_targets_of_their_regions_only(world, coverage_world, role, expected):
    rows = selectors.coverage(getattr(world, role), year=2025)

    assert {r.region_iso for r in rows} == expected


def test_coverage_filters_by_region_and_audience(world, coverage_world):
    assert [(r.region_iso, r.audience_code) for r in selectors.coverage(world.admin, year=2025, region="kz-19")] == [
        ("KZ-19", "precinct_members"), ("KZ-19", "judges")]
    assert [r.audience_code for r in selectors.coverage(world.admin, year=2025, audience="judges")] == ["judges"]
    assert selectors.coverage(world.coordinator, year=2025, region="KZ-10") == []
    assert selectors.coverage(world.admin, year=2024) == []


def test_coverage_queries_do_not_grow_with_the_number_of_events(world, coverage_world, django_assert_max_num_queries):
    def measure(most):
        with django_assert_max_num_queries(most):
            return selectors.coverage(world.admin, year=2025)

    # The targets; per commission audience: its members, the qualifying events, their revisions, (for events
    # this process has not counted yet) their enrolments and check-ins, the commissions with nobody trained;
    # one per other audience.
    measure(8)
    for n in range(8):
        coverage_world.held_event(d(2025, 8, 1 + n), world.member2)
    rows = rows_by_key(measure(7))  # nobody untrained now
    assert rows[("KZ-19", "precinct_members")].reached == 2
    assert rows_by_key(measure(5)) == rows  # nothing changed: no check-in read again


def test_the_percentage_without_a_target(world):
    row = selectors.CoverageRow(region_iso="KZ-19", region_name="", audience_code="x", audience_name="", target=0,
                                reached=3, untrained_commissions=[])
    assert row.percent is None


# --- The demo -------------------------------------------------------------------------------------


def test_the_demo_builds_a_roadmap_a_two_day_seminar_a_cascade_and_targets(db):
    from django.core.management import call_command

    from saylau.accounts.models import User
    from saylau.training.demo import TrainingDemo

    call_command("demo", verbosity=0)
    admin = User.objects.get(username="admin")

    roadmap = Roadmap.objects.get(year=2025)
    statuses = [selectors.roadmap_item_status(item) for item in roadmap.items.prefetch_related("events")]
    assert statuses[-1] == "planned" and statuses[7] == "cancelled" and "held" in statuses
    seminar = roadmap.items.get(number=16).events.get()
    assert (seminar.starts_on, seminar.ends_on) == (d(2025, 11, 5), d(2025, 11, 6))
    assert sorted({s.day for s in seminar.sessions.all()}) == [d(2025, 11, 5), d(2025, 11, 6)]

    root = selectors.cascade(admin, seminar.__class__.objects.get(trains_trainers=True, parent=None))
    assert len(root.children) == 20
    assert all(child.trainers for child in root.children)
    assert root.reached > max(child.reached for child in root.children)
    assert {r.region_iso for r in selectors.coverage(admin, year=2025)} == {"KZ-43", "KZ-19", "KZ-61", "KZ-75"}

    assert TrainingDemo().build() == {"events": 0}  # idempotent


# --- Trainers to choose from ----------------------------------------------------------------------


def test_the_trainers_to_choose_are_accredited_on_the_first_day_in_the_events_region(world, cascade_tree):
    abai_trainer = new_person(960, "Абайлық", world.abai_tec)
    expired = new_person(961, "Мерзімі өткен", world.pec2)
    Accreditation.objects.create(person=abai_trainer, event=cascade_tree.national, region=world.abai,
                                 issued_on=d(2025, 2, 12), valid_until=d(2027, 2, 12))
    Accreditation.objects.create(person=expired, event=cascade_tree.national, region=world.almaty_region,
                                 issued_on=d(2023, 2, 12), valid_until=d(2025, 1, 1))
    new_child = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 9, 1), "Күз")
    new_child.trainers.all().delete()

    assert selectors.accredited_trainers(new_child) == [world.chair]
    assert selectors.accredited_trainers(cascade_tree.precinct1) == []  # the chair already trains there
    national_child = services.event_create(by=world.admin, **event_fields(
        world, organiser=world.cec, level="regional", parent=cascade_tree.national, starts_on=d(2025, 9, 1),
        ends_on=d(2025, 9, 1)))
    assert set(selectors.accredited_trainers(national_child)) == {world.chair, abai_trainer}


def test_a_trainer_accredited_twice_is_offered_once(world, cascade_tree):
    second_tot = services.event_create(by=world.admin, **event_fields(
        world, organiser=world.cec, level="republican", trains_trainers=True, starts_on=d(2025, 5, 1),
        ends_on=d(2025, 5, 1)))
    Accreditation.objects.create(person=world.chair, event=second_tot, region=world.almaty_region,
                                 issued_on=d(2025, 5, 1), valid_until=d(2027, 5, 1))
    child = cascade_tree.child(cascade_tree.territorial, "precinct", world.tec, d(2025, 9, 1), "Күз")
    child.trainers.all().delete()

    assert selectors.accredited_trainers(child) == [world.chair]

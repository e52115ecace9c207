"""What the cascade and coverage keep per process (``training.reach``) and the triggers that say when it is stale."""

import datetime

import numpy as np
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.training import reach, selectors, services
from saylau.training.models import Attendance, Enrolment, EnrolmentStatus, EventRevision, Session

d = datetime.date


def revision(event) -> int:
    return EventRevision.objects.get(event_id=event.pk).revision


def cascade(user, event) -> dict:
    return selectors.cascade(user, event).as_dict()


# --- The triggers -----------------------------------------------------------------------------------------


def test_a_new_event_has_a_revision_and_each_write_of_its_rows_changes_it(world, cascade_tree):
    event = cascade_tree.precinct1
    seen = [revision(event)]

    def changed() -> bool:
        seen.append(revision(event))
        return seen[-1] != seen[-2]

    services.enrol_list(by=world.coordinator, event=event, people=[world.member2])
    assert changed()
    Enrolment.objects.filter(event=event, person=world.member2).update(status=EnrolmentStatus.CANCELLED)
    assert changed()
    Attendance.objects.bulk_create([Attendance(session=event.only_session, person=world.member2,
                                               checked_in_at=datetime.datetime(2025, 4, 2, 10, tzinfo=datetime.UTC),
                                               method=Attendance.Method.ROSTER)])
    assert changed()
    Attendance.objects.filter(session=event.only_session, person=world.member2).update(late=True)
    assert changed()
    Attendance.objects.filter(session=event.only_session, person=world.member2).delete()
    assert changed()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM training_enrolment WHERE event_id = %s", [event.pk])
    assert changed()
    assert len(set(seen)) == len(seen)


def test_a_session_moved_to_another_event_changes_both(world, cascade_tree):
    before = revision(cascade_tree.precinct1), revision(cascade_tree.precinct2)

    Session.objects.filter(pk=cascade_tree.precinct1.only_session.pk).update(event=cascade_tree.precinct2)

    after = revision(cascade_tree.precinct1), revision(cascade_tree.precinct2)
    assert after[0] != before[0] and after[1] != before[1]


def test_writes_to_one_event_leave_the_others_alone(world, cascade_tree):
    before = revision(cascade_tree.precinct2)

    cascade_tree.attend(cascade_tree.precinct1, world.member2)

    assert revision(cascade_tree.precinct2) == before


# --- What the cascade and coverage keep -----------------------------------------------------------------


def test_the_cascade_counts_again_whatever_writes_the_check_ins(world, cascade_tree):
    assert cascade(world.admin, cascade_tree.precinct2)["attended"] == 1  # now kept by this process

    Attendance.objects.bulk_create([Attendance(session=cascade_tree.precinct2.only_session, person=world.chair,
                                               checked_in_at=datetime.datetime(2025, 4, 3, 10, tzinfo=datetime.UTC),
                                               method=Attendance.Method.ROSTER)])
    tree = cascade(world.admin, cascade_tree.national)
    territorial = tree["children"][0]["children"][0]
    assert territorial["children"][1]["attended"] == 2
    assert territorial["reached_in_subtree"] == 3  # member1, member2 and now the chair
    assert tree["reached_in_subtree"] == 3  # the chair was there already

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM training_attendance WHERE session_id = %s", [cascade_tree.precinct2.only_session.pk])
    territorial = cascade(world.admin, cascade_tree.national)["children"][0]["children"][0]
    assert territorial["children"][1]["attended"] == 0
    assert territorial["reached_in_subtree"] == 1


def test_the_cascade_follows_enrolments(world, cascade_tree):
    assert cascade(world.admin, cascade_tree.precinct2)["enrolled"] == 1

    services.enrol_list(by=world.coordinator, event=cascade_tree.precinct2, people=[world.chair, world.member1])
    assert cascade(world.admin, cascade_tree.precinct2)["enrolled"] == 3

    Enrolment.objects.filter(event=cascade_tree.precinct2, person=world.chair).update(status=EnrolmentStatus.CANCELLED)
    assert cascade(world.admin, cascade_tree.precinct2)["enrolled"] == 2


def test_the_cascade_follows_a_branch_moved_to_another_parent(world, cascade_tree):
    assert cascade(world.admin, cascade_tree.territorial)["reached_in_subtree"] == 2
    other = cascade_tree.child(cascade_tree.regional, "territorial", world.tec, d(2025, 3, 21), "Басқа семинар")

    type(other).objects.filter(pk=cascade_tree.precinct2.pk).update(parent=other)

    assert cascade(world.admin, cascade_tree.territorial)["reached_in_subtree"] == 1
    assert cascade(world.admin, other)["reached_in_subtree"] == 1


# --- The counting -------------------------------------------------------------------------------------------


def brute_force(parents: list[int], attended: list[set[int]]) -> list[int]:
    n = len(parents)
    children = [[] for _ in range(n)]
    for i in range(1, n):
        children[parents[i]].append(i)

    def subtree(i: int) -> set[int]:
        people = set(attended[i])
        for child in children[i]:
            people |= subtree(child)
        return people

    return [len(subtree(i)) for i in range(n)]


@st.composite
def trees(draw):
    """A tree in depth-first order (each event's parent comes before it, and a subtree is a run) with the
    people who attended each event."""
    n = draw(st.integers(1, 25))
    parents = [-1]
    stack = [0]
    for i in range(1, n):
        depth = draw(st.integers(1, len(stack)))
        stack = stack[:depth]
        parents.append(stack[-1])
        stack.append(i)
    attended = [draw(st.sets(st.integers(1, 12), max_size=6)) for _ in range(n)]
    return parents, attended


@settings(max_examples=200, deadline=None)
@given(trees())
def test_people_reached_counts_each_person_once_per_subtree(tree):
    parents, attended = tree

    counts, reached = reach.people_reached(np.array(parents, dtype=np.int64),
                                           [np.array(sorted(people), dtype=np.int64) for people in attended])

    assert counts.tolist() == [len(people) for people in attended]
    assert reached.tolist() == brute_force(parents, attended)

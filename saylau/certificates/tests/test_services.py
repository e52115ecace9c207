"""Rules, issuing (by the rule, by hand, automatically), numbers, re-issue and revocation."""

import datetime

import pytest
from django.utils import timezone

from saylau.certificates import credential, rules, services
from saylau.certificates.models import Certificate, Counter
from saylau.core.errors import Conflict, DomainError, PermissionDenied
from saylau.core.models import AuditEntry
from saylau.training import services as training

from .conftest import attend, exam_for, result


def test_closing_the_event_issues_to_those_who_attended_enough(world, held_event):
    certificate = Certificate.objects.get()
    assert certificate.person == world.member1
    year = timezone.localdate().year
    assert certificate.number == f"ETC-{year}-000001"
    assert certificate.holder_name == "Омарова Айгүл Серікұлы"
    assert certificate.award_title_kk == held_event.title_kk
    assert certificate.hours == 6  # 1.5 + 1.5 + 3 clock hours of the programme
    assert certificate.issued_by is None and certificate.manual_reason == ""
    assert AuditEntry.objects.filter(action="certificates.issued", object_id=str(certificate.pk)).exists()


@pytest.mark.parametrize(("attended", "threshold", "eligible"), [
    (3, 100, True), (2, 67, False), (2, 66, True), (3, 75, True), (2, 75, False)])
def test_attendance_threshold_is_exact(world, enrolled, attended, threshold, eligible):
    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=threshold)
    for session in [enrolled.s1, enrolled.s2, enrolled.s3][:attended]:
        attend(session, world.member1)
    outcome = next(o for o in rules.evaluate(award) if o.person_id == world.member1.pk)
    assert outcome.eligible is eligible
    assert (outcome.attended, outcome.held) == (attended, 3)


def test_exactly_the_threshold_passes(world, enrolled):
    # 3 of 4 sessions is exactly 75 %.
    fourth = training.session_create(by=world.coordinator, event=enrolled, day=enrolled.ends_on,
                                     starts_at=datetime.time(14), ends_at=datetime.time(15), title_kk="Қорытынды",
                                     title_ru="Итоги")
    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=75)
    attend(enrolled.s1, world.member1)
    attend(enrolled.s2, world.member1)
    attend(fourth, world.member1)
    assert [o.eligible for o in rules.evaluate(award, [world.member1.pk])] == [True]


def test_a_cancelled_session_counts_for_nobody(world, enrolled):
    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=100)
    attend(enrolled.s1, world.member1)
    attend(enrolled.s2, world.member1)
    assert not rules.evaluate(award, [world.member1.pk])[0].eligible
    training.session_set_cancelled(by=world.coordinator, session=enrolled.s3, cancelled=True)
    outcome = rules.evaluate(award, [world.member1.pk])[0]
    assert outcome.eligible and (outcome.attended, outcome.held) == (2, 2)
    # Attendance recorded at a session later cancelled does not count either.
    attend(enrolled.s3, world.member2)
    attend(enrolled.s1, world.member2)
    assert rules.evaluate(award, [world.member2.pk])[0].attended == 1


def test_attendance_and_a_passed_test_both_needed(world, enrolled):
    final = exam_for(world, event=enrolled, eligibility="event")
    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=50, required_exam=final)
    for session in (enrolled.s1, enrolled.s2):
        attend(session, world.member1, world.member2)
    result(final, world.member1, 80)
    result(final, world.member2, 40)
    outcomes = {o.person_id: o for o in rules.evaluate(award)}
    assert outcomes[world.member1.pk].eligible and outcomes[world.member1.pk].result_percent == 80
    assert not outcomes[world.member2.pk].eligible and outcomes[world.member2.pk].passed is False


def test_best_result_is_shown_and_a_later_pass_counts(world, enrolled):
    final = exam_for(world, event=enrolled, eligibility="event", attempts_allowed=2)
    award = services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=None,
                               required_exam=final)
    result(final, world.member1, 30, number=1)
    result(final, world.member1, 90, number=2)
    assert rules.evaluate(award, [world.member1.pk])[0].result_percent == 90


def test_a_rule_needs_a_condition_and_the_events_own_test(world, enrolled):
    with pytest.raises(DomainError) as error:
        services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=None)
    assert error.value.code == "no_condition"
    other = exam_for(world)
    with pytest.raises(DomainError) as error:
        services.award_set(by=world.coordinator, event=enrolled, required_exam=other)
    assert error.value.code == "exam_of_another_event"
    with pytest.raises(DomainError) as error:
        services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=120)
    assert error.value.code == "attendance_range"


def test_another_regions_coordinator_cannot_set_the_rule(world, enrolled):
    with pytest.raises(PermissionDenied):
        services.award_set(by=world.abai_coordinator, event=enrolled, min_attendance_percent=75)


def test_one_certificate_per_person_and_award(world, held_event):
    award = held_event.award
    assert services.issue_due(award=award) == []
    with pytest.raises(Conflict):
        services.issue_by_hand(by=world.coordinator, award=award, person=world.member1, reason="again")
    assert Certificate.objects.count() == 1


def test_issue_by_hand_needs_a_reason_and_records_who(world, held_event):
    award = held_event.award
    with pytest.raises(DomainError) as error:
        services.issue_by_hand(by=world.coordinator, award=award, person=world.member2, reason="  ")
    assert error.value.code == "reason_required"
    certificate = services.issue_by_hand(by=world.coordinator, award=award, person=world.member2,
                                         reason="Attendance recorded on paper")
    assert certificate.issued_by == world.coordinator
    assert certificate.manual_reason == "Attendance recorded on paper"
    assert certificate.number.endswith("000002")
    assert AuditEntry.objects.filter(action="certificates.issued_by_hand").count() == 1


def test_numbers_and_status_positions_never_repeat(world, held_event):
    services.issue_by_hand(by=world.admin, award=held_event.award, person=world.member2, reason="paper roster")
    certificates = list(Certificate.objects.order_by("number"))
    assert len({c.number for c in certificates}) == 2
    assert len({c.status_index for c in certificates}) == 2
    assert Counter.objects.get(name="status-list").value == 2


def test_reissue_keeps_the_number_and_records_the_history(world, held_event):
    certificate = Certificate.objects.get()
    first_credential, first_digest = certificate.credential, certificate.pdf_sha256
    world.member1.surname = "Омарова-Сейтқали"
    world.member1.save()
    with pytest.raises(DomainError):
        services.reissue(by=world.coordinator, certificate=certificate, reason="")
    again = services.reissue(by=world.coordinator, certificate=certificate, reason="Surname corrected")
    assert again.number == certificate.number and again.revision == 2
    assert again.holder_name.startswith("Омарова-Сейтқали")
    assert again.credential != first_credential and again.pdf_sha256 != first_digest
    revision = again.revisions.get()
    assert (revision.revision, revision.holder_name, revision.credential) == (1, "Омарова Айгүл Серікұлы",
                                                                            first_credential)
    assert credential.verify(again.credential)["certificateRevision"] == 2


def test_revocation_by_an_administrator_only(world, held_event):
    certificate = Certificate.objects.get()
    with pytest.raises(PermissionDenied):
        services.revoke(by=world.coordinator, certificate=certificate, reason="error")
    with pytest.raises(DomainError):
        services.revoke(by=world.admin, certificate=certificate, reason=" ")
    revoked = services.revoke(by=world.admin, certificate=certificate, reason="Attendance was falsified")
    assert revoked.revoked_on == timezone.localdate() and revoked.revoked_by == world.admin
    with pytest.raises(Conflict):
        services.revoke(by=world.admin, certificate=certificate, reason="again")
    with pytest.raises(Conflict):
        services.reissue(by=world.admin, certificate=revoked, reason="name")


def test_a_passed_test_issues_its_award_at_once(world):
    exam = exam_for(world)
    award = services.award_set(by=world.admin, exam=exam)
    attempt = result(exam, world.member2, 85)
    from saylau.assessment.signals import attempt_scored

    attempt_scored.send(sender=type(attempt), attempt=attempt)
    certificate = Certificate.objects.get(award=award)
    assert certificate.person == world.member2
    assert certificate.result_percent == 85
    assert certificate.starts_on == certificate.ends_on == timezone.localdate()


def test_a_failed_attempt_issues_nothing(world):
    exam = exam_for(world)
    services.award_set(by=world.admin, exam=exam)
    attempt = result(exam, world.member2, 20)
    from saylau.assessment.signals import attempt_scored

    attempt_scored.send(sender=type(attempt), attempt=attempt)
    assert not Certificate.objects.exists()


def test_no_automatic_issue_when_the_award_says_by_hand(world, enrolled, django_capture_on_commit_callbacks):
    services.award_set(by=world.coordinator, event=enrolled, min_attendance_percent=50, automatic=False)
    attend(enrolled.s1, world.member1)
    attend(enrolled.s2, world.member1)
    with django_capture_on_commit_callbacks(execute=True):
        training.event_close(by=world.coordinator, event=enrolled)
    assert not Certificate.objects.exists()

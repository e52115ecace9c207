import pytest
from django.core.management import call_command

from saylau.accounts.models import Role, User
from saylau.commissions import iin as iin_rules
from saylau.commissions.models import Commission, Membership, Person, Position

pytestmark = pytest.mark.django_db


def _snapshot():
    return sorted(Person.objects.values_list("iin", "surname", "first_name")), Commission.objects.count()


def test_demo_loads_a_small_registry_and_the_five_demo_accounts():
    call_command("demo", verbosity=0)
    assert 300 <= Person.objects.count() <= 1000
    assert Commission.objects.filter(level="regional").count() == 20
    assert Commission.objects.filter(level="precinct").count() >= 40
    accounts = dict(User.objects.values_list("username", "role"))
    assert accounts == {"admin": Role.ADMIN, "coordinator": Role.COORDINATOR, "trainer": Role.TRAINER,
                        "participant": Role.PARTICIPANT, "auditor": Role.AUDITOR}
    assert User.objects.get(username="coordinator").region.iso_code == "KZ-19"
    assert User.objects.get(username="participant").person is not None
    assert User.objects.get(username="admin").check_password("demo12345")


def test_demo_issues_the_national_seminars_certificates_that_verify():
    from saylau.certificates import verification
    from saylau.certificates.models import Certificate

    call_command("demo", verbosity=0)
    certificates = Certificate.objects.filter(award__kind="event").select_related("award__event")
    assert certificates.count() > 0
    assert {c.award.event.roadmap_item.number for c in certificates} == {16}
    sample = certificates.first()
    assert sample.signatory_name and verification.by_token(sample.credential, channel="cli")["status"] == "valid"


def test_demo_is_idempotent():
    call_command("demo", verbosity=0)
    first = _snapshot()
    call_command("demo", verbosity=0)
    assert _snapshot() == first
    assert User.objects.count() == 5


def test_demo_is_deterministic():
    call_command("demo", verbosity=0)
    first = _snapshot()
    call_command("demo", "--reset", verbosity=0)
    assert _snapshot() == first


def test_demo_people_have_valid_iins_matching_their_birth_date_and_sex():
    call_command("demo", verbosity=0)
    for iin, birth_date, sex in Person.objects.values_list("iin", "birth_date", "sex"):
        _value, facts = iin_rules.parse(iin)
        assert (facts.birth_date, facts.sex) == (birth_date, sex)


def test_every_demo_commission_has_exactly_one_chair():
    call_command("demo", verbosity=0)
    chairs = Membership.objects.current().filter(position=Position.CHAIR)
    assert chairs.count() == Commission.objects.count()
    assert chairs.values("commission").distinct().count() == Commission.objects.count()

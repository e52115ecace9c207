"""Editing the registry from its pages: scoped, validated, audited."""

import pytest
from django.test import Client

from saylau.commissions.models import Commission
from saylau.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_coordinator_edits_a_commission_in_their_region_and_the_change_is_audited(world):
    response = _client(world.coordinator).post(f"/registry/c/{world.tec.pk}/edit/", {
        "code": "TEC-19-01", "name_kk": "Қонаев қалалық аумақтық сайлау комиссиясы", "name_ru": "Конаевская ТИК",
        "name_en": "Konaev City TEC", "address": "Қонаев, 1", "conducts_elections": "on", "conducts_referendums": "on",
    })
    assert response.status_code == 302
    world.tec.refresh_from_db()
    assert world.tec.address == "Қонаев, 1"
    entry = AuditEntry.objects.get(action="commission.updated")
    assert entry.actor == world.coordinator
    assert entry.changes["address"] == ["", "Қонаев, 1"]
    assert entry.changes["name_kk"][1] == "Қонаев қалалық аумақтық сайлау комиссиясы"


def test_a_coordinator_cannot_edit_another_regions_commission(world):
    assert _client(world.coordinator).get(f"/registry/c/{world.abai_tec.pk}/edit/").status_code == 404


@pytest.mark.parametrize("role", ["trainer", "participant", "auditor"])
def test_roles_without_registry_rights_cannot_edit(world, role):
    client = _client(getattr(world, role))
    assert client.get(f"/registry/c/{world.pec1.pk}/edit/").status_code in (403, 404)
    assert client.get(f"/registry/p/{world.member1.pk}/edit/").status_code in (403, 404)


def test_adding_a_precinct_under_a_tec_takes_the_region_and_capitalises_the_code(world):
    response = _client(world.coordinator).post(f"/registry/c/{world.tec.pk}/add/", {
        "level": "precinct", "code": "pec-19-0099", "number": "99", "name_kk": "№99 учаскелік сайлау комиссиясы",
        "name_ru": "Участковая избирательная комиссия №99", "conducts_elections": "on",
    })
    assert response.status_code == 302
    created = Commission.objects.get(code="PEC-19-0099")
    assert (created.parent, created.region, created.level) == (world.tec, world.almaty_region, "precinct")
    assert AuditEntry.objects.filter(action="commission.created", object_id=str(created.pk)).exists()


def test_a_duplicate_code_is_refused_on_the_field(world):
    response = _client(world.admin).post(f"/registry/c/{world.tec.pk}/add/", {
        "level": "precinct", "code": "PEC-19-0001", "name_kk": "x", "name_ru": "x",
    })
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_a_tec_cannot_get_a_regional_commission_as_child(world):
    response = _client(world.admin).post(f"/registry/c/{world.tec.pk}/add/", {
        "level": "regional", "code": "TEC-99", "name_kk": "x", "name_ru": "x",
    })
    assert response.status_code == 200
    assert "level" in response.context["form"].errors
    assert not Commission.objects.filter(code="TEC-99").exists()


def test_editing_a_person_with_a_new_iin_rederives_birth_date_and_sex(world):
    from conftest import make_iin

    new_iin = make_iin(77, year=1991, sex="f")
    response = _client(world.coordinator).post(f"/registry/p/{world.member1.pk}/edit/", {
        "surname": "Омарова", "first_name": "Айгүл", "patronymic": "Серікқызы", "iin": new_iin,
        "phone": "+7 701 000 00 00", "email": "", "language": "ru",
    })
    assert response.status_code == 302
    world.member1.refresh_from_db()
    assert world.member1.iin == new_iin
    assert world.member1.birth_date.year == 1991
    assert world.member1.sex == "f"
    entry = AuditEntry.objects.get(action="person.updated")
    assert entry.changes["iin"][1] == new_iin


def test_a_bad_iin_is_refused_on_the_field(world):
    bad = world.member1.iin[:-1] + str((int(world.member1.iin[-1]) + 1) % 10)
    response = _client(world.coordinator).post(f"/registry/p/{world.member1.pk}/edit/", {
        "surname": "Омарова", "first_name": "Айгүл", "iin": bad, "language": "kk",
    })
    assert response.status_code == 200
    assert "iin" in response.context["form"].errors


def test_the_registry_search_finds_people_by_iin_only_for_entitled_roles(world):
    iin = world.member1.iin
    assert "Омарова" in _client(world.coordinator).get(f"/registry/?q={iin}").content.decode()
    assert "Омарова" not in _client(world.trainer).get(f"/registry/?q={iin}").content.decode()
    assert "Омарова" in _client(world.trainer).get("/registry/?q=Омар").content.decode()

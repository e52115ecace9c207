import pytest
from django.test import Client

from saylau.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_makes_a_trainer_coordinator_of_a_region(world):
    response = _client(world.admin).post(f"/accounts/users/{world.trainer.pk}/",
                                         {"role": "coordinator", "region": world.abai.pk, "is_active": "on"})
    assert response.status_code == 302
    world.trainer.refresh_from_db()
    assert (world.trainer.role, world.trainer.region) == ("coordinator", world.abai)
    entry = AuditEntry.objects.get(action="user.access_changed")
    assert entry.changes["role"] == ["trainer", "coordinator"]


def test_a_coordinator_needs_a_region(world):
    response = _client(world.admin).post(f"/accounts/users/{world.auditor.pk}/", {"role": "coordinator", "is_active": "on"})
    assert response.status_code == 200
    world.auditor.refresh_from_db()
    assert world.auditor.role == "auditor"


def test_an_administrator_cannot_lock_themself_out(world):
    response = _client(world.admin).post(f"/accounts/users/{world.admin.pk}/", {"role": "auditor", "is_active": "on"})
    assert response.status_code == 200
    world.admin.refresh_from_db()
    assert world.admin.role == "admin"


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant", "auditor"])
def test_only_administrators_manage_users(world, role):
    assert _client(getattr(world, role)).get("/accounts/users/").status_code == 403
    assert _client(getattr(world, role)).post(f"/accounts/users/{world.trainer.pk}/", {"role": "admin"}).status_code == 403


def test_the_user_list_filters_by_role(world):
    response = _client(world.admin).get("/accounts/users/?role=coordinator")
    names = [u.username for u in response.context["page"]]
    assert sorted(names) == ["abai_coordinator", "coordinator"]

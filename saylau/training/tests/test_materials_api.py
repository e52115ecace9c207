"""Materials attached to sessions, and the event writes of the API (update, cancel, close, speakers)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from saylau.core.errors import DomainError
from saylau.training import services
from saylau.training.models import EventStatus, Material

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_attaches_a_file_and_only_people_who_see_the_event_download_it(world, event):
    session = event.sessions.first()
    upload = SimpleUploadedFile("handout.pdf", b"%PDF-1.4 handout", content_type="application/pdf")
    material = services.material_attach(by=world.coordinator, session=session, title="Үлестірме", file=upload)

    response = _client(world.coordinator).get(f"/training/materials/{material.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 handout"
    assert _client(world.abai_coordinator).get(f"/training/materials/{material.pk}/").status_code == 404
    assert _client(world.participant).get(f"/training/materials/{material.pk}/").status_code == 404


def test_a_material_is_a_file_or_a_link_never_both_nor_neither(world, event):
    session = event.sessions.first()
    for kwargs in ({}, {"link": "https://example.kz/a", "file": SimpleUploadedFile("a.pdf", b"x")}):
        with pytest.raises(DomainError) as error:
            services.material_attach(by=world.coordinator, session=session, title="x", **kwargs)
        assert error.value.code == "file_or_link"
    assert not Material.objects.exists()


def test_the_api_attaches_a_link_and_refuses_others(world, event):
    session = event.sessions.first()
    payload = {"title": "Заң мәтіні", "link": "https://adilet.zan.kz/"}
    response = _client(world.coordinator).post(f"/api/v1/sessions/{session.pk}/materials", payload,
                                              content_type="application/json")
    assert response.status_code == 201
    assert Material.objects.get().link == "https://adilet.zan.kz/"
    refused = _client(world.auditor).post(f"/api/v1/sessions/{session.pk}/materials", payload,
                                          content_type="application/json")
    assert refused.status_code == 403


def test_the_api_adds_a_session_with_a_registry_speaker_and_an_external_one(world, event):
    payload = {"day": str(event.starts_on), "starts_at": "15:00", "ends_at": "16:00", "title_kk": "Кейс",
               "title_ru": "Кейс", "method": "practical_case",
               "speakers": [{"person_id": world.chair.pk}, {"name": "Сарапшы А.", "organisation": "ЭОО"}]}
    response = _client(world.coordinator).post(f"/api/v1/events/{event.pk}/sessions", payload,
                                              content_type="application/json")
    assert response.status_code == 201, response.content
    assert [s["name"] for s in response.json()["speakers"]] == [world.chair.full_name, "Сарапшы А."]


def test_the_api_updates_cancels_and_refuses_to_move_sessions_outside_the_days(world, event):
    client = _client(world.coordinator)
    response = client.patch(f"/api/v1/events/{event.pk}", {"venue_room": "301"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["venue_room"] == "301"

    later = event.starts_on + datetime.timedelta(days=30)
    response = client.patch(f"/api/v1/events/{event.pk}", {"starts_on": str(later), "ends_on": str(later)},
                            content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "sessions_outside"

    response = client.post(f"/api/v1/events/{event.pk}/cancel", {"reason": "Карантин"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == EventStatus.CANCELLED
    assert response.json()["cancel_reason"] == "Карантин"


def test_another_regions_coordinator_cannot_write_to_the_event(world, event):
    response = _client(world.abai_coordinator).post(f"/api/v1/events/{event.pk}/close")
    assert response.status_code == 404


def test_a_calendar_application_subscribes_to_the_ical_feed_with_a_token(world, event):
    from icalendar import Calendar

    from saylau.accounts.services import api_token_create

    token = api_token_create(user=world.coordinator)
    response = Client().get(f"/training/calendar.ics?token={token}")
    assert response.status_code == 200
    summaries = [str(c["summary"]) for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert any(event.title_kk in summary for summary in summaries)
    assert Client().get("/training/calendar.ics?token=wrong").status_code == 302

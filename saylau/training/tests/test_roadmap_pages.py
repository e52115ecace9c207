"""The CEC administrator enters the year's roadmap: the resolution (with its document) and its measures."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from saylau.training.models import Roadmap, RoadmapItem

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_enters_a_roadmap_with_its_resolution_document_and_a_measure(world, precinct_members):
    client = _client(world.admin)
    document = SimpleUploadedFile("resolution.pdf", b"%PDF-1.4 resolution", content_type="application/pdf")
    response = client.post("/training/roadmap/new/", {"year": 2026, "resolution_number": "12/34",
                                                      "resolution_date": "2025-12-10", "document": document})
    assert response.status_code == 302
    roadmap = Roadmap.objects.get(year=2026)
    assert roadmap.resolution_number == "12/34"
    download = client.get("/training/roadmap/2026/document/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 resolution"

    response = client.post("/training/roadmap/2026/items/new/", {
        "title_kk": "УСК мүшелеріне семинар", "title_ru": "Семинар для членов УИК", "kind": "seminar",
        "level": "territorial", "audiences": [precinct_members.pk], "planned_month": 4, "responsible": world.regional.pk,
        "funding": "local_budget", "planned_participants": 120,
    })
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = RoadmapItem.objects.get(roadmap=roadmap)
    assert (item.planned_quarter, item.number, list(item.audiences.all())) == (2, 1, [precinct_members])
    assert "УСК мүшелеріне семинар" in client.get("/training/roadmap/2026/").content.decode()  # Kazakh by default


def test_a_second_roadmap_for_the_same_year_is_refused(world):
    Roadmap.objects.create(year=2026, resolution_number="1/1", resolution_date="2025-12-01")
    response = _client(world.admin).post("/training/roadmap/new/", {"year": 2026, "resolution_number": "2/2",
                                                                    "resolution_date": "2025-12-02"})
    assert response.status_code == 200
    assert Roadmap.objects.get(year=2026).resolution_number == "1/1"


@pytest.mark.parametrize("role", ["coordinator", "trainer", "participant", "auditor"])
def test_only_the_administrator_enters_the_roadmap(world, role):
    Roadmap.objects.create(year=2026, resolution_number="1/1", resolution_date="2025-12-01")
    client = _client(getattr(world, role))
    assert client.get("/training/roadmap/new/").status_code == 403
    assert client.get("/training/roadmap/2026/items/new/").status_code == 403


def test_an_administrator_sets_a_coverage_target_on_the_coverage_page(world, precinct_members):
    from saylau.training.models import CoverageTarget

    response = _client(world.admin).post("/training/coverage/?year=2026", {
        "region": world.almaty_region.pk, "audience": precinct_members.pk, "target": 900})
    assert response.status_code == 302
    assert CoverageTarget.objects.get(year=2026, region=world.almaty_region, audience=precinct_members).target == 900
    assert _client(world.coordinator).post("/training/coverage/?year=2026", {
        "region": world.almaty_region.pk, "audience": precinct_members.pk, "target": 1}).status_code == 403

"""The pages: the library (search, a version, the printable article, files with byte ranges, editing), a course as
its learner sees it, lessons (done, locked, a test and the way back), the editor, enrolling a cohort, and progress
for coordinators (scoped to their region) with its exports."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from saylau.courses import services
from saylau.courses.models import Course, CourseEnrolment, Material

from .conftest import article


def login(client, user):
    client.force_login(user)
    return client


def test_the_library_finds_materials_and_a_participant_cannot_edit(client, world):
    article(world.admin)
    page = login(client, world.participant).get(reverse("courses:library"), {"q": "сайлаушылардың"})
    assert page.status_code == 200 and "Сайлаушылар тізімі" in page.content.decode()
    assert client.get(reverse("courses:material_new")).status_code == 403


def test_an_article_is_shown_sanitised_in_the_chosen_language_and_printable(client, world):
    material = article(world.admin, body_ru="# Списки\n\n<script>alert(1)</script> **важно** [ссылка](javascript:x)")
    login(client, world.participant)
    page = client.get(reverse("courses:material", args=[material.pk]), {"lang": "ru"}).content.decode()
    assert "<strong>важно</strong>" in page and "&lt;script&gt;alert" in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    printable = client.get(reverse("courses:material_print", args=[material.pk]), {"lang": "ru"})
    assert printable.status_code == 200 and 'lang="ru"' in printable.content.decode()
    assert "<nav" not in printable.content.decode()  # no menus on paper


def test_an_old_version_stays_reachable(client, world):
    material = article(world.admin)
    services.material_new_version(by=world.admin, material=material, version={
        "body_ru": "# Списки\n\nНовый текст.", "change_note": "поправки"})
    login(client, world.participant)
    old = client.get(reverse("courses:material_version", args=[material.pk, 1]), {"lang": "ru"}).content.decode()
    assert "местный исполнительный орган" in old and "Новый текст" not in old
    assert "Новый текст" in client.get(reverse("courses:material", args=[material.pk]), {"lang": "ru"}).content.decode()
    assert client.get(reverse("courses:material_version", args=[material.pk, 9])).status_code == 404


def video(world):
    data = bytes(range(256)) * 40  # 10,240 bytes
    return services.material_create(
        by=world.admin, kind="video", title_kk="Бейне", title_ru="Видео", has_ru=True,
        version={"file": SimpleUploadedFile("lesson.mp4", data, content_type="video/mp4"),
                 "low_file": SimpleUploadedFile("lesson-low.mp4", data[:1000], content_type="video/mp4")}), data


def test_a_video_is_served_with_byte_ranges(client, world):
    material, data = video(world)
    login(client, world.participant)
    url = reverse("courses:material_file", args=[material.pk, 1])
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(data)}-").status_code == 416
    low = client.get(reverse("courses:material_file_variant", args=[material.pk, 1, "low"]))
    assert b"".join(low.streaming_content) == data[:1000]
    page = client.get(reverse("courses:material", args=[material.pk]), {"quality": "low"}).content.decode()
    assert reverse("courses:material_file_variant", args=[material.pk, 1, "low"]) in page


def test_a_librarian_adds_a_material_and_a_bad_form_says_where(client, world):
    login(client, world.coordinator)
    bad = client.post(reverse("courses:material_new"), {"kind": "article", "title_ru": "Статья", "has_ru": "on",
                                                        "status": "published", "references": "nonsense 12"})
    assert bad.status_code == 400 and "nonsense" in bad.content.decode()
    empty = client.post(reverse("courses:material_new"), {"kind": "article", "title_ru": "Статья", "has_ru": "on",
                                                          "status": "published"})
    assert empty.status_code == 400 and not Material.objects.exists()
    done = client.post(reverse("courses:material_new"), {
        "kind": "article", "title_ru": "Статья", "has_ru": "on", "status": "published", "body_ru": "# Статья\n\nТекст",
        "references": "elections 38"})
    assert done.status_code == 302
    material = Material.objects.get()
    assert [(r.act.code, r.article) for r in material.references.all()] == [("elections", "38")]


def test_what_changed_since_the_last_campaign(client, world):
    old = article(world.admin)
    Material.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    old.versions.update(created_at=timezone.now() - datetime.timedelta(days=400))
    services.material_new_version(by=world.admin, material=old, version={"body_ru": "# Новое", "change_note":
                                                                          "учтены поправки 2026 года"})
    untouched = article(world.admin, title_ru="Старое", title_kk="Ескі")
    untouched.versions.update(created_at=timezone.now() - datetime.timedelta(days=400))
    page = login(client, world.participant).get(reverse("courses:changes"), {
        "since": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()}).content.decode()
    assert "учтены поправки 2026 года" in page and "Ескі" not in page


def test_the_learner_path_through_a_course(client, world, course, learner, django_capture_on_commit_callbacks):
    login(client, world.participant)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert reverse("courses:lesson", args=[course.pk, course.read.pk]) in page
    locked = client.get(reverse("courses:lesson", args=[course.pk, course.read2.pk]))
    assert locked.status_code == 302 and locked["Location"] == reverse("courses:course", args=[course.pk])
    assert client.get(reverse("courses:lesson", args=[course.pk, course.read.pk])).status_code == 200
    done = client.post(reverse("courses:lesson", args=[course.pk, course.read.pk]))
    assert done["Location"] == reverse("courses:lesson", args=[course.pk, course.quiz.pk])
    assert client.post(reverse("courses:lesson_beat", args=[course.pk, course.read.pk]),
                       {"seconds": "30"}).status_code == 204
    start = client.post(reverse("courses:lesson_test_start", args=[course.pk, course.quiz.pk]))
    attempt_url = start["Location"]
    attempt_id = int(attempt_url.rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:attempt_submit", args=[attempt_id]))
    result = client.get(reverse("assessment:attempt_result", args=[attempt_id])).content.decode()
    assert reverse("courses:course", args=[course.pk]) in result  # the way back
    learner.refresh_from_db()
    assert (learner.lessons_done, learner.time_spent_seconds) == (2, 30)


def test_a_person_not_enrolled_sees_the_outline_and_may_enrol_in_an_open_course(client, world, course):
    login(client, world.participant)
    page = client.get(reverse("courses:course", args=[course.pk])).content.decode()
    assert "Тест 1" in page or "Test 1" in page
    assert client.get(reverse("courses:lesson", args=[course.pk, course.read.pk])).status_code == 404
    client.post(reverse("courses:join", args=[course.pk]))
    assert CourseEnrolment.objects.filter(person=world.member1).exists()


def test_a_draft_course_is_invisible_to_participants(client, world, course):
    services.course_set_status(by=world.admin, course=course, status="draft")
    assert login(client, world.participant).get(reverse("courses:course", args=[course.pk])).status_code == 404


def test_the_editor_builds_a_course(client, world):
    from saylau.assessment.tests.factories import bank_of

    bank_of(world.admin, 3, topic="voter-lists")
    material = article(world.admin)
    login(client, world.admin)
    client.post(reverse("courses:course_new"), {
        "title_kk": "Курс", "title_ru": "Курс", "commission": world.cec.pk, "has_kk": "on", "has_ru": "on",
        "estimated_hours": "3", "require_all_lessons": "on", "require_final_test": "on"})
    course = Course.objects.get()
    editor = reverse("courses:editor", args=[course.pk])
    client.post(editor, {"add_module": "1", "title_kk": "Модуль", "title_ru": "Модуль"})
    module = course.modules.get()
    client.post(editor, {"add_lesson": "1", "module": module.pk, "material": material.pk, "minutes": 20})
    client.post(editor, {"add_test": "1", "title_kk": "Тест", "title_ru": "Тест", "topic": "voter-lists",
                         "count": 2, "pass_mark_percent": 70, "attempts_allowed": 2, "final": "on"})
    from saylau.assessment.models import Exam

    exam = Exam.objects.get(eligibility="course")
    client.post(editor, {"add_lesson": "1", "module": module.pk, "exam": exam.pk, "is_final": "on", "minutes": 20})
    missing = client.post(editor, {"add_lesson": "1", "module": module.pk, "material": 999, "minutes": 5})
    assert missing.status_code == 400 and "999" not in str(list(module.lessons.values_list("material_id", flat=True)))
    client.post(reverse("courses:editor_action", args=[course.pk]), {"action": "published"})
    course.refresh_from_db()
    assert course.status == "published"
    assert [lesson.kind for lesson in module.lessons.order_by("position")] == ["material", "test"]


def test_enrolling_a_cohort_counts_first_then_enrols(client, world, course):
    login(client, world.coordinator)
    url = reverse("courses:enrol", args=[course.pk])
    data = {"name": "Almaty PEC", "level": ["precinct"], "deadline": (timezone.localdate() + datetime.timedelta(
        days=20)).isoformat()}
    preview = client.post(url, data)
    assert preview.status_code == 200 and not CourseEnrolment.objects.exists()
    assert client.post(url, data | {"confirm": "1"}).status_code == 302
    # The coordinator's filter covers their region only: the Abai member is not taken.
    assert {e.person for e in CourseEnrolment.objects.all()} == {world.member1, world.member2}
    unknown = client.post(url, {"name": "x", "iins": "000000000000", "confirm": "1"})
    assert unknown.status_code == 400 and "000000000000" in unknown.content.decode()


@pytest.fixture
def two_regions(world, course):
    services.cohort_enrol(by=world.admin, course=course, name="all",
                          people=[world.member1, world.member2, world.abai_member])
    return course


def test_a_coordinator_sees_their_region_only(client, world, two_regions):
    page = login(client, world.coordinator).get(reverse("courses:progress", args=[two_regions.pk])).content.decode()
    assert "Омарова" in page and "Иванов" in page and "Сейітов" not in page
    other = client.get(reverse("courses:progress", args=[two_regions.pk]), {"region": "KZ-10"}).content.decode()
    assert "Сейітов" not in other


def test_the_national_view_groups_by_region_and_filters_by_status(client, world, two_regions):
    login(client, world.admin)
    page = client.get(reverse("courses:progress", args=[two_regions.pk])).content.decode()
    assert world.abai.name_kk in page or world.abai.name_en in page
    services.lesson_open(enrolment=CourseEnrolment.objects.get(person=world.member2), lesson=two_regions.read)
    started = client.get(reverse("courses:progress", args=[two_regions.pk]), {"status": "in_progress"})
    assert "Иванов" in started.content.decode() and "Омарова" not in started.content.decode()


def test_progress_exports_hold_the_same_learners(client, world, two_regions):
    login(client, world.coordinator)
    xlsx = client.get(reverse("courses:progress_export", args=[two_regions.pk, "xlsx"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "commission" and sorted(row[1] for row in rows[1:]) == ["Иванов", "Омарова"]
    csv = client.get(reverse("courses:progress_export", args=[two_regions.pk, "csv"])).content.decode("utf-8-sig")
    assert csv.count("\n") == 3 and "Сейітов" not in csv


def test_a_participant_cannot_read_progress(client, world, two_regions):
    assert login(client, world.participant).get(
        reverse("courses:progress", args=[two_regions.pk])).status_code == 403


def test_a_region_is_counted_by_city_and_district_commission_then_drilled_down(client, world, two_regions):
    login(client, world.coordinator)
    url = reverse("courses:progress", args=[two_regions.pk])
    region = client.get(url).context["groups"]
    assert [(commission.code, counts.enrolled) for commission, counts in region] == [("TEC-19-01", 2)]
    under = client.get(url, {"under": world.tec.pk})
    assert [(c.code, counts.enrolled) for c, counts in under.context["groups"]] == [
        ("PEC-19-0001", 1), ("PEC-19-0002", 1)]
    one = client.get(url, {"under": world.tec.pk, "commission": world.pec2.pk}).content.decode()
    assert "Иванов" in one and "Омарова" not in one


def test_the_library_pages_its_results_with_the_total(client, world):
    for n in range(23):
        article(world.admin, title_kk=f"Сайлаушылар {n}", title_ru=f"Избиратели {n}")
    login(client, world.participant)
    first = client.get(reverse("courses:library"), {"q": "сайлаушылар"})
    assert len(first.context["page"].object_list) == 20 and first.context["page"].paginator.count == 23
    past = client.get(reverse("courses:library"), {"q": "сайлаушылар", "page": 9})
    assert past.context["page"].number == 2 and len(past.context["page"].object_list) == 3
    api = client.get("/api/v1/materials", {"q": "избиратели", "offset": 20}).json()
    assert api["count"] == 23 and len(api["items"]) == 3

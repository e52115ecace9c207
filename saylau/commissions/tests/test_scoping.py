"""Who sees what: every role against every registry endpoint, in the API and on the pages.

The expectations below restate the table in ``saylau/commissions/scoping.py``: administrators and
auditors are national, a coordinator sees their region, a trainer their region (or everything without
one), a participant only themself; the IIN goes to administrators, coordinators and the person themself.
"""

import csv
import datetime
import io

import pytest

from conftest import make_iin
from saylau.accounts.models import Role, User
from saylau.commissions.models import Basis, Commission, Level, Membership, Person, Position

ROLES = ["admin", "auditor", "coordinator", "abai_coordinator", "trainer", "participant"]

# The reference data (the CEC and 20 regional TECs) plus the four commissions the world adds.
ALL_COMMISSIONS = 21 + 4
ALMATY_CODES = {"TEC-19", "TEC-19-01", "PEC-19-0001", "PEC-19-0002"}
ABAI_CODES = {"TEC-10", "TEC-10-01"}

COMMISSIONS = ["cec", "regional", "tec", "pec1", "pec2", "abai_tec"]
PEOPLE = ["chair", "member1", "member2", "abai_member"]
ALMATY = {"regional", "tec", "pec1", "pec2", "chair", "member1", "member2"}
VISIBLE = {
    "admin": set(COMMISSIONS) | set(PEOPLE),
    "auditor": set(COMMISSIONS) | set(PEOPLE),
    "coordinator": ALMATY,
    "trainer": ALMATY,
    "abai_coordinator": {"abai_tec", "abai_member"},
    "participant": {"pec1", "member1"},
}
SEES_IIN = {"admin": True, "coordinator": True, "abai_coordinator": True,
            "trainer": False, "auditor": False, "participant": True}
MANAGES_REGISTRY = {"admin", "coordinator", "abai_coordinator"}
SEES_AUDIT = {"admin", "auditor", "coordinator", "abai_coordinator"}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    return client


def membership_of(person) -> Membership:
    return person.memberships.get()


def member_names(payload) -> set[str]:
    return {item["surname"] for item in payload["items"]}


def commission_page_cases():
    return [(role, target) for role in ROLES for target in COMMISSIONS]


def people_cases():
    return [(role, target) for role in ROLES for target in PEOPLE]


def add_members(commission, count: int, *, start: int = 100) -> None:
    for n in range(start, start + count):
        iin = make_iin(n, year=1990)
        person = Person.objects.create(iin=iin, surname=f"Extra{n}", first_name="Test")
        Membership.objects.create(person=person, commission=commission, position=Position.MEMBER,
                                  basis=Basis.NON_PERMANENT, term_start=datetime.date(2021, 4, 1))


# --- Anonymous visitors -----------------------------------------------------------------------

API_PATHS = ["/api/v1/me", "/api/v1/regions", "/api/v1/commissions", "/api/v1/commissions/{cec}",
             "/api/v1/members", "/api/v1/members/{membership}"]
PAGE_PATHS = ["/registry/", "/registry/c/{cec}/", "/registry/c/{cec}/children/", "/registry/p/{person}/",
              "/registry/members/", "/registry/members/export/", "/registry/import/", "/accounts/invitations/",
              "/audit/", "/"]


def fill(path: str, world) -> str:
    return path.format(cec=world.cec.pk, membership=membership_of(world.member1).pk, person=world.member1.pk)


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_answers_an_anonymous_caller_with_401_unauthenticated(client, world, path):
    response = client.get(fill(path, world))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_the_api_rejects_a_made_up_bearer_token_with_401(client, world):
    response = client.get("/api/v1/members", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client, world, path):
    path = fill(path, world)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_openapi_document_is_public_and_describes_the_page_size_limit(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/members", "/api/v1/members/{member_id}", "/api/v1/commissions",
            "/api/v1/commissions/{commission_id}", "/api/v1/auth/token", "/api/v1/me"} <= set(schema["paths"])
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/members"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"]["maximum"] == 500


# --- Lists per role ----------------------------------------------------------------------------

EXPECTED_COMMISSION_CODES = {
    "coordinator": ALMATY_CODES,
    "trainer": ALMATY_CODES,
    "abai_coordinator": ABAI_CODES,
    "participant": {"PEC-19-0001"},
}
EXPECTED_MEMBERS = {
    "admin": {"Ахметов", "Омарова", "Иванов", "Сейітов"},
    "auditor": {"Ахметов", "Омарова", "Иванов", "Сейітов"},
    "coordinator": {"Ахметов", "Омарова", "Иванов"},
    "trainer": {"Ахметов", "Омарова", "Иванов"},
    "abai_coordinator": {"Сейітов"},
    "participant": {"Омарова"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_commission_list_in_the_api_holds_only_what_the_role_may_see(client, world, role):
    payload = login(client, world, role).get("/api/v1/commissions", {"page_size": 500}).json()
    codes = {item["code"] for item in payload["items"]}
    if role in ("admin", "auditor"):
        assert payload["count"] == ALL_COMMISSIONS == len(codes)
        assert ALMATY_CODES | ABAI_CODES | {"CEC"} <= codes
    else:
        assert codes == EXPECTED_COMMISSION_CODES[role]
        assert payload["count"] == len(EXPECTED_COMMISSION_CODES[role])


@pytest.mark.parametrize("role", ROLES)
def test_the_member_list_in_the_api_holds_only_what_the_role_may_see(client, world, role):
    payload = login(client, world, role).get("/api/v1/members").json()
    assert member_names(payload) == EXPECTED_MEMBERS[role]
    assert payload["count"] == len(EXPECTED_MEMBERS[role])


@pytest.mark.parametrize("role", ROLES)
def test_the_iin_in_the_member_list_goes_only_to_entitled_roles(client, world, role):
    payload = login(client, world, role).get("/api/v1/members").json()
    iins = {item["surname"]: item["iin"] for item in payload["items"]}
    assert iins  # every role sees at least one member
    for surname, iin in iins.items():
        if SEES_IIN[role]:
            person = Person.objects.get(surname=surname)
            assert iin == person.iin
        else:
            assert iin is None


def test_the_participant_sees_exactly_one_membership_their_own_with_their_iin(client, world):
    payload = login(client, world, "participant").get("/api/v1/members", {"status": "all"}).json()
    assert payload["count"] == 1
    [item] = payload["items"]
    assert item["person_id"] == world.member1.pk
    assert item["iin"] == world.member1.iin
    assert item["commission_code"] == "PEC-19-0001"


def test_a_trainer_who_is_a_registry_member_sees_their_own_iin_and_no_one_elses(client, world):
    world.trainer.person = world.member2
    world.trainer.save()
    payload = login(client, world, "trainer").get("/api/v1/members").json()
    iins = {item["person_id"]: item["iin"] for item in payload["items"]}
    assert iins == {world.chair.pk: None, world.member1.pk: None, world.member2.pk: world.member2.iin}
    own = client.get(f"/api/v1/members/{membership_of(world.member2).pk}").json()
    other = client.get(f"/api/v1/members/{membership_of(world.member1).pk}").json()
    assert own["iin"] == world.member2.iin
    assert other["iin"] is None


def test_a_trainer_without_a_region_sees_the_whole_country_but_no_iin(client, world):
    world.trainer.region = None
    world.trainer.save()
    login(client, world, "trainer")
    assert client.get("/api/v1/commissions").json()["count"] == ALL_COMMISSIONS
    members = client.get("/api/v1/members").json()
    assert member_names(members) == EXPECTED_MEMBERS["admin"]
    assert {item["iin"] for item in members["items"]} == {None}


def test_an_inactive_user_with_a_live_session_sees_nothing(client, world):
    client.force_login(world.coordinator)
    User.objects.filter(pk=world.coordinator.pk).update(is_active=False)
    assert client.get("/api/v1/members").status_code == 401
    assert client.get("/registry/members/").status_code == 302


def test_regions_are_a_public_reference_list_for_every_signed_in_role(client, world):
    payload = login(client, world, "participant").get("/api/v1/regions").json()
    assert len(payload) == 20
    assert {"KZ-19", "KZ-10", "KZ-75"} <= {region["iso_code"] for region in payload}


# --- Detail endpoints: another region's records are "not found" ---------------------------------


def commission_id(world, target) -> int:
    return getattr(world, target).pk


@pytest.mark.parametrize(("role", "target"), commission_page_cases())
def test_a_commission_in_the_api_is_found_only_within_the_roles_scope(client, world, role, target):
    response = login(client, world, role).get(f"/api/v1/commissions/{commission_id(world, target)}")
    if target in VISIBLE[role]:
        assert response.status_code == 200
        assert response.json()["code"] == getattr(world, target).code
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("role", "target"), people_cases())
def test_a_member_in_the_api_is_found_only_within_the_roles_scope(client, world, role, target):
    person = getattr(world, target)
    response = login(client, world, role).get(f"/api/v1/members/{membership_of(person).pk}")
    if target in VISIBLE[role]:
        assert response.status_code == 200
        body = response.json()
        assert body["person_id"] == person.pk
        entitled = SEES_IIN[role] and (role != "participant" or person == world.member1)
        assert body["iin"] == (person.iin if entitled else None)
    else:
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_another_regions_member_looks_exactly_like_a_missing_one(client, world):
    login(client, world, "coordinator")
    other = client.get(f"/api/v1/members/{membership_of(world.abai_member).pk}")
    missing = client.get("/api/v1/members/999999")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


@pytest.mark.parametrize(("role", "target"), commission_page_cases())
def test_a_commission_page_opens_only_within_the_roles_scope(client, world, role, target):
    commission = getattr(world, target)
    response = login(client, world, role).get(f"/registry/c/{commission.pk}/")
    if target in VISIBLE[role]:
        assert response.status_code == 200
        assert response.context["commission"] == commission
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("role", "target"), commission_page_cases())
def test_the_children_of_a_commission_open_only_within_the_roles_scope(client, world, role, target):
    commission = getattr(world, target)
    response = login(client, world, role).get(f"/registry/c/{commission.pk}/children/")
    if target in VISIBLE[role]:
        assert response.status_code == 200
        children = {c.code for c in Commission.objects.filter(parent=commission)}
        visible = children if role in ("admin", "auditor") else children & EXPECTED_COMMISSION_CODES[role]
        assert {node.code for node in response.context["nodes"]} == visible
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("role", "target"), people_cases())
def test_a_person_page_opens_only_within_the_roles_scope(client, world, role, target):
    person = getattr(world, target)
    response = login(client, world, role).get(f"/registry/p/{person.pk}/")
    if target in VISIBLE[role]:
        assert response.status_code == 200
        entitled = SEES_IIN[role] and (role != "participant" or person == world.member1)
        assert (person.iin in response.content.decode()) is entitled
        assert person.masked_iin in response.content.decode() or entitled
    else:
        assert response.status_code == 404


def test_the_children_fragment_lists_the_two_precincts_of_the_tec(client, world):
    response = login(client, world, "coordinator").get(f"/registry/c/{world.tec.pk}/children/", HTTP_X_FRAGMENT="1")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "commissions/_children.html"
    assert {node.code for node in response.context["nodes"]} == {"PEC-19-0001", "PEC-19-0002"}


def test_the_participant_sees_only_their_own_row_on_their_commissions_page(client, world):
    response = login(client, world, "participant").get(f"/registry/c/{world.pec1.pk}/")
    assert [m.person for m in response.context["members"]] == [world.member1]


def test_a_coordinator_sees_only_their_regions_memberships_on_a_shared_persons_page(client, world):
    # Seat the Abai chair in Almaty too, in the past: both coordinators may now open the person.
    Membership.objects.create(person=world.abai_member, commission=world.pec2, position=Position.MEMBER,
                              basis=Basis.NON_PERMANENT, term_start=datetime.date(2015, 1, 1),
                              term_end=datetime.date(2019, 12, 31))
    response = login(client, world, "coordinator").get(f"/registry/p/{world.abai_member.pk}/")
    assert response.status_code == 200
    assert [m.commission.code for m in response.context["memberships"]] == ["PEC-19-0002"]


# --- Pages that list --------------------------------------------------------------------------

TREE_ROOTS = {
    "admin": {"CEC"}, "auditor": {"CEC"}, "coordinator": {"TEC-19"}, "trainer": {"TEC-19"},
    "abai_coordinator": {"TEC-10"}, "participant": {"PEC-19-0001"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_registry_tree_starts_at_the_top_the_role_may_see(client, world, role):
    response = login(client, world, role).get("/registry/")
    assert response.status_code == 200
    assert {node.code for node in response.context["roots"]} == TREE_ROOTS[role]
    for code in TREE_ROOTS[role]:
        assert f'<span class="muted">{code} ·' in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_commission_search_on_the_registry_page_stays_in_scope(client, world, role):
    response = login(client, world, role).get("/registry/", {"q": "TEC-1"})
    codes = {c.code for c in response.context["page"]}
    if role in ("admin", "auditor"):
        # TEC-10, -11, -15, -19 and the two city TECs under TEC-10 and TEC-19.
        assert codes == {"TEC-10", "TEC-11", "TEC-15", "TEC-19", "TEC-10-01", "TEC-19-01"}
    else:
        assert codes == {c for c in EXPECTED_COMMISSION_CODES[role] if c.startswith("TEC-1")}


@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_lists_only_what_the_role_may_see(client, world, role):
    response = login(client, world, role).get("/registry/members/")
    assert response.status_code == 200
    page = response.context["page"]
    assert {m.person.surname for m in page} == EXPECTED_MEMBERS[role]
    assert page.paginator.count == len(EXPECTED_MEMBERS[role])
    content = response.content.decode()
    for name in EXPECTED_MEMBERS["admin"] - EXPECTED_MEMBERS[role]:
        assert name not in content


@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_shows_iins_only_to_administrators_and_coordinators(client, world, role):
    content = login(client, world, role).get("/registry/members/").content.decode()
    shown = {p.surname for p in (world.chair, world.member1, world.member2, world.abai_member) if p.iin in content}
    if role in ("admin", "coordinator", "abai_coordinator"):
        assert shown == EXPECTED_MEMBERS[role]
    else:
        assert shown == set()


@pytest.mark.parametrize("role", ROLES)
def test_the_member_export_holds_the_roles_rows_and_the_iin_column_only_for_entitled_roles(client, world, role):
    response = login(client, world, role).get("/registry/members/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["surname"] for row in rows} == EXPECTED_MEMBERS[role]
    managing = role in ("admin", "coordinator", "abai_coordinator")
    assert ("iin" in rows[0]) is managing
    if managing:
        assert {row["iin"] for row in rows} == {
            Person.objects.get(surname=row["surname"]).iin for row in rows
        }


def test_the_member_export_as_xlsx_is_a_workbook_with_one_row_per_member(client, world):
    from openpyxl import load_workbook

    response = login(client, world, "coordinator").get("/registry/members/export/", {"format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "iin"
    assert sorted(row[1] for row in rows[1:]) == sorted(EXPECTED_MEMBERS["coordinator"])


def test_the_member_export_keeps_contact_details_from_roles_without_personal_data(client, world):
    Person.objects.filter(pk=world.member1.pk).update(phone="+77010000000")
    response = login(client, world, "trainer").get("/registry/members/export/", {"format": "csv"})
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "phone" not in header
    assert "email" not in header


@pytest.mark.parametrize("role", ROLES)
def test_the_import_page_opens_only_for_administrators_and_coordinators(client, world, role):
    response = login(client, world, role).get("/registry/import/")
    assert response.status_code == (200 if role in MANAGES_REGISTRY else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_invitations_page_opens_only_for_administrators_and_coordinators(client, world, role):
    response = login(client, world, role).get("/accounts/invitations/")
    assert response.status_code == (200 if role in MANAGES_REGISTRY else 403)


def test_the_invitations_form_offers_a_coordinator_only_their_regions_commissions(client, world):
    response = login(client, world, "coordinator").get("/accounts/invitations/")
    offered = {c.code for c in response.context["form"].fields["commission"].queryset}
    assert offered == ALMATY_CODES


@pytest.mark.parametrize("role", ROLES)
def test_the_audit_page_opens_for_administrators_auditors_and_coordinators_only(client, world, role):
    response = login(client, world, role).get("/audit/")
    assert response.status_code == (200 if role in SEES_AUDIT else 403)


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_links_to_import_invitations_and_audit_only_for_roles_that_may_use_them(client, world, role):
    content = login(client, world, role).get("/registry/").content.decode()
    assert ('href="/registry/import/"' in content) is (role in MANAGES_REGISTRY)
    assert ('href="/accounts/invitations/"' in content) is (role in MANAGES_REGISTRY)
    assert ('href="/audit/"' in content) is (role in SEES_AUDIT)


# --- Searching by IIN -----------------------------------------------------------------------------

IIN_SEARCH_HITS = {"admin": 1, "coordinator": 1, "abai_coordinator": 0, "trainer": 0, "auditor": 0, "participant": 0}


@pytest.mark.parametrize("role", ROLES)
def test_searching_members_by_iin_finds_someone_only_for_roles_entitled_to_iins(client, world, role):
    login(client, world, role)
    payload = client.get("/api/v1/members", {"q": world.member2.iin}).json()
    assert payload["count"] == IIN_SEARCH_HITS[role]
    page = client.get("/registry/members/", {"q": world.member2.iin}).context["page"]
    assert page.paginator.count == IIN_SEARCH_HITS[role]
    export = client.get("/registry/members/export/", {"q": world.member2.iin, "format": "csv"})
    assert len(export.content.decode("utf-8-sig").strip().splitlines()) == 1 + IIN_SEARCH_HITS[role]


def test_the_same_member_is_found_by_surname_by_a_trainer_who_cannot_search_by_iin(client, world):
    login(client, world, "trainer")
    assert client.get("/api/v1/members", {"q": "Иванов"}).json()["count"] == 1
    assert client.get("/api/v1/members", {"q": world.member2.iin}).json()["count"] == 0


def test_a_coordinator_cannot_reach_another_regions_person_through_filters(client, world):
    login(client, world, "coordinator")
    assert client.get("/api/v1/members", {"commission": world.abai_tec.pk}).json()["count"] == 0
    assert client.get("/api/v1/members", {"region": "KZ-10"}).json()["count"] == 0
    assert client.get("/api/v1/members", {"q": world.abai_member.iin}).json()["count"] == 0
    assert client.get("/api/v1/commissions", {"region": "KZ-10"}).json()["count"] == 0
    assert client.get("/api/v1/commissions", {"parent": world.abai_tec.parent_id}).json()["count"] == 0


# --- Pagination and filters -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/commissions"])
def test_a_page_size_of_500_is_accepted(client, world, path):
    response = login(client, world, "admin").get(path, {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["page_size"] == 500


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/commissions"])
@pytest.mark.parametrize("params", [{"page_size": 501}, {"page_size": 0}, {"page": 0}])
def test_a_page_size_above_500_or_a_page_below_1_is_rejected_with_422(client, world, path, params):
    response = login(client, world, "admin").get(path, params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_pages_of_members_follow_each_other_without_overlap(client, world):
    login(client, world, "admin")
    first = client.get("/api/v1/members", {"page_size": 3, "page": 1}).json()
    second = client.get("/api/v1/members", {"page_size": 3, "page": 2}).json()
    third = client.get("/api/v1/members", {"page_size": 3, "page": 3}).json()
    assert first["count"] == second["count"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1 and third["items"] == []
    assert member_names(first) | member_names(second) == EXPECTED_MEMBERS["admin"]
    assert [item["commission_code"] for item in first["items"] + second["items"]] == sorted(
        ["PEC-19-0001", "PEC-19-0002", "TEC-10-01", "TEC-19-01"]
    )


@pytest.mark.parametrize(("params", "expected"), [
    ({"level": "precinct"}, {"PEC-19-0001", "PEC-19-0002"}),
    ({"level": "territorial"}, {"TEC-19-01", "TEC-10-01"}),
    ({"level": "cec"}, {"CEC"}),
    ({"region": "KZ-19"}, ALMATY_CODES),
    ({"region": "kz-10"}, ABAI_CODES),
    ({"region": "KZ-19", "level": "precinct"}, {"PEC-19-0001", "PEC-19-0002"}),
    ({"parent": "tec"}, {"PEC-19-0001", "PEC-19-0002"}),
    ({"q": "Конаев"}, {"TEC-19-01"}),
    ({"q": "semey"}, {"TEC-10-01"}),
    ({"q": "PEC-19"}, {"PEC-19-0001", "PEC-19-0002"}),
    ({"q": "2"}, {"PEC-19-0002"}),
])
def test_each_commission_filter_narrows_the_list(client, world, params, expected):
    if params.get("parent") == "tec":
        params = {"parent": world.tec.pk}
    payload = login(client, world, "admin").get("/api/v1/commissions", {**params, "page_size": 500}).json()
    assert {item["code"] for item in payload["items"]} == expected
    assert payload["count"] == len(expected)


def test_an_unknown_level_is_rejected_with_422(client, world):
    response = login(client, world, "admin").get("/api/v1/commissions", {"level": "galactic"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.fixture
def former_member(world):
    person = Person.objects.create(iin=make_iin(50, year=1970), surname="Бұрынғы", first_name="Әсел")
    Membership.objects.create(person=person, commission=world.pec1, position=Position.DEPUTY_CHAIR,
                              basis=Basis.NON_PERMANENT, term_start=datetime.date(2016, 4, 1),
                              term_end=datetime.date(2021, 3, 31))
    return person


@pytest.mark.parametrize(("params", "expected"), [
    ({"commission": "pec1"}, {"Омарова"}),
    ({"commission": "tec"}, {"Ахметов"}),
    ({"region": "KZ-10"}, {"Сейітов"}),
    ({"region": "kz-19"}, {"Ахметов", "Омарова", "Иванов"}),
    ({"level": "territorial"}, {"Ахметов", "Сейітов"}),
    ({"level": "precinct"}, {"Омарова", "Иванов"}),
    ({"position": "secretary"}, {"Иванов"}),
    ({"position": "chair"}, {"Ахметов", "Сейітов"}),
    ({"basis": "permanent"}, {"Ахметов", "Сейітов"}),
    ({"basis": "non_permanent"}, {"Омарова", "Иванов"}),
    ({"q": "Омар"}, {"Омарова"}),
    ({"q": "Андр"}, {"Иванов"}),
    ({"q": "Иванов Андрей"}, {"Иванов"}),
    ({"q": "Иванов Ерлан"}, set()),
    ({"q": "tec-19-01"}, {"Ахметов"}),
    ({"status": "all", "commission": "pec1"}, {"Омарова", "Бұрынғы"}),
    ({"status": "all", "position": "deputy_chair"}, {"Бұрынғы"}),
    ({"position": "deputy_chair"}, set()),
])
def test_each_member_filter_narrows_the_list(client, world, former_member, params, expected):
    if params.get("commission") in ("pec1", "tec"):
        params = {**params, "commission": getattr(world, params["commission"]).pk}
    payload = login(client, world, "admin").get("/api/v1/members", params).json()
    assert member_names(payload) == expected
    assert payload["count"] == len(expected)


@pytest.mark.parametrize("q", ["андрей", "ИВАНОВ", "омарова айгүл"])
def test_searching_members_by_name_ignores_the_case_of_cyrillic_letters(client, world, q):
    payload = login(client, world, "admin").get("/api/v1/members", {"q": q}).json()
    assert payload["count"] == 1


@pytest.mark.parametrize("params", [{"position": "king"}, {"basis": "sometimes"}, {"status": "past"}])
def test_an_unknown_member_filter_value_is_rejected_with_422(client, world, params):
    response = login(client, world, "admin").get("/api/v1/members", params)
    assert response.status_code == 422


@pytest.mark.parametrize(("params", "expected"), [
    ({"level": "precinct"}, {"Омарова", "Иванов"}),
    ({"position": "chair"}, {"Ахметов", "Сейітов"}),
    ({"basis": "non_permanent"}, {"Омарова", "Иванов"}),
    ({"region": "KZ-10"}, {"Сейітов"}),
    ({"q": "Сейі"}, {"Сейітов"}),
])
def test_the_members_page_filters_narrow_the_list(client, world, params, expected):
    page = login(client, world, "admin").get("/registry/members/", params).context["page"]
    assert {m.person.surname for m in page} == expected


def test_the_commission_page_lists_former_members_apart_from_current_ones(client, world, former_member):
    response = login(client, world, "admin").get(f"/registry/c/{world.pec1.pk}/")
    assert [m.person for m in response.context["members"]] == [world.member1]
    assert [m.person for m in response.context["past_members"]] == [former_member]


# --- Query counts do not grow with rows --------------------------------------------------------------

API_MEMBERS_QUERIES = 4  # session, user, count, page
PAGE_MEMBERS_QUERIES = 5  # session, user, the regions for the filter, count, page


@pytest.mark.parametrize("role", ["admin", "coordinator", "participant"])
def test_the_member_list_in_the_api_takes_the_same_few_queries_for_4_or_34_rows(
    client, world, role, django_assert_max_num_queries
):
    login(client, world, role)
    with django_assert_max_num_queries(API_MEMBERS_QUERIES):
        before = client.get("/api/v1/members", {"page_size": 100}).json()
    add_members(world.pec1, 30)
    with django_assert_max_num_queries(API_MEMBERS_QUERIES):
        after = client.get("/api/v1/members", {"page_size": 100}).json()
    grown = 0 if role == "participant" else 30
    assert after["count"] == before["count"] + grown
    assert len(after["items"]) == before["count"] + grown


def test_a_bearer_token_adds_no_per_row_queries_to_the_member_list(client, world, django_assert_max_num_queries):
    from saylau.accounts.services import api_token_create

    token = api_token_create(user=world.admin)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/members", **headers)  # the first use records last_used_at
    add_members(world.pec1, 30)
    with django_assert_max_num_queries(3):  # token with user, count, page
        payload = client.get("/api/v1/members", {"page_size": 100}, **headers).json()
    assert payload["count"] == 34


@pytest.mark.parametrize("role", ["admin", "coordinator", "trainer"])
def test_the_members_page_takes_the_same_few_queries_for_4_or_34_rows(
    client, world, role, django_assert_max_num_queries
):
    login(client, world, role)
    with django_assert_max_num_queries(PAGE_MEMBERS_QUERIES):
        before = client.get("/registry/members/")
    add_members(world.pec1, 30)
    with django_assert_max_num_queries(PAGE_MEMBERS_QUERIES):
        after = client.get("/registry/members/")
    assert after.context["page"].paginator.count == before.context["page"].paginator.count + 30
    assert "Extra129" in after.content.decode()


def test_the_registry_tree_page_takes_the_same_few_queries_however_many_members(
    client, world, django_assert_max_num_queries
):
    login(client, world, "coordinator")
    add_members(world.pec1, 30)
    with django_assert_max_num_queries(5):
        response = client.get("/registry/")
    assert response.status_code == 200


def test_a_commission_created_in_another_region_stays_invisible_to_the_coordinator(client, world):
    other = Commission.objects.create(level=Level.PRECINCT, code="PEC-10-0001", number="1", parent=world.abai_tec,
                                      region=world.abai, name_kk="x", name_ru="x")
    login(client, world, "coordinator")
    assert client.get(f"/api/v1/commissions/{other.pk}").status_code == 404
    assert client.get(f"/registry/c/{other.pk}/").status_code == 404
    assert client.get(f"/registry/c/{other.pk}/children/").status_code == 404
    assert "PEC-10-0001" not in {c["code"] for c in client.get("/api/v1/commissions").json()["items"]}


def test_role_choices_cover_every_role_the_matrix_tests(world):
    assert {getattr(world, role).role for role in ROLES} == set(Role.values)

import datetime
from typing import Literal

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema

from . import selectors
from .models import Basis, Level, Position
from .scoping import access_commission_by_id, access_membership_by_id, can_see_iin

router = Router(tags=["registry"])

MAX_PAGE_SIZE = 500


class PageQuery(Schema):
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


class RegionOut(Schema):
    iso_code: str
    name_kk: str
    name_ru: str
    name_en: str


class CommissionOut(Schema):
    id: int
    code: str
    level: str
    number: str
    region: str | None
    name_kk: str
    name_ru: str
    name_en: str
    parent: int | None
    address: str
    phone: str
    email: str
    conducts_elections: bool
    conducts_referendums: bool


class CommissionPage(Schema):
    items: list[CommissionOut]
    count: int
    page: int
    page_size: int


class CommissionFilters(PageQuery):
    level: Level | None = None
    region: str | None = Field(None, description="ISO 3166-2:KZ code, e.g. KZ-19")
    parent: int | None = None
    q: str | None = None


class MemberOut(Schema):
    id: int
    person_id: int
    iin: str | None = Field(None, description="Only for roles entitled to personal data")
    surname: str
    first_name: str
    patronymic: str
    commission: int
    commission_code: str
    region: str | None
    position: str
    basis: str
    term_start: datetime.date | None
    term_end: datetime.date | None


class MemberPage(Schema):
    items: list[MemberOut]
    count: int
    page: int
    page_size: int


class MemberFilters(PageQuery):
    commission: int | None = None
    region: str | None = Field(None, description="ISO 3166-2:KZ code, e.g. KZ-19")
    level: Level | None = None
    position: Position | None = None
    basis: Basis | None = None
    q: str | None = Field(None, description="Name, commission code, or IIN (entitled roles only)")
    status: Literal["current", "all"] = "current"


def _commission_out(commission) -> dict:
    return {
        "id": commission.pk, "code": commission.code, "level": commission.level, "number": commission.number,
        "region": commission.region.iso_code if commission.region_id else None,
        "name_kk": commission.name_kk, "name_ru": commission.name_ru, "name_en": commission.name_en,
        "parent": commission.parent_id, "address": commission.address, "phone": commission.phone,
        "email": commission.email, "conducts_elections": commission.conducts_elections,
        "conducts_referendums": commission.conducts_referendums,
    }


# The columns _member_out reads: a page of 100 members then loads neither the people's contact
# details nor the commissions' names and addresses.
MEMBER_OUT_FIELDS = (
    "person", "commission", "position", "basis", "term_start", "term_end",
    "person__iin", "person__surname", "person__first_name", "person__patronymic",
    "commission__code", "commission__region", "commission__region__iso_code",
)


def _member_out(membership, show_iin: bool) -> dict:
    person = membership.person
    return {
        "id": membership.pk, "person_id": person.pk, "iin": person.iin if show_iin else None,
        "surname": person.surname, "first_name": person.first_name, "patronymic": person.patronymic,
        "commission": membership.commission_id, "commission_code": membership.commission.code,
        "region": membership.commission.region.iso_code if membership.commission.region_id else None,
        "position": membership.position, "basis": membership.basis,
        "term_start": membership.term_start, "term_end": membership.term_end,
    }


def _page(qs: QuerySet, page: int, page_size: int) -> tuple[list, int]:
    offset = (page - 1) * page_size
    return list(qs[offset:offset + page_size]), qs.count()


@router.get("/regions", response=list[RegionOut])
def list_regions(request):
    return list(selectors.regions())


@router.get("/commissions", response=CommissionPage)
def list_commissions(request, filters: Query[CommissionFilters]):
    qs = selectors.commission_list(
        request.auth, level=filters.level, region=filters.region, parent=filters.parent, q=filters.q
    )
    items, count = _page(qs, filters.page, filters.page_size)
    return {"items": [_commission_out(c) for c in items], "count": count, "page": filters.page,
            "page_size": filters.page_size}


@router.get("/commissions/{commission_id}", response=CommissionOut)
def get_commission(request, commission_id: int):
    return _commission_out(access_commission_by_id(request.auth, commission_id))


@router.get("/members", response=MemberPage)
def list_members(request, filters: Query[MemberFilters]):
    qs = selectors.member_list(
        request.auth, commission=filters.commission, region=filters.region, level=filters.level,
        position=filters.position, basis=filters.basis, q=filters.q, include_past=filters.status == "all",
    ).only(*MEMBER_OUT_FIELDS)
    items, count = _page(qs, filters.page, filters.page_size)
    show_iin = can_see_iin(request.auth)
    return {
        "items": [_member_out(m, show_iin or m.person_id == request.auth.person_id) for m in items],
        "count": count, "page": filters.page, "page_size": filters.page_size,
    }


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request, member_id: int):
    membership = access_membership_by_id(request.auth, member_id)
    return _member_out(membership, can_see_iin(request.auth, membership.person))

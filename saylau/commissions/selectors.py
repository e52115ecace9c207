"""Scoped reads of the registry, shared by pages, the API and exports."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import LEVEL_ORDER, Commission, Membership, Person, Region
from .scoping import can_see_iin, commissions_visible_to, memberships_visible_to


def _name_query(q: str) -> Q:
    return Q(name_kk__icontains=q) | Q(name_ru__icontains=q) | Q(name_en__icontains=q)


def _member_word_query(word: str) -> Q:
    """Memberships whose person's surname, first name or patronymic starts with ``word`` (any case), or
    whose commission code is ``word`` (any case).

    The names are matched in a subquery over people (PostgreSQL answers it from the UPPER(…)
    text_pattern_ops indexes of migration 0004) and the commission codes are looked up first, so that
    the membership side is a semi-join on person_id rather than a filter over every membership joined
    with its person. An OR across the two tables in one WHERE clause would defeat every index.
    """
    people = Person.objects.filter(
        Q(surname__istartswith=word) | Q(first_name__istartswith=word) | Q(patronymic__istartswith=word)
    ).values("pk")
    condition = Q(person__in=people)
    commission_ids = list(Commission.objects.filter(code__iexact=word).order_by().values_list("pk", flat=True))
    if commission_ids:
        condition |= Q(commission_id__in=commission_ids)
    return condition


def commission_list(user, *, level: str | None = None, region: str | None = None, parent: int | None = None,
                    q: str | None = None) -> QuerySet[Commission]:
    qs = commissions_visible_to(user).select_related("region", "parent")
    if level:
        qs = qs.filter(level=level)
    if region:
        qs = qs.filter(region__iso_code=region.upper())
    if parent:
        qs = qs.filter(parent_id=parent)
    if q := (q or "").strip():
        qs = qs.filter(_name_query(q) | Q(code__istartswith=q) | Q(number=q))
    return qs.order_by("code")


def member_list(user, *, commission: int | None = None, region: str | None = None, level: str | None = None,
                position: str | None = None, basis: str | None = None, q: str | None = None,
                include_past: bool = False) -> QuerySet[Membership]:
    qs = memberships_visible_to(user).select_related("person", "commission", "commission__region")
    if not include_past:
        qs = qs.current()
    if commission:
        qs = qs.filter(commission_id=commission)
    if region:
        qs = qs.filter(commission__region__iso_code=region.upper())
    if level:
        qs = qs.filter(commission__level=level)
    if position:
        qs = qs.filter(position=position)
    if basis:
        qs = qs.filter(basis=basis)
    if q := (q or "").strip():
        if q.isdigit() and len(q) == 12:
            # Searching by IIN is itself a disclosure: only roles entitled to IINs may do it.
            qs = qs.filter(person__iin=q) if can_see_iin(user) else qs.none()
        else:
            for word in q.split():
                qs = qs.filter(_member_word_query(word))
    return qs.order_by("commission__code", "position", "person__surname", "person__first_name", "pk")


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("iso_code")


def annotated_commissions(user) -> QuerySet[Commission]:
    """Visible commissions with how many children and current members each has."""
    today = timezone.localdate()
    current = (Q(memberships__term_start__isnull=True) | Q(memberships__term_start__lte=today)) & (
        Q(memberships__term_end__isnull=True) | Q(memberships__term_end__gte=today)
    )
    return (
        commissions_visible_to(user)
        .select_related("region")
        .annotate(
            children_count=Count("children", distinct=True),
            members_count=Count("memberships", filter=current, distinct=True),
        )
        .order_by("code")
    )


def child_commissions(user, parent: Commission) -> QuerySet[Commission]:
    return annotated_commissions(user).filter(parent=parent)


def tree_roots(user) -> QuerySet[Commission]:
    """The top of the tree a user may see: the CEC for national roles, else their highest commissions."""
    present = set(commissions_visible_to(user).order_by().values_list("level", flat=True).distinct())
    for level in LEVEL_ORDER:
        if level in present:
            return annotated_commissions(user).filter(level=level)
    return Commission.objects.none()


def ancestors(commission: Commission) -> list[Commission]:
    chain = []
    node = commission.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def subtree_ids(commission: Commission) -> list[int]:
    """The commission and everything below it, one query per level (at most four)."""
    ids = [commission.pk]
    frontier = [commission.pk]
    while frontier:
        frontier = list(Commission.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def filtered_memberships(user, data: dict) -> QuerySet[Membership]:
    """Current memberships the user may see that match an enrolment filter: region, a commission and everything
    under it, levels, positions, basis, and "new members since" a day (their term started on or after it)."""
    memberships = memberships_visible_to(user).current()
    if data.get("region"):
        memberships = memberships.filter(commission__region=data["region"])
    if data.get("under"):
        memberships = memberships.filter(commission_id__in=subtree_ids(data["under"]))
    if data.get("level"):
        memberships = memberships.filter(commission__level__in=data["level"])
    if data.get("position"):
        memberships = memberships.filter(position__in=data["position"])
    if data.get("basis"):
        memberships = memberships.filter(basis=data["basis"])
    if data.get("since"):
        memberships = memberships.filter(term_start__gte=data["since"])
    return memberships

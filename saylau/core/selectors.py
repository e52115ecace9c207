from django.db.models import Q, QuerySet

from saylau.accounts.models import Role

from .models import AuditEntry


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """The trail is national for administrators and auditors; a coordinator sees what was done in their region."""
    qs = AuditEntry.objects.all()
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return qs
    if user.role == Role.COORDINATOR:
        from saylau.commissions.scoping import commissions_visible_to, memberships_visible_to, people_visible_to

        return qs.filter(
            Q(object_type="commissions.commission", object_id__in=_ids(commissions_visible_to(user)))
            | Q(object_type="commissions.person", object_id__in=_ids(people_visible_to(user)))
            | Q(object_type="commissions.membership", object_id__in=_ids(memberships_visible_to(user)))
            | Q(actor=user)
        )
    return qs.none()


def _ids(qs):
    from django.db.models import CharField
    from django.db.models.functions import Cast

    return qs.annotate(text_id=Cast("pk", CharField())).values("text_id")

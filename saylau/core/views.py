from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from saylau.commissions.scoping import can_see_audit, can_see_iin
from saylau.commissions.selectors import member_list, tree_roots

from .audit import redact
from .selectors import audit_entries_visible_to


@login_required
def home(request):
    members = member_list(request.user)
    context = {
        "roots": tree_roots(request.user),
        "members_count": members.count(),
        "chairs_count": members.filter(position="chair").count(),
    }
    return render(request, "core/home.html", context)


@login_required
def audit_log(request):
    if not can_see_audit(request.user):
        raise PermissionDenied
    entries = audit_entries_visible_to(request.user).select_related("actor")
    if action := request.GET.get("action", "").strip():
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    show_iin = can_see_iin(request.user)
    rows = [(entry, redact(entry.changes, show_iin=show_iin)) for entry in page]
    return render(request, "core/audit.html", {"page": page, "rows": rows, "action": action})


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

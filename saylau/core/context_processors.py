from django.conf import settings

from saylau.commissions.scoping import can_manage_registry, can_see_audit
from saylau.core.i18n import current_language


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "LANGUAGE_CHOICES": settings.LANGUAGES,
        "CURRENT_LANGUAGE": current_language(),
        "can_manage_registry": bool(user and can_manage_registry(user)),
        "can_see_audit": bool(user and can_see_audit(user)),
    }

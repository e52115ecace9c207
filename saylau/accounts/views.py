from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from saylau.commissions.models import Membership
from saylau.commissions.scoping import can_manage_registry, editable_commissions, people_visible_to
from saylau.commissions.selectors import subtree_ids
from saylau.core.errors import DomainError
from saylau.core.throttle import client_ip, hit

from . import services
from .forms import ActivateByCodeForm, ChoosePasswordForm, InvitationForm, LoginForm, UserAccessForm
from .models import Channel, Invitation, Role, User

ACTIVATION_ATTEMPTS_PER_HOUR = 20


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _choose_password(request, invitation, session_key: str | None = None):
    submitted = request.method == "POST" and "new_password1" in request.POST
    form = ChoosePasswordForm(invitation.user, request.POST if submitted else None)
    if form.is_bound and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        except services.InvitationInvalid as exc:
            messages.error(request, exc.message)
            return redirect("accounts:activate")
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            if session_key:
                request.session.pop(session_key, None)
            login(request, user, backend="saylau.accounts.backends.UsernameOrIINBackend")
            messages.success(request, _("Your password is set. Welcome!"))
            return redirect("core:home")
    return render(request, "accounts/choose_password.html", {"form": form, "person": invitation.person})


@require_http_methods(["GET", "POST"])
def activate_by_code(request):
    """Step 1: IIN and printed code; step 2 (same URL): choose a password."""
    invitation_id = request.session.get("activation_invitation")
    if invitation_id and request.method == "POST" and "new_password1" in request.POST:
        invitation = Invitation.objects.select_related("user", "person").filter(pk=invitation_id).first()
        if invitation is not None and invitation.is_usable:
            return _choose_password(request, invitation, "activation_invitation")
    form = ActivateByCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not hit(f"activate:{client_ip(request)}", limit=ACTIVATION_ATTEMPTS_PER_HOUR, window_seconds=3600):
            form.add_error(None, _("Too many attempts. Try again in an hour."))
        else:
            try:
                invitation = services.invitation_by_code(iin=form.cleaned_data["iin"], code=form.cleaned_data["code"])
            except services.InvitationInvalid as exc:
                form.add_error(None, exc.message)
            else:
                request.session["activation_invitation"] = invitation.pk
                return _choose_password(request, invitation, "activation_invitation")
    return render(request, "accounts/activate.html", {"form": form})


@require_http_methods(["GET", "POST"])
def activate_by_link(request, secret: str):
    try:
        invitation = services.invitation_by_link(secret)
    except services.InvitationInvalid as exc:
        return render(request, "accounts/activate.html", {"form": ActivateByCodeForm(), "link_error": exc.message},
                      status=400)
    return _choose_password(request, invitation)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request):
    if not can_manage_registry(request.user):
        raise PermissionDenied
    commissions = editable_commissions(request.user).order_by("code")
    form = InvitationForm(request.POST or None, commissions=commissions)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        commission = form.cleaned_data["commission"]
        commission_ids = subtree_ids(commission) if form.cleaned_data["include_subordinate"] else [commission.pk]
        current = Membership.objects.current().filter(commission_id__in=commission_ids)
        people = list(
            people_visible_to(request.user).filter(pk__in=current.values("person_id")).order_by("surname", "first_name")
        )
        if form.cleaned_data["channel"] == Channel.PRINT:
            issued = services.invitations_print(by=request.user, people=people)
            return render(request, "accounts/invitation_sheet.html", {
                "issued": [(item, services.format_code(item.secret)) for item in issued],
                "commission": commission,
                "site": settings.SITE_URL,
            })
        queued = services.invitations_email(by=request.user, people=people)
        messages.success(request, ngettext("%(count)s invitation e-mail is being sent.",
                                           "%(count)s invitation e-mails are being sent.", queued) % {"count": queued})
        return redirect("accounts:invitations")
    return render(request, "accounts/invitations.html", context)



@login_required
def users(request):
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    qs = User.objects.select_related("region", "person").order_by("username")
    role = request.GET.get("role", "")
    if role in Role.values:
        qs = qs.filter(role=role)
    if query := request.GET.get("q", "").strip():
        qs = qs.filter(Q(username__icontains=query) | Q(last_name__icontains=query) | Q(person__iin=query))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users.html", {"page": page, "roles": Role.choices, "role": role, "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def user_access(request, user_id: int):
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    account = get_object_or_404(User, pk=user_id)
    initial = {"role": account.role, "region": account.region, "is_active": account.is_active}
    form = UserAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_access(by=request.user, user=account, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Access of %(user)s is saved.") % {"user": account.username})
            return redirect("accounts:users")
    return render(request, "accounts/user_access.html", {"form": form, "account": account})

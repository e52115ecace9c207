import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("CEC administrator")
    COORDINATOR = "coordinator", _("regional coordinator")
    TRAINER = "trainer", _("trainer")
    PARTICIPANT = "participant", _("participant")
    AUDITOR = "auditor", _("auditor")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PARTICIPANT)
    region = models.ForeignKey(
        "commissions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("A regional coordinator sees this region's commissions and people only."),
    )
    person = models.OneToOneField(
        "commissions.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="coordinator") | models.Q(region__isnull=False),
                name="coordinator_has_region",
            ),
        ]


def token_digest(raw: str) -> str:
    """Secrets are stored as SHA-256 digests: a copy of the database does not let anyone in."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail link")
    PRINT = "print", _("printed code")


class Invitation(models.Model):
    """A one-time way into an account for a person in the registry: a mailed link or a printed code."""

    person = models.ForeignKey(
        "commissions.Person", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("issued by")
    )
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_channel_display()})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()

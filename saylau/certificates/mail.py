"""The certificate mailed to its holder, in the holder's language, with the PDF and the credential attached."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Certificate
from .services import pdf_bytes


def send_certificate(certificate: Certificate) -> bool:
    person = certificate.person
    if not person.email:
        return False
    with translation.override(person.language):
        context = {"certificate": certificate, "person": person,
                   "verify": settings.SITE_URL.rstrip("/") + reverse("certificates:verify_number",
                                                                     args=[certificate.number]),
                   "mine": settings.SITE_URL.rstrip("/") + reverse("certificates:mine")}
        message = EmailMessage(
            subject=_("Your certificate %(number)s: %(award)s") % {"number": certificate.number,
                                                                  "award": certificate.award_title},
            body=render_to_string("certificates/email/certificate.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
        message.attach(f"{certificate.number}.pdf", pdf_bytes(certificate), "application/pdf")
        message.attach(f"{certificate.number}.jwt", certificate.credential, "application/vc+jwt")
        message.send()
    return True

"""The JSON API under /api/v1/: one NinjaAPI, a router per app, errors turned into codes and statuses."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from saylau.accounts.api import router as accounts_router
from saylau.accounts.auth import BearerTokenAuth, SessionAuth
from saylau.assessment.api import router as assessment_router
from saylau.certificates.api import router as certificates_router
from saylau.commissions.api import router as commissions_router
from saylau.core.errors import DomainError
from saylau.courses.api import router as courses_router
from saylau.psychometrics.api import router as psychometrics_router
from saylau.reports.api import router as reports_router
from saylau.training.api import router as training_router

api = NinjaAPI(
    title="Electoral training platform API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"code": exc.code, "detail": str(exc.message)}, status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "detail": _("Authentication credentials were not provided or are invalid.")},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return api.create_response(
        request, {"code": "invalid", "detail": _("The request is not valid."), "errors": exc.errors}, status=422
    )


api.add_router("/", accounts_router)
api.add_router("/", commissions_router)
api.add_router("/", training_router)
api.add_router("/", assessment_router)
api.add_router("/", psychometrics_router)
api.add_router("/", certificates_router)
api.add_router("/", courses_router)
api.add_router("/", reports_router)

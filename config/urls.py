from django.urls import include, path

urlpatterns = [
    path("", include("saylau.core.urls")),
    path("accounts/", include("saylau.accounts.urls")),
    path("registry/", include("saylau.commissions.urls")),
    path("training/", include("saylau.training.urls")),
    path("assessment/", include("saylau.assessment.urls")),
    path("statistics/", include("saylau.psychometrics.urls")),
    path("", include("saylau.certificates.urls")),
    path("", include("saylau.courses.urls")),
    path("reports/", include("saylau.reports.urls")),
    path("api/v1/", include("config.api_urls")),
]

from django.urls import include, path

from .views import bank, exams, take

app_name = "assessment"

urlpatterns = [
    path("bank/", include(bank.urlpatterns)),
    path("tests/", include(exams.urlpatterns)),
    path("", include(take.urlpatterns)),
]

from django.urls import include, path

from .views import learning, library

app_name = "courses"

urlpatterns = [
    path("library/", include(library.urlpatterns)),
    path("courses/", include(learning.urlpatterns)),
]

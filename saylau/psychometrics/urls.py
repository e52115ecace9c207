from django.urls import path

from . import views

app_name = "psychometrics"

urlpatterns = [
    path("tests/<int:exam_id>/", views.test_statistics, name="test"),
    path("tests/<int:exam_id>/refresh/", views.test_refresh, name="test_refresh"),
    path("tests/<int:exam_id>/items.xlsx", views.test_statistics_xlsx, name="test_xlsx"),
    path("tests/<int:exam_id>/pre-post/", views.pre_post_report, name="pre_post"),
    path("bank/", views.bank_health, name="bank"),
    path("items/<int:item_id>/send-back/", views.item_send_back, name="item_send_back"),
    path("people/<int:person_id>/", views.person_history, name="person"),
    path("me/", views.my_history, name="me"),
]

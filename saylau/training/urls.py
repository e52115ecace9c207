from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("calendar/", views.event_calendar_month, name="calendar"),
    path("calendar.ics", views.ical_feed, name="ical"),
    path("new/", views.event_create, name="event_create"),
    path("mine/", views.my_training, name="mine"),
    path("roadmap/", views.roadmap_page, name="roadmap"),
    path("roadmap/<int:year>/", views.roadmap_page, name="roadmap_year"),
    path("roadmap/new/", views.roadmap_create, name="roadmap_create"),
    path("roadmap/<int:year>/items/new/", views.roadmap_item_add, name="roadmap_item_add"),
    path("roadmap/<int:year>/document/", views.roadmap_document, name="roadmap_document"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("check-in/", views.check_in, name="check_in"),
    path("check-in/<str:code>/", views.check_in, name="check_in_code"),
    path("<int:event_id>/", views.event_detail, name="event"),
    path("<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("<int:event_id>/programme/", views.event_programme_print, name="programme"),
    path("<int:event_id>/sessions/new/", views.session_add, name="session_add"),
    path("<int:event_id>/enrol/", views.enrol, name="enrol"),
    path("<int:event_id>/register/", views.self_register, name="register"),
    path("<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("<int:event_id>/close/", views.event_close, name="close"),
    path("<int:event_id>/cascade/", views.cascade_page, name="cascade"),
    path("<int:event_id>/trainers/", views.trainer_add, name="trainer_add"),
    path("enrolments/<int:enrolment_id>/decide/", views.enrolment_decide, name="enrolment_decide"),
    path("sessions/<int:session_id>/roster/", views.roster, name="roster"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:session_id>/qr.svg", views.session_qr, name="session_qr"),
    path("materials/<int:material_id>/", views.material_download, name="material"),
]

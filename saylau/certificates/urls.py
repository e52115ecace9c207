from django.urls import path

from . import views

app_name = "certificates"

# Mounted at the root: the public addresses are short (the QR code's target, the key set).
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify_number, name="verify_number"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("certificates/", views.register, name="register"),
    path("certificates/mine/", views.mine, name="mine"),
    path("certificates/event/<int:event_id>/", views.event_award, name="event_award"),
    path("certificates/test/<int:exam_id>/", views.test_award, name="test_award"),
    path("certificates/course/<int:course_id>/", views.course_award, name="course_award"),
    path("certificates/awards/<int:award_id>", views.achievement, name="achievement"),
    path("certificates/awards/<int:award_id>/issue/", views.bulk_issue, name="bulk_issue"),
    path("certificates/awards/<int:award_id>/by-hand/", views.issue_by_hand, name="issue_by_hand"),
    path("certificates/awards/<int:award_id>/zip/", views.award_zip, name="award_zip"),
    path("certificates/jobs/<int:job_id>/", views.job, name="job"),
    path("certificates/designs/", views.designs, name="designs"),
    path("certificates/designs/<int:commission_id>/", views.design_edit, name="design_edit"),
    path("certificates/status/<int:list_id>", views.status_list, name="status_list"),
    path("certificates/issuer/<str:code>", views.issuer, name="issuer"),
    path("certificates/<str:number>/", views.detail, name="detail"),
    path("certificates/<str:number>/pdf", views.download_pdf, name="pdf"),
    path("certificates/<str:number>/credential", views.download_credential, name="credential"),
    path("certificates/<str:number>/reissue", views.reissue, name="reissue"),
    path("certificates/<str:number>/revoke", views.revoke, name="revoke"),
]

from django.urls import path

from programmes import role_views, views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("acknowledge/<str:token>/", views.acknowledge, name="acknowledge"),
    path("roles/", role_views.role_list, name="roles"),
    path("roles/<int:pk>/revoke/", role_views.role_revoke, name="role_revoke"),
    path("roles/assignments/<int:pk>/remove/", role_views.assignment_remove, name="assignment_remove"),
    path("domains/", views.domain_list, name="domains"),
    path("domains/<slug:code>/", views.domain_edit, name="domain_edit"),
    path("domains/<slug:code>/retire/", views.domain_retire, name="domain_retire"),
    path("domains/<slug:code>/restore/", views.domain_restore, name="domain_restore"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("<slug:slug>/objectives/", views.programme_objectives, name="objectives"),
    path("<slug:slug>/milestones/", views.programme_milestones, name="milestones"),
    path("<slug:slug>/training/", views.programme_training, name="training"),
    path("<slug:slug>/charter/", views.programme_charter, name="charter"),
    path("<slug:slug>/sponsors/", views.programme_sponsors, name="sponsors"),
    path("<slug:slug>/sponsor-message/", views.sponsor_message, name="sponsor_message"),
    path("<slug:slug>/status/", views.programme_status, name="status"),
    path("<slug:slug>/close/", views.programme_close, name="close"),
    path("<slug:slug>/copy/", views.programme_copy, name="copy"),
    path("<slug:slug>/apply/<str:role>/", views.apply, name="apply"),
    path("<slug:slug>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/my-training/", views.my_training, name="my_training"),
    path("<slug:slug>/applications/", views.queue, name="queue"),
    path("<slug:slug>/applications/import/", views.applications_import, name="applications_import"),
    path("<slug:slug>/applications/<int:pk>/", views.application_detail, name="application"),
]

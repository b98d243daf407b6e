from django.urls import path

from mentorat.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/", views.employee_detail, name="employee"),
    path("directory/export.csv", views.directory_export, name="directory_export"),
    path("directory/import/", views.import_upload, name="import_upload"),
    path("directory/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("directory/import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("account/email-change/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("organisation/", views.organisation, name="organisation"),
    path("preferences/", views.preferences, name="preferences"),
    path("notifications/", views.notifications, name="notifications"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("locked-accounts/", views.locked_accounts, name="locked_accounts"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("audit/", views.audit, name="audit"),
    path("directory/<int:pk>/erase/", views.employee_erase, name="employee_erase"),
]

from django.urls import path

from sessions import views

app_name = "sessions"

urlpatterns = [
    path("sessions/pair/<int:pk>/", views.workspace, name="workspace"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/invitation.ics", views.invitation, name="invitation"),
    path("sessions/calendar/", views.calendar_settings, name="calendar"),
    path("sessions/programme/<slug:slug>/", views.followup, name="followup"),
    path("sessions/programme/<slug:slug>/reminders/", views.reminder_timing, name="reminder_timing"),
    path("sessions/concerns/<int:pk>/handle/", views.concern_handle, name="concern_handle"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]

from django.urls import path

from sessions import learning_views, views

app_name = "sessions"

urlpatterns = [
    path("sessions/pair/<int:pk>/", views.workspace, name="workspace"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/invitation.ics", views.invitation, name="invitation"),
    path("sessions/calendar/", views.calendar_settings, name="calendar"),
    path("sessions/programme/<slug:slug>/", views.followup, name="followup"),
    path("sessions/programme/<slug:slug>/reminders/", views.reminder_timing, name="reminder_timing"),
    path("sessions/concerns/", views.concerns, name="concerns"),
    path("sessions/concerns/<int:pk>/handle/", views.concern_handle, name="concern_handle"),
    path("sessions/notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("sessions/notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("sessions/delegated/", views.delegated, name="delegated"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]

# The community of practice: learnings shared beyond the pairs, the commitments' themes.
urlpatterns += [
    path("learnings/", learning_views.browse, name="learnings"),
    path("learnings/share/", learning_views.share, name="learning_share"),
    path("learnings/mine/", learning_views.mine, name="learnings_mine"),
    path("learnings/<int:pk>/withdraw/", learning_views.withdraw, name="learning_withdraw"),
    path("learnings/review/", learning_views.review_queue, name="learnings_review"),
    path("learnings/<int:pk>/review/", learning_views.review, name="learning_review"),
    path("learnings/commitments/", learning_views.commitment_themes, name="commitment_themes"),
]

from django.urls import path

from binomes import views

app_name = "binomes"

urlpatterns = [
    path("pairing/<slug:slug>/", views.board, name="board"),
    path("pairing/<slug:slug>/run/", views.run, name="run"),
    path("pairing/<slug:slug>/publish/", views.publish, name="publish"),
    path("pairing/<slug:slug>/shortlists/", views.shortlists, name="shortlists"),
    path("pairing/<slug:slug>/manual/", views.manual, name="manual"),
    path("pairing/<slug:slug>/settings/", views.pairing_settings, name="settings"),
    path("pairing/<slug:slug>/export.csv", views.export, name="export"),
    path("pairing/<slug:slug>/pairs/<int:pk>/lock/", views.lock, name="lock"),
    path("pairing/<slug:slug>/pairs/<int:pk>/forbid/", views.forbid, name="forbid"),
    path("pairing/<slug:slug>/pairs/<int:pk>/remove/", views.remove, name="remove"),
    path("pairing/<slug:slug>/forbidden/<int:pk>/allow/", views.allow, name="allow"),
    path("pairing/<slug:slug>/import/", views.import_pairs, name="import"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("pairs/<int:pk>/decline/", views.decline, name="decline"),
    path("pairs/<int:pk>/end/", views.end, name="end"),
    path("pairs/<int:pk>/chemistry/", views.chemistry, name="chemistry"),
    path("shortlists/<int:pk>/", views.shortlist, name="shortlist"),
]

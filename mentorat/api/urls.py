from django.urls import path

from mentorat.api import views

app_name = "api"


def _login_required(view):
    """DRF exempts its views from the deny-by-default middleware; the docs page is for logged-in
    coordinators, so an anonymous visitor goes to the login page like everywhere else."""
    view.login_required = True
    return view


urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", _login_required(views.DocsView.as_view()), name="docs"),
    path("employees/", views.EmployeeList.as_view(), name="employees"),
    path("employees/bulk/", views.EmployeeBulk.as_view(), name="employees_bulk"),
    path("employees/<str:employee_id>/", views.EmployeeDetail.as_view(), name="employee"),
    path("programmes/", views.ProgrammeList.as_view(), name="programmes"),
    path("programmes/<slug:slug>/", views.ProgrammeDetail.as_view(), name="programme"),
    path("programmes/<slug:slug>/transition/", views.ProgrammeTransition.as_view(), name="programme_transition"),
    path("programmes/<slug:slug>/close/", views.ProgrammeClose.as_view(), name="programme_close"),
    path("programmes/<slug:slug>/applications/", views.ApplicationList.as_view(), name="applications"),
    path("programmes/<slug:slug>/applications/<int:pk>/review/", views.ApplicationReview.as_view(), name="application_review"),
    path("programmes/<slug:slug>/pairs/", views.PairList.as_view(), name="pairs"),
    path("programmes/<slug:slug>/pairs/export/", views.PairExport.as_view(), name="pairs_export"),
    path("programmes/<slug:slug>/pairs/import/", views.PairImport.as_view(), name="pairs_import"),
    path("sessions/", views.SessionList.as_view(), name="sessions"),
    path("kpis/", views.KpiView.as_view(), name="kpis"),
]

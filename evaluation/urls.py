from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.dashboard_export, name="export"),
    path("operations/", views.operations, name="operations"),
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:pk>/", views.answer, name="answer"),
    path("surveys/<int:pk>/results/", views.survey_results, name="results"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("surveys/<int:survey_pk>/questions/new/", views.question_edit, name="question_new"),
    path("surveys/<int:survey_pk>/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("surveys/<int:survey_pk>/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("programme/<slug:slug>/surveys/", views.programme_surveys, name="programme_surveys"),
    path("programme/<slug:slug>/testimonial/", views.testimonial_new, name="testimonial_new"),
    path("testimonials/<int:pk>/publish/", views.testimonial_publish, name="testimonial_publish"),
    path("progress/", views.progress, name="progress"),
    path("certificate/<int:pk>/", views.certificate, name="certificate"),
]

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mentorat.core import views as core_views
from mentorat.core.auth import ThrottledPasswordResetView, UnlockingPasswordResetConfirmView
from mentorat.core.forms import AnyAccountPasswordResetForm, EmailAuthenticationForm, ThrottledPasswordChangeForm

accounts = [
    path("login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", ThrottledPasswordResetView.as_view(
        form_class=AnyAccountPasswordResetForm,
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    ), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", UnlockingPasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-change/", auth_views.PasswordChangeView.as_view(form_class=ThrottledPasswordChangeForm),
         name="password_change"),
    path("password-change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

def oidc_urls():
    """Single sign-on's redirect and callback, only when it is configured."""
    if not settings.OIDC_ENABLED:
        return []
    from django.contrib.auth.decorators import login_not_required
    from mozilla_django_oidc import views as oidc

    return [
        path("oidc/authenticate/", login_not_required(oidc.OIDCAuthenticationRequestView.as_view()),
             name="oidc_authentication_init"),
        path("oidc/callback/", login_not_required(oidc.OIDCAuthenticationCallbackView.as_view()),
             name="oidc_authentication_callback"),
    ]


urlpatterns = [
    path("accounts/", include(accounts)),
    path("i18n/language/", core_views.switch_language, name="switch_language"),
    path("health/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
    *oidc_urls(),
    path("programmes/", include("programmes.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("api/", include("mentorat.api.urls")),
    path("", include("binomes.urls")),
    path("", include("sessions.urls")),
    path("", include("mentorat.core.urls")),
]

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from qa_platform import views
from qa_platform.api import api
from qa_platform.people.forms import LoginForm, PasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("home/agent/", views.home_agent, name="home_agent"),
    path("home/reviewer/", views.home_reviewer, name="home_reviewer"),
    path("home/lead/", views.home_lead, name="home_lead"),
    path("home/qa/", views.home_qa, name="home_qa"),
    path("home/hr/", views.home_hr, name="home_hr"),
    path("home/admin/", views.home_admin, name="home_admin"),
    path("home/trainer/", views.home_trainer, name="home_trainer"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("people/", include("qa_platform.people.urls")),
    path("audit/", include("qa_platform.audit.urls")),
    path("notifications/", include("qa_platform.notifications.urls")),
    path("engagement/", include("qa_platform.engagement.urls")),
    path("quality/", include("scorecards.urls")),
    path("training/", include("training.urls")),
    path("", include("training.urls_public")),
    path("api/v1/", api.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("library/", include("content.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

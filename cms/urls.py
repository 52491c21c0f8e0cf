from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from courses import views as course_views
from users import views as user_views

urlpatterns = [
    # One sign-in for everyone, with two-step sign-in: Wagtail's own login form would ask for a
    # password only.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/your-data/", user_views.your_data, name="your_data"),
    path("accounts/delete/", user_views.delete_account_view, name="delete_account"),
    path("accounts/", include("allauth.urls")),
    path("privacy/", user_views.privacy, name="privacy"),
    path("my-learning/", course_views.my_learning, name="my_learning"),
    path("healthz/", cms_views.healthz, name="healthz"),
    path("", include("certificates.urls")),
    path("", include("providers.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

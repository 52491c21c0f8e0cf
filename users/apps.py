from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class UsersConfig(AppConfig):
    default = True
    name = "users"
    verbose_name = "Users"


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with our forms (the certificate name field)."""

    user_viewset = "users.viewsets.UserViewSet"

"""The site-wide links in every page's header and footer, reversed once per process.

``{% url %}`` costs about a tenth of a millisecond each (the resolver, the script prefix and the
active language are looked up every time), and the header and footer hold seven: more than a
signed-in lesson page spends on its own queries. The links are the same for everyone, so they are
worked out once for each URL configuration and script prefix a process serves."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

NAMES = (
    "my_learning",
    "certificates:mine",
    "providers:list",
    "account_email",
    "account_login",
    "account_logout",
    "account_signup",
    "privacy",
    "wagtailadmin_home",
)


@functools.cache
def _links(urlconf, script_prefix):
    return {name.replace(":", "_"): reverse(name, urlconf=urlconf) for name in NAMES}


def links():
    """``{"my_learning": "/my-learning/", "certificates_mine": ..., ...}`` for this request."""
    return _links(get_urlconf(), get_script_prefix())


def context(request):
    """Context processor: ``site_urls``, the header's and footer's links."""
    return {"site_urls": links()}

"""The whole-page cache for visitors who are not signed in, the content cache, and the content
version that keeps both fresh.

Anonymous GET and HEAD requests for Wagtail pages (home, course and module overviews, standard
pages) are answered from the cache by ``AnonymousPageCacheMiddleware`` without routing, sessions or
queries. Anyone who might be signed in (any session cookie), or has a message waiting, goes past
the cache and never fills it. What is the same for every visitor of a signed-in page is kept too
(``cached_content``): the request's site, the route to a page, a module's lessons and quiz, the view
restrictions, and a lesson's rendered body (``templates/courses/lesson_page.html``), never in a
preview.

Invalidation is one token for the whole site: the *content version*, random, kept in the cache.
Publishing, unpublishing, moving, saving or deleting a page, approving (or saving) a statistic or a
question, and changing settings, view restrictions, sites, images, documents or a provider (its
local contacts) put a new token
there, so everything cached is stale at once. Simple, and always correct: nothing works out which
pages a change touches. The token is read before the data, and an entry is stored under the token
read then, so something made from data older than a change is never stored under the token that
follows it.

With more than one server process the cache must be shared (Redis, ``CACHE_URL``): a local-memory
cache would leave the other processes' pages stale after a publish (``check --deploy`` warns).
"""

import contextvars
import functools
from hashlib import sha256
from uuid import uuid4

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import checks
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from wagtail import signals as wagtail_signals
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

VERSION_KEY = "page-cache:version"
PAGE_KEY = "page-cache:page:{}"
# Entries are dropped on every content change; the timeout only bounds how long an unused one
# lingers in the cache.
TIMEOUT_SECONDS = 60 * 60
# Bookkeeping columns that a draft or a lock changes: saving only these changes nothing a
# visitor sees, so it does not empty the cache while trainers edit.
DRAFT_ONLY_FIELDS = frozenset(
    {
        "draft_title",
        "has_unpublished_changes",
        "latest_revision",
        "latest_revision_created_at",
        "locked",
        "locked_at",
        "locked_by",
    }
)


# The content version a page request read first, kept for the rest of that request (set up by
# AnonymousPageCacheMiddleware; None outside one): a lesson page asks for it about seven times.
# Everything the request reads from the cache is then checked against one version, the one read
# before any of it, as the rule above asks; a change the request makes itself forgets it.
_request_version = contextvars.ContextVar("page_cache_request_version", default=None)


def get_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _remember_version(version):
    memo = _request_version.get()
    if memo is not None:
        memo["version"] = version
    return version


def content_version():
    """The current content version; a new one is made if the cache has none (or lost it)."""
    memo = _request_version.get()
    if memo and "version" in memo:
        return memo["version"]
    cache = get_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return _remember_version(version)


def new_content_version():
    memo = _request_version.get()
    if memo:
        memo.pop("version", None)
    get_cache().set(VERSION_KEY, uuid4().hex, timeout=None)


@functools.cache
def start_process():
    """A new server process may run new code (a deploy): pages cached by the old code go. Once
    per process, however many times the middleware is loaded."""
    new_content_version()


def bump_content_version():
    """Make every cached page and lesson body stale: now, and again when the transaction commits,
    so a request that read the old rows while the change was being written cannot be kept."""
    new_content_version()
    transaction.on_commit(new_content_version, robust=True)


def cached_content(name, *key, compute):
    """``compute()``, kept in the cache until the content changes: for what is the same for every
    visitor (a module's live lessons, say). The version is read before ``compute`` reads anything,
    as for pages."""
    cache = get_cache()
    entry_key = f"page-cache:content:{name}:" + sha256(repr(key).encode()).hexdigest()
    memo = _request_version.get()
    if memo and "version" in memo:
        version, entry = memo["version"], cache.get(entry_key)
    else:
        found = cache.get_many([VERSION_KEY, entry_key])
        version = _remember_version(found.get(VERSION_KEY) or content_version())
        entry = found.get(entry_key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    cache.set(entry_key, (version, value), TIMEOUT_SECONDS)
    return value


def fragment_context(request):
    """``fragment_version`` and ``fragment_timeout`` for a page's ``{% cache %}`` fragments that
    are the same for every reader (a lesson's heading, body and links). A preview shows a draft:
    it gets a version nobody else has and a timeout of 0, so it neither reads nor fills them."""
    if getattr(request, "is_preview", False):
        return {"fragment_version": f"preview-{uuid4().hex}", "fragment_timeout": 0}
    return {"fragment_version": content_version(), "fragment_timeout": TIMEOUT_SECONDS}


def context(request):
    """Context processor: ``content_version`` for ``{% cache %}`` fragments that are the same for
    every visitor and change only with the content (the signposting panel). Read from the cache
    only if a template uses it, and before the fragment's data, as for pages."""
    return {"content_version": SimpleLazyObject(content_version)}


# --- invalidation -------------------------------------------------------------------------------


@functools.cache
def watched_models():
    """What cached pages show: pages, statistics, questions, settings, restrictions, sites, media,
    and providers (their local safeguarding contacts end every lesson; providers change rarely)."""
    from django.apps import apps
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site

    return (
        Page,
        PageViewRestriction,
        Site,
        BaseGenericSetting,
        BaseSiteSetting,
        apps.get_model("cms", "Statistic"),
        apps.get_model("quizzes", "Question"),
        apps.get_model("providers", "Provider"),
        get_image_model(),
        get_document_model(),
    )


def on_content_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if not isinstance(instance, watched_models()):
        return
    if update_fields is not None and set(update_fields) <= DRAFT_ONLY_FIELDS:
        return
    if created and isinstance(instance, (BaseGenericSetting, BaseSiteSetting)):
        return  # made with its defaults by the first page that reads it: nothing shown changes
    bump_content_version()


def on_content_deleted(sender, instance, **kwargs):
    if isinstance(instance, watched_models()):
        bump_content_version()


def on_content_changed(sender, **kwargs):
    bump_content_version()


def connect_signals():
    """Called once the apps are ready (cms.apps). Save and delete are watched only for the models
    pages show: a delete signal listened to for every model would stop Django deleting anything in
    bulk (each row of a cascade would be loaded to send it)."""
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, watched_models()):
            post_save.connect(
                on_content_saved, sender=model, dispatch_uid=f"cms.page_cache.saved.{model._meta.label}"
            )
            post_delete.connect(
                on_content_deleted, sender=model, dispatch_uid=f"cms.page_cache.deleted.{model._meta.label}"
            )
    # "published" and "unpublished" come from snippets: a statistic or question approved and published.
    for name in ("published", "unpublished", "page_published", "page_unpublished", "post_page_move"):
        getattr(wagtail_signals, name).connect(on_content_changed, dispatch_uid=f"cms.page_cache.{name}")


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """``manage.py check --deploy``: a local-memory cache is one per process, so a publish would
    leave the other processes' cached pages stale."""
    alias = getattr(settings, "PAGE_CACHE_ALIAS", "default")
    if settings.CACHES[alias]["BACKEND"].endswith(".LocMemCache"):
        return [
            checks.Warning(
                "The page cache is in local memory: with more than one server process, a publish "
                "leaves the other processes' cached pages and lesson bodies stale.",
                hint="Set CACHE_URL to a shared cache such as redis://host:6379/0.",
                id="cms.W001",
            )
        ]
    return []


# --- the Wagtail page hook ----------------------------------------------------------------------


def is_signed_in(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def serve_page(request, response):
    """Called by the ``on_serve_page`` hook (cms/wagtail_hooks.py) for every page Wagtail serves.

    Marks the request as a page view the middleware may store, and sets the headers: the page
    differs for signed-in people (Vary: Cookie), browsers and proxies must check before reusing
    it, and a signed-in person's page is private to them."""
    patch_vary_headers(response, ("Cookie",))
    request.wagtail_page_served = True
    if is_signed_in(request):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, no_cache=True)
        if not getattr(request, "is_preview", False):
            request.page_cache_page_view = True
    return response


# --- the middleware -----------------------------------------------------------------------------


def may_read(request):
    """Anonymous GET/HEAD without a query string, a session or a waiting message, and not one of
    Wagtail's preview requests (``is_dummy``: they run through the middleware too)."""
    return (
        request.method in ("GET", "HEAD")
        and not getattr(request, "is_dummy", False)
        and not request.META.get("QUERY_STRING")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def may_store(request, response):
    """Only a plain 200 Wagtail page, for nobody in particular, with nothing personal in it."""
    if not getattr(request, "page_cache_page_view", False) or request.method != "GET":
        return False
    if getattr(request, "is_preview", False) or is_signed_in(request):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store")):
        return False  # Wagtail marks pages behind a view restriction this way
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.used or len(messages)):
        return False
    # A CSRF token is personal: it comes with a cookie (checked above) and sits in a form.
    return not (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or b"csrfmiddlewaretoken" in response.content)


def page_key(request):
    url = f"{request.scheme}://{request.get_host()}{request.path}"
    return PAGE_KEY.format(sha256(url.encode()).hexdigest())


def find_site(hostname, port):
    """Wagtail's site for a host name and port, with its home page as its specific type."""
    from wagtail.models import Site
    from wagtail.models.sites import get_site_for_hostname

    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    site.root_page = site.root_page.specific
    return site


def cached_site(request):
    """The request's site, kept in the cache until the content changes; looked up by the same host
    name and port as Wagtail's own lookup, so the same site."""
    hostname, port = split_domain_port(request.get_host())[0], request.get_port()
    return cached_content("site", hostname, port, compute=lambda: find_site(hostname, port))


def remember_site(request):
    """Wagtail finds the request's site with a query on every request, then its home page with
    another, and keeps the site on the request (``request._wagtail_site``, as its
    ``Site.find_for_request`` says): give it the cached one first."""
    request._wagtail_site = cached_site(request)


class AnonymousPageCacheMiddleware:
    """Serves Wagtail pages to anonymous visitors from the cache, and stores them there; gives
    Wagtail the request's site from the cache on every page request.

    Goes after SecurityMiddleware and WhiteNoise and before SessionMiddleware: a hit then costs no
    session, routing or query, and a miss sees every cookie the inner middleware sets. Only paths
    this process has seen Wagtail serve are looked up, so other views (the health check, sign-in
    pages) pay nothing for it; the first visit to a page teaches it, the second stores it."""

    KNOWN_PAGES_LIMIT = 10_000  # paths that Wagtail answered: at most the site's pages

    def __init__(self, get_response):
        self.get_response = get_response
        self.known_pages = set()
        start_process()

    def __call__(self, request):
        scope = _request_version.set({})
        try:
            return self.serve(request)
        finally:
            _request_version.reset(scope)

    def serve(self, request):
        if request.path not in self.known_pages:
            response = self.get_response(request)
            served = getattr(request, "wagtail_page_served", False)
            if served and len(self.known_pages) < self.KNOWN_PAGES_LIMIT:
                self.known_pages.add(request.path)
                cached_site(request)  # ready for the next request, whichever page it is for
            return response
        if not may_read(request):
            remember_site(request)
            return self.get_response(request)
        cache = get_cache()
        key = page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = _remember_version(found.get(VERSION_KEY) or content_version())
        entry = found.get(key)
        if entry is not None and entry["version"] == version:
            return HttpResponse(entry["content"], status=200, headers=entry["headers"])
        remember_site(request)
        response = self.get_response(request)
        if may_store(request, response):
            entry = {"version": version, "headers": dict(response.items()), "content": response.content}
            cache.set(key, entry, TIMEOUT_SECONDS)
        return response

"""The whole-page cache for visitors who are not signed in (cms.page_cache): served without a
query, never to or from a signed-in person, and stale the moment content is published."""

from decimal import Decimal
from hashlib import sha256

import pytest
from bs4 import BeautifulSoup
from django.contrib import messages
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from cms import page_cache
from cms.models import HomePage, StandardPage
from tests.factories import StatisticFactory, UserFactory, callout_block

pytestmark = pytest.mark.django_db

MIDDLEWARE = "cms.page_cache.AnonymousPageCacheMiddleware"


@pytest.fixture(autouse=True)
def page_cache_middleware(settings):
    """The middleware where it belongs: after WhiteNoise, before the session middleware."""
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@pytest.fixture
def pages(home_page, course_page, module_page):
    return {"home": home_page, "course": course_page, "module": module_page}


def query_count(client, url, method="get"):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url)
    return len(queries), response


def from_cache(response):
    """A page from the cache renders no template (a rendered anonymous module page may run no
    query either: its lists and route come from the content cache)."""
    return not response.templates


def cache_page(client, url):
    """Visit ``url`` until it comes from the cache: the first visit teaches the middleware that
    Wagtail serves this path, the second stores the page, the third is served without a query."""
    client.get(url)
    client.get(url)
    queries, response = query_count(client, url)
    assert response.status_code == 200
    assert queries == 0
    assert from_cache(response)
    return response


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def heading(response):
    return BeautifulSoup(response.content, "html.parser").select_one("h1").get_text(strip=True)


@pytest.mark.parametrize("name", ["home", "course", "module"])
def test_an_anonymous_page_is_served_from_the_cache_without_a_query(
    client, pages, name, django_assert_num_queries
):
    url = pages[name].url
    first = client.get(url)  # teaches the middleware that Wagtail serves this path
    second = client.get(url)  # stored
    assert first.status_code == second.status_code == 200

    with django_assert_num_queries(0):
        third = client.get(url)

    assert from_cache(third)
    assert not from_cache(second)
    assert third.status_code == 200
    assert third.content == second.content == first.content
    assert heading(third) == pages[name].title
    assert "Cookie" in third["Vary"]
    assert "no-cache" in third["Cache-Control"]
    assert "private" not in third["Cache-Control"]


def test_a_signed_in_person_bypasses_the_cache_and_never_fills_it(client, pages):
    learner = UserFactory(email="jo.learner@example.org")
    url = pages["module"].url
    client.get(url)  # the path is known

    client.force_login(learner)
    mine = client.get(url)
    assert not from_cache(mine)
    assert learner.email in mine.content.decode()
    assert "private" in mine["Cache-Control"]

    client.logout()
    anonymous = client.get(url)  # not filled by the signed-in request
    assert not from_cache(anonymous)
    assert learner.email not in anonymous.content.decode()
    assert "Sign in" in anonymous.content.decode()
    assert learner.email not in cache_page(client, url).content.decode()

    client.force_login(learner)
    mine = client.get(url)  # not served the cached anonymous page
    assert not from_cache(mine)
    assert learner.email in mine.content.decode()
    assert "Sign in" not in BeautifulSoup(mine.content, "html.parser").select_one(".site-nav").get_text()


def test_publishing_a_page_shows_the_new_content_at_once(client, pages):
    module = pages["module"]
    cache_page(client, module.url)
    cache_page(client, pages["course"].url)

    module.title = "Online safety, revised"
    module.save_revision().publish()

    assert heading(client.get(module.url)) == "Online safety, revised"
    assert "Online safety, revised" in client.get(pages["course"].url).content.decode()


def test_a_draft_changes_nothing_until_it_is_published(client, pages, django_assert_num_queries):
    module = pages["module"]
    cache_page(client, module.url)

    module.title = "Not approved yet"
    module.save_revision()

    with django_assert_num_queries(0):
        response = client.get(module.url)
    assert from_cache(response)
    assert heading(response) == "Online safety"


def test_unpublishing_a_page_removes_it_at_once(client, pages):
    cache_page(client, pages["module"].url)

    pages["module"].unpublish()

    assert client.get(pages["module"].url).status_code == 404


def test_approving_a_statistic_shows_its_new_figure_at_once(client, home_page):
    figure = StatisticFactory(value=Decimal("30925"))
    home_page.body = [callout_block(figure)]
    home_page.save_revision().publish()
    assert "30,925" in cache_page(client, "/").content.decode()

    figure.value = Decimal("33000")
    figure.save_revision().publish()  # what the lead trainer's approval does

    page = client.get("/").content.decode()
    assert "33,000" in page
    assert "30,925" not in page


def test_a_preview_is_never_served_from_or_stored_in_the_cache(home_page):
    site = Client(HTTP_HOST="localhost")  # the site's host name, which previews use too
    cache_page(site, "/")

    home_page.title = "Draft home"
    preview = home_page.save_revision().as_object().make_preview_request()

    assert heading(preview) == "Draft home"
    queries, live = query_count(site, "/")
    assert heading(live) == "Training home"
    assert queries == 0  # the preview neither emptied nor replaced the cached page
    assert from_cache(live)


def test_a_new_view_restriction_applies_at_once(client, pages):
    cache_page(client, pages["module"].url)

    PageViewRestriction.objects.create(page=pages["course"], restriction_type=PageViewRestriction.LOGIN)

    response = client.get(pages["module"].url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def serve_with(monkeypatch, change):
    """Make HomePage.serve do ``change(request, response)`` before it answers."""
    serve = HomePage.serve

    def changed(page, request, *args, **kwargs):
        response = serve(page, request, *args, **kwargs)
        change(request, response)
        return response

    monkeypatch.setattr(HomePage, "serve", changed)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda request, response: get_token(request), id="csrf-token"),
        pytest.param(lambda request, response: response.set_cookie("seen", "yes"), id="set-cookie"),
        pytest.param(lambda request, response: messages.info(request, "Welcome back"), id="message"),
    ],
)
def test_a_response_with_a_token_a_cookie_or_a_message_is_not_cached(client, home_page, monkeypatch, change):
    serve_with(monkeypatch, change)
    client.get("/")
    client.get("/")

    response = client.get("/")

    assert response.status_code == 200
    assert not from_cache(response)


def test_a_page_that_is_not_found_and_a_query_string_are_not_cached(client, pages):
    for url in ("/no-such-page/", f"{pages['module'].url}?utm_source=email"):
        client.get(url)
        client.get(url)
        assert not from_cache(client.get(url))


def test_a_visitor_with_a_waiting_message_is_not_served_from_the_cache(client, home_page):
    cache_page(client, "/")
    client.cookies["messages"] = "anything"

    assert not from_cache(client.get("/"))


def test_head_is_answered_from_the_cache(client, pages, django_assert_num_queries):
    url = pages["module"].url
    assert client.head(url).status_code == 200
    assert client.head(url).status_code == 200  # a HEAD stores nothing...
    assert not from_cache(client.get(url))  # ...so this GET renders the page, and stores it

    with django_assert_num_queries(0):
        response = client.head(url)

    assert from_cache(response)
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Type"].startswith("text/html")


def test_the_deploy_check_warns_about_a_local_memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [warning.id for warning in page_cache.check_shared_cache(None)] == ["cms.W001"]

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert page_cache.check_shared_cache(None) == []


def test_each_host_name_gets_its_own_site_and_a_site_change_applies_at_once(client, home_page, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "other.example"]
    other_root = home_page.add_child(instance=StandardPage(title="Another site", slug="another-site"))
    other_site = Site.objects.create(hostname="other.example", port=80, root_page=other_root)
    other = Client(HTTP_HOST="other.example")

    assert heading(cache_page(client, "/")) == "Training home"
    assert heading(cache_page(other, "/")) == "Another site"

    other_site.delete()

    assert heading(other.get("/")) == "Training home"  # no site of its own now: the default site
    assert heading(client.get("/")) == "Training home"


def test_new_signposting_contacts_show_on_a_learners_lesson_at_once(make_lesson, enrolment):
    """The panel every lesson ends with is a fragment kept per content version (includes/
    signposting.html): saving the settings makes a new version, so the old panel is never shown."""
    from cms.models import SignpostingSettings

    lesson = make_lesson()
    learner = signed_in(enrolment.learner)

    def panel():
        response = learner.get(lesson.url)
        assert response.status_code == 200
        html = BeautifulSoup(response.content, "html.parser")
        return " ".join(html.select("aside.signposting")[-1].get_text().split())

    contact = {"name": "Childline", "contact": "0800 1111", "when": "", "url": ""}
    signposting = SignpostingSettings.load()
    signposting.contacts = [{"type": "contact", "value": contact}]
    signposting.save()
    assert "Childline: 0800 1111" in panel()
    assert "Childline: 0800 1111" in panel()  # the second time, from the fragment cache

    signposting.contacts = [
        {"type": "contact", "value": {**contact, "name": "NSPCC Helpline", "contact": "0808 800 5000"}}
    ]
    signposting.save()

    assert "NSPCC Helpline: 0808 800 5000" in panel()
    assert "Childline" not in panel()


def test_a_page_request_reads_the_content_version_once_and_sees_its_own_changes(rf):
    """Inside one request the version read first is kept (cms.page_cache._request_version), so a
    change made elsewhere meanwhile is picked up by the next request; a change the request makes
    itself is seen at once. Outside a request every read goes to the cache."""
    cache = page_cache.get_cache()
    seen = {}

    def view(request):
        seen["first"] = page_cache.content_version()
        cache.set(page_cache.VERSION_KEY, "changed-by-another-process", timeout=None)
        seen["same request"] = page_cache.content_version()
        seen["content"] = page_cache.cached_content("test", 1, compute=lambda: "computed")
        page_cache.new_content_version()  # this request changes content itself
        seen["after own change"] = page_cache.content_version()
        return HttpResponse("ok")

    page_cache.AnonymousPageCacheMiddleware(view)(rf.get("/somewhere/"))

    assert seen["same request"] == seen["first"] != "changed-by-another-process"
    assert cache.get(f"page-cache:content:test:{sha256(repr((1,)).encode()).hexdigest()}") == (
        seen["first"],
        "computed",
    )
    assert seen["after own change"] not in (seen["first"], "changed-by-another-process")
    assert seen["after own change"] == cache.get(page_cache.VERSION_KEY)
    cache.set(page_cache.VERSION_KEY, "outside a request", timeout=None)
    assert page_cache.content_version() == "outside a request"

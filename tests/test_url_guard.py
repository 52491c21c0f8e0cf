"""Every URL of the site, opened by every kind of person: the answer is the one in EXPECTED.

Two providers (A and B), each with an owner and a learner who holds a seat, has lesson progress, a
submitted quiz attempt, a certificate and a share link; a trainer; and a signed-out visitor. Provider
B's learner is on a second module, so nothing of A's is theirs by accident. The URL list is read from
the resolver (and the page types from Wagtail), so a new URL fails here until it is added to EXPECTED.
tests/providers/test_permissions.py holds the detailed per-provider cases; this is the site-wide map.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.documents import get_document_model
from wagtail.models import get_page_models

from certificates.models import Certificate, ShareLink
from certificates.sharing import create_share_link
from cms.models import StandardPage
from courses.models import Enrolment, LessonProgress, ModulePage
from courses.services import complete_lesson
from providers import inspection, services
from providers.models import (
    InspectionLink,
    Invitation,
    Membership,
    PriceTier,
    Provider,
    SeatAssignment,
    SeatOrder,
)
from quizzes import services as quiz_services
from quizzes.models import Attempt, Choice, Question, QuizPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = ("anon", "learner_a", "manager_a", "learner_b", "manager_b", "trainer")

OK, REDIRECT, BAD, NOT_FOUND, WRONG_METHOD = 200, 302, 400, 404, 405
LOGIN = "302 to login"

# Not ours to map: the Wagtail admin (by prefix) and allauth's own views (by module; tested by allauth).
SKIPPED_PREFIXES = ("admin/",)
SKIPPED_VIEW_MODULES = ("allauth.",)
# Wagtail's page-serving pattern: covered page type by page type in PAGES below.
PAGE_SERVING = "wagtail_serve"


def everyone(code):
    return (code,) * len(USERS)


def signed_in(code):
    """A signed-out visitor is sent to sign in; everyone else gets ``code``."""
    return (LOGIN,) + (code,) * (len(USERS) - 1)


# A page of provider A: its owner sees it, everyone else (its own learner included) gets 404.
MANAGER_A_ONLY = (LOGIN, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)
# A POST-only action behind sign-in: a GET is 405 for anyone signed in.
POST_ONLY = signed_in(WRONG_METHOD)


@dataclass
class Expect:
    """How to build the URL from the world (provider A / learner A's objects) and the answer per user
    in the order of USERS."""

    url: object
    answers: tuple


def provider_url(name, **ids):
    """A provider URL filled from the world: ids name the world's keys for each URL argument."""

    def build(world):
        kwargs = {"provider_id": world["provider_a"].pk}
        kwargs.update({arg: world[key].pk for arg, key in ids.items()})
        return reverse(f"providers:{name}", kwargs=kwargs)

    return build


EXPECTED = {
    # Wagtail documents: public unless a collection is restricted (none are).
    "wagtaildocs_serve": Expect(
        lambda w: reverse("wagtaildocs_serve", args=[w["document"].pk, w["document"].filename]),
        everyone(OK),
    ),
    "wagtaildocs_authenticate_with_password": Expect(
        lambda w: reverse("wagtaildocs_authenticate_with_password", args=[999999]), everyone(NOT_FOUND)
    ),
    "wagtailcore_authenticate_with_password": Expect(
        lambda w: reverse("wagtailcore_authenticate_with_password", args=[999999, w["lesson_a"].pk]),
        everyone(NOT_FOUND),
    ),
    "wagtailcore_login": Expect(lambda w: reverse("wagtailcore_login"), everyone(OK)),
    # A person's own data: what is shown is always the signed-in person's.
    "your_data": Expect(lambda w: reverse("your_data"), signed_in(OK)),
    "delete_account": Expect(lambda w: reverse("delete_account"), signed_in(OK)),
    "privacy": Expect(lambda w: reverse("privacy"), everyone(OK)),
    "my_learning": Expect(lambda w: reverse("my_learning"), signed_in(OK)),
    "healthz": Expect(lambda w: reverse("healthz"), everyone(OK)),
    # Certificates: verification and share links are public by design; the rest is the learner's own.
    "certificates:verify": Expect(lambda w: reverse("certificates:verify"), everyone(OK)),
    "certificates:verify_code": Expect(
        lambda w: reverse("certificates:verify_code", args=[w["certificate_a"].code]), everyone(OK)
    ),
    "certificates:download": Expect(
        lambda w: reverse("certificates:download", args=[w["certificate_a"].pk]),
        (LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
    "certificates:preview": Expect(lambda w: reverse("certificates:preview"), everyone(NOT_FOUND)),
    "certificates:renew": Expect(
        lambda w: reverse("certificates:renew", args=[w["certificate_a"].pk]), POST_ONLY
    ),
    "certificates:mine": Expect(lambda w: reverse("certificates:mine"), signed_in(OK)),
    "certificates:share_link_create": Expect(lambda w: reverse("certificates:share_link_create"), POST_ONLY),
    "certificates:share_link_revoke": Expect(
        lambda w: reverse("certificates:share_link_revoke", args=[w["share_link_a"].pk]), POST_ONLY
    ),
    "certificates:shared_record": Expect(
        lambda w: reverse("certificates:shared_record", args=[w["share_link_a"].token]), everyone(OK)
    ),
    # Providers.
    "providers:list": Expect(lambda w: reverse("providers:list"), signed_in(OK)),
    "providers:create": Expect(lambda w: reverse("providers:create"), signed_in(OK)),
    "providers:settings": Expect(provider_url("settings"), MANAGER_A_ONLY),
    "providers:dashboard": Expect(provider_url("dashboard"), MANAGER_A_ONLY),
    "providers:staff_csv": Expect(provider_url("staff_csv"), MANAGER_A_ONLY),
    "providers:certificates_zip": Expect(provider_url("certificates_zip"), MANAGER_A_ONLY),
    "providers:certificate_download": Expect(
        provider_url("certificate_download", certificate_id="certificate_a"), MANAGER_A_ONLY
    ),
    "providers:inspection": Expect(provider_url("inspection"), MANAGER_A_ONLY),
    "providers:inspection_pdf": Expect(provider_url("inspection_pdf"), MANAGER_A_ONLY),
    "providers:inspection_link_revoke": Expect(
        provider_url("inspection_link_revoke", link_id="inspection_link_a"), POST_ONLY
    ),
    "providers:inspection_public": Expect(
        lambda w: reverse("providers:inspection_public", args=[w["inspection_link_a"].token]), everyone(OK)
    ),
    "providers:buy": Expect(provider_url("buy"), MANAGER_A_ONLY),
    "providers:billing": Expect(provider_url("billing"), MANAGER_A_ONLY),
    "providers:order": Expect(provider_url("order", order_id="order_a"), MANAGER_A_ONLY),
    "providers:invoice_pdf": Expect(provider_url("invoice_pdf", order_id="order_a"), MANAGER_A_ONLY),
    "providers:order_cancel": Expect(provider_url("order_cancel", order_id="order_a"), POST_ONLY),
    # Card payments are off without Stripe keys (as in the tests): the webhook does not exist.
    "providers:stripe_webhook": Expect(lambda w: reverse("providers:stripe_webhook"), everyone(NOT_FOUND)),
    "providers:staff": Expect(provider_url("staff"), MANAGER_A_ONLY),
    "providers:invite": Expect(provider_url("invite"), MANAGER_A_ONLY),
    "providers:bulk_invite": Expect(provider_url("bulk_invite"), MANAGER_A_ONLY),
    "providers:take_seat": Expect(provider_url("take_seat"), POST_ONLY),
    "providers:invitation_resend": Expect(
        provider_url("invitation_resend", invitation_id="invitation_a"), POST_ONLY
    ),
    "providers:invitation_cancel": Expect(
        provider_url("invitation_cancel", invitation_id="invitation_a"), POST_ONLY
    ),
    "providers:seat_return": Expect(provider_url("seat_return", seat_id="seat_a"), POST_ONLY),
    "providers:seat_move": Expect(provider_url("seat_move", seat_id="seat_a"), MANAGER_A_ONLY),
    # Anyone with an invitation link sees it; only the invited address can accept it.
    "providers:invitation": Expect(
        lambda w: reverse("providers:invitation", args=[w["invitation_a"].token]), everyone(OK)
    ),
}


def sub_url(page_key, route, *args):
    def build(world):
        page = world[page_key]
        return page.url + page.reverse_subpage(route, args=args)

    return build


# Wagtail pages by type (and RoutablePage route), filled with provider A's learner's module.
PAGES = {
    "cms.HomePage": Expect(lambda w: w["home"].url, everyone(OK)),
    "cms.StandardPage": Expect(lambda w: w["standard_page"].url, everyone(OK)),
    "courses.CoursePage": Expect(lambda w: w["course"].url, everyone(OK)),
    "courses.ModulePage": Expect(lambda w: w["module_a"].url, everyone(OK)),
    # Not enrolled: a page about getting access (200), never the lesson body (checked below).
    "courses.LessonPage:lesson": Expect(lambda w: w["lesson_a"].url, signed_in(OK)),
    "courses.LessonPage:complete": Expect(sub_url("lesson_a", "complete"), everyone(WRONG_METHOD)),
    "courses.LessonPage:content_note": Expect(sub_url("lesson_a", "content_note"), everyone(WRONG_METHOD)),
    "quizzes.QuizPage:overview": Expect(lambda w: w["quiz_a"].url, signed_in(OK)),
    "quizzes.QuizPage:start": Expect(sub_url("quiz_a", "start"), everyone(WRONG_METHOD)),
    # Learner A's attempt 1 is submitted, so it sends them to its result.
    "quizzes.QuizPage:attempt": Expect(
        sub_url("quiz_a", "attempt", "1"), (LOGIN, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
    ),
    "quizzes.QuizPage:result": Expect(
        sub_url("quiz_a", "result", "1"), (LOGIN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
    ),
}
# RoutablePageMixin's fallback route, never reached when a page has its own "" route.
IGNORED_ROUTES = {"index_route"}


def walk(patterns, prefix="", namespace=""):
    """(route, name) of every URL pattern, as test_permissions reads providers/urls.py, but site-wide."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if not route.startswith(SKIPPED_PREFIXES) and not pattern.lookup_str.startswith(
                SKIPPED_VIEW_MODULES
            ):
                yield route, (namespace + pattern.name) if pattern.name else route


def site_url_names():
    return sorted(name for _route, name in walk(get_resolver().url_patterns))


def page_keys():
    """Every page type that can be served, and each of its RoutablePage routes."""
    keys = set()
    for model in get_page_models():
        if model._meta.label == "wagtailcore.Page":
            continue
        routes = [p.name for p in model.get_subpage_urls()] if hasattr(model, "get_subpage_urls") else []
        routes = [name for name in routes if name not in IGNORED_ROUTES]
        keys.update(f"{model._meta.label}:{route}" for route in routes)
        if not routes:
            keys.add(model._meta.label)
    return keys


def test_every_url_pattern_is_in_the_table():
    for name in site_url_names():
        assert name == PAGE_SERVING or name in EXPECTED, (
            f"new URL pattern {name}: add it to EXPECTED in tests/test_url_guard.py"
        )
    assert set(EXPECTED) <= set(site_url_names()), "EXPECTED names a URL the site no longer has"


def test_every_page_type_and_route_is_in_the_table():
    for key in sorted(page_keys()):
        assert key in PAGES, f"new page type or route {key}: add it to PAGES in tests/test_url_guard.py"
    assert set(PAGES) <= page_keys(), "PAGES names a page type or route the site no longer has"


# --- The world --------------------------------------------------------------------------------


def make_module(course, title, slug):
    """A module with one lesson and a one-question quiz."""
    module = course.add_child(instance=ModulePage(title=title, slug=slug, duration_minutes=60))
    from courses.models import LessonPage

    lesson = module.add_child(instance=LessonPage(title=f"{title} lesson", slug="lesson", body=[]))
    quiz = module.add_child(instance=QuizPage(title=f"{title} quiz", slug="quiz", questions_per_attempt=1))
    question = Question(kind="single", lesson=lesson, stem="Who do you tell?", explanation="The DSL.")
    question.choices = [Choice(text="The DSL", is_correct=True), Choice(text="Nobody", is_correct=False)]
    question.save()
    return module, lesson, quiz


def make_provider(letter, module, lesson, quiz):
    """A provider with an owner, a learner (seat, lesson done, quiz passed, certificate, share link),
    a paid invoice order, a pending invitation and an inspection link."""
    owner = UserFactory(email=f"owner@{letter}.example", certificate_name=f"Owner {letter.upper()}")
    provider = services.create_provider(
        owner=owner,
        name=f"Provider {letter.upper()}",
        kind="nursery",
        billing_name=f"Owner {letter.upper()}",
        billing_email=f"accounts@{letter}.example",
    )
    order = services.place_order(provider, module, 3, method="invoice", placed_by=owner)
    services.fulfil_order(order, actor=owner)
    learner = UserFactory(email=f"learner@{letter}.example", certificate_name=f"Learner {letter.upper()}")
    seat = services.assign_seat(provider, module, learner, actor=owner)
    enrolment = Enrolment.objects.get(pk=seat.enrolment_id)
    complete_lesson(enrolment, lesson)
    attempt = quiz_services.start_attempt(enrolment, quiz)
    key = next(option["key"] for option in attempt.paper[0]["options"] if option["correct"])
    quiz_services.submit_attempt(attempt, {"0": [key]})
    return {
        f"provider_{letter}": provider,
        f"manager_{letter}": owner,
        f"learner_{letter}": learner,
        f"order_{letter}": order,
        f"seat_{letter}": seat,
        f"enrolment_{letter}": enrolment,
        f"certificate_{letter}": Certificate.objects.get(learner=learner),
        f"share_link_{letter}": create_share_link(learner),
        f"invitation_{letter}": services.invite(provider, module, f"new@{letter}.example", actor=owner),
        f"inspection_link_{letter}": inspection.create_inspection_link(provider, actor=owner),
    }


@pytest.fixture
def world(home_page, course_page, trainer):
    PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00"))
    module_a, lesson_a, quiz_a = make_module(course_page, "Online safety", "online-safety")
    module_b, lesson_b, quiz_b = make_module(course_page, "Prevent duty", "prevent-duty")
    standard = home_page.add_child(instance=StandardPage(title="Privacy", slug="privacy"))
    document = get_document_model().objects.create(
        title="Guide", file=ContentFile(b"Safeguarding guide", name="guide.txt")
    )
    world = {
        "home": home_page,
        "course": course_page,
        "standard_page": standard,
        "module_a": module_a,
        "lesson_a": lesson_a,
        "quiz_a": quiz_a,
        "module_b": module_b,
        "lesson_b": lesson_b,
        "quiz_b": quiz_b,
        "trainer": trainer,
        "anon": None,
        "document": document,
    }
    world.update(make_provider("a", module_a, lesson_a, quiz_a))
    world.update(make_provider("b", module_b, lesson_b, quiz_b))
    assert Attempt.objects.filter(enrolment=world["enrolment_a"], number=1, passed=True).exists()
    return world


def client_for(client, world, who):
    client.logout()
    if world[who] is not None:
        client.force_login(world[who])
    return client


def outcome(response):
    """The status code, or LOGIN for a redirect to the sign-in page."""
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


def state():
    """Everything a wrong-user POST could change."""
    return {
        "providers": list(
            Provider.objects.order_by("pk").values_list("name", "billing_email", "renewal_months")
        ),
        "memberships": Membership.objects.count(),
        "orders": list(SeatOrder.objects.order_by("pk").values_list("status", "quantity", "seats_refunded")),
        "seats": list(SeatAssignment.objects.order_by("pk").values_list("pk", "user_id")),
        "invitations": list(
            Invitation.objects.order_by("pk").values_list(
                "email", "cancelled_at", "send_count", "accepted_at"
            )
        ),
        "inspection_links": list(InspectionLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list("pk", "completed_at")),
        "progress": list(
            LessonProgress.objects.order_by("pk").values_list("pk", "completed_at", "content_note_seen_at")
        ),
        "attempts": list(Attempt.objects.order_by("pk").values_list("pk", "status", "score")),
        "certificates": list(Certificate.objects.order_by("pk").values_list("pk", "status")),
        "share_links": list(ShareLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        "emails_verified": EmailAddress.objects.count(),
    }


def text_of(response):
    if response.streaming or not response.get("Content-Type", "").startswith("text/"):
        return ""
    return response.content.decode(errors="replace")


# Those allowed to see learner A's email address: learner A and the manager of A's provider.
MAY_SEE_LEARNER_A = {"learner_a", "manager_a"}


def check(client, world, expect, label):
    """The answers for one URL that differ from the table (empty when all is well)."""
    url = expect.url(world)
    failures = []
    for who, expected in zip(USERS, expect.answers, strict=True):
        response = client_for(client, world, who).get(url)
        got = outcome(response)
        if got != expected:
            failures.append(f"{label} {url} as {who}: expected {expected}, got {got}")
        if who not in MAY_SEE_LEARNER_A and world["learner_a"].email in text_of(response):
            failures.append(f"{label} {url} as {who}: shows learner A's email address")
    return failures


# One test per table (not per URL): building the world issues two certificates, which is slow.
def test_every_url_answers_each_user_as_the_table_says(client, world):
    failures = [f for name in sorted(EXPECTED) for f in check(client, world, EXPECTED[name], name)]
    assert not failures, "\n".join(failures)


def test_every_page_answers_each_user_as_the_table_says(client, world):
    failures = [f for key in sorted(PAGES) for f in check(client, world, PAGES[key], key)]
    assert not failures, "\n".join(failures)


def test_the_lesson_body_is_only_for_the_enrolled_and_trainers(client, world):
    """A 200 for a lesson can be the lesson or the page about access: only these see the lesson."""
    from bs4 import BeautifulSoup

    seen = {}
    for who in USERS[1:]:
        response = client_for(client, world, who).get(world["lesson_a"].url)
        soup = BeautifulSoup(response.content, "html.parser")
        seen[who] = soup.find(attrs={"action": lambda a: a and a.endswith("complete/")}) is not None or (
            "courses/no_access.html" not in [t.name for t in response.templates]
        )
    assert seen == {
        "learner_a": True,
        "manager_a": False,
        "learner_b": False,
        "manager_b": False,
        "trainer": True,
    }


# --- Wrong-user POSTs -------------------------------------------------------------------------

# Every state-changing endpoint of provider A or learner A, the data a rightful user would send, and
# who is the wrong user for it (signed out: sent to sign in; the rest: 404, or 400 where noted).
PROVIDER_WRONG = ("anon", "learner_a", "learner_b", "manager_b", "trainer")
LEARNER_WRONG = ("anon", "manager_a", "learner_b", "manager_b", "trainer")


def module_a_data(**data):
    return lambda w: {"module": str(w["module_a"].pk), **data}


POSTS = {
    "certificates:renew": (EXPECTED["certificates:renew"].url, lambda w: {}, LEARNER_WRONG),
    "certificates:share_link_revoke": (
        EXPECTED["certificates:share_link_revoke"].url,
        lambda w: {},
        LEARNER_WRONG,
    ),
    "providers:settings": (
        provider_url("settings"),
        lambda w: {
            "name": "Taken over",
            "kind": "nursery",
            "billing_name": "X",
            "billing_email": "x@evil.example",
            "renewal_months": "12",
        },
        PROVIDER_WRONG,
    ),
    "providers:inspection": (provider_url("inspection"), lambda w: {}, PROVIDER_WRONG),
    "providers:inspection_link_revoke": (
        EXPECTED["providers:inspection_link_revoke"].url,
        lambda w: {},
        PROVIDER_WRONG,
    ),
    "providers:buy": (
        provider_url("buy"),
        module_a_data(quantity="1", method="invoice", action="place", quoted_total="3000"),
        PROVIDER_WRONG,
    ),
    "providers:order_cancel": (EXPECTED["providers:order_cancel"].url, lambda w: {}, PROVIDER_WRONG),
    "providers:invite": (provider_url("invite"), module_a_data(email="x@evil.example"), PROVIDER_WRONG),
    "providers:bulk_invite": (
        provider_url("bulk_invite"),
        module_a_data(pasted="x@evil.example"),
        PROVIDER_WRONG,
    ),
    "providers:take_seat": (provider_url("take_seat"), module_a_data(), PROVIDER_WRONG),
    "providers:invitation_resend": (
        EXPECTED["providers:invitation_resend"].url,
        lambda w: {},
        PROVIDER_WRONG,
    ),
    "providers:invitation_cancel": (
        EXPECTED["providers:invitation_cancel"].url,
        lambda w: {},
        PROVIDER_WRONG,
    ),
    "providers:seat_return": (EXPECTED["providers:seat_return"].url, lambda w: {}, PROVIDER_WRONG),
    "providers:seat_move": (
        EXPECTED["providers:seat_move"].url,
        lambda w: {"email": "x@evil.example"},
        PROVIDER_WRONG,
    ),
    # Accepting someone else's invitation: a 400 that says it is for another address.
    "providers:invitation": (
        EXPECTED["providers:invitation"].url,
        lambda w: {},
        ("anon", "learner_a", "manager_a", "learner_b", "manager_b", "trainer"),
    ),
    "courses.LessonPage:complete": (PAGES["courses.LessonPage:complete"].url, lambda w: {}, LEARNER_WRONG),
    "courses.LessonPage:content_note": (
        PAGES["courses.LessonPage:content_note"].url,
        lambda w: {},
        LEARNER_WRONG,
    ),
    "quizzes.QuizPage:start": (PAGES["quizzes.QuizPage:start"].url, lambda w: {}, LEARNER_WRONG),
    "quizzes.QuizPage:attempt": (PAGES["quizzes.QuizPage:attempt"].url, lambda w: {"q0": "a"}, LEARNER_WRONG),
}
WRONG_USER_ANSWER = {"providers:invitation": BAD}


def test_every_state_changing_url_is_in_posts():
    """A URL that takes a POST from a signed-in person and changes something belongs in POSTS."""
    post_only = {name for name, expect in EXPECTED.items() if expect.answers == POST_ONLY}
    post_only |= {key for key, expect in PAGES.items() if expect.answers == everyone(WRONG_METHOD)}
    # Creating a share link acts on the signed-in learner only: there is no wrong user.
    assert post_only - {"certificates:share_link_create"} <= set(POSTS)


def test_wrong_user_posts_are_refused_and_change_nothing(client, world):
    failures = []
    for name in sorted(POSTS):
        failures += wrong_user_posts(client, world, name)
    assert not failures, "\n".join(failures)


def wrong_user_posts(client, world, name):
    build_url, build_data, wrong_users = POSTS[name]
    url, data = build_url(world), build_data(world)
    before = state()
    failures = []
    for who in wrong_users:
        expected = LOGIN if who == "anon" else WRONG_USER_ANSWER.get(name, NOT_FOUND)
        got = outcome(client_for(client, world, who).post(url, data))
        if got != expected:
            failures.append(f"POST {name} {url} as {who}: expected {expected}, got {got}")
        if state() != before:
            failures.append(f"POST {name} {url} as {who} changed the database")
            before = state()
    return failures

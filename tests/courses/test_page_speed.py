"""Lesson and module pages for a signed-in learner: few queries, the same number whatever the size
of the data, and content kept in the cache (cms.page_cache) that changes the moment it is approved.

Query counts are a page's second request (the first fills the per-process and content caches, as on
any running server), with the test settings (database sessions, local-memory cache)."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction, TaskState

from courses.models import Enrolment, LessonPage, LessonProgress
from courses.services import complete_lesson, enrol
from tests.courses.test_queries import add_learners_with_progress
from tests.factories import StatisticFactory, UserFactory, callout_block, chart_block

pytestmark = pytest.mark.django_db

# Before this change (code at 4c5aef3, this same test): the lesson page ran 25 queries and the
# module page 20. Wagtail found the site and its home page with two queries, then routing took two
# per URL segment; the module and its lessons were fetched again (parsing every lesson's body); each
# ".public()" and Wagtail's restriction check queried the restrictions; each statistic block type
# queried on every view. Now the site, the route, the module with its lessons and quiz, the
# restrictions and the lesson body come from the content cache (cms.page_cache), the admin link's
# permission check and the learner's providers from the session (users.roles), the signposting
# settings and local contacts from the content cache. What is left: session, user, the learner's
# enrolment, their progress rows, and on a lesson the progress write. The enrolment and the rows
# were one query with a join; they are two now, each compiled once (cms.prepared_queries), which
# costs a third of the Python the joined query did.
LESSON_QUERIES = 5
MODULE_QUERIES = 4


@pytest.fixture(autouse=True)
def page_cache_middleware(settings):
    """cms.page_cache's middleware where it belongs (after WhiteNoise): it gives Wagtail the
    request's site from the cache."""
    name = "cms.page_cache.AnonymousPageCacheMiddleware"
    if name not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, name)
        settings.MIDDLEWARE = middleware


def queries_of(client, url):
    """The queries of a page's second request, and that response: the first fills the content
    cache and teaches the middleware the path."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response, selector):
    return " ".join(BeautifulSoup(response.content, "html.parser").select_one(selector).get_text().split())


@pytest.fixture
def statistics():
    return StatisticFactory.create_batch(4)


@pytest.fixture
def lesson_body(statistics):
    return [
        callout_block(statistics[0]),
        chart_block(statistics[:2]),
        callout_block(statistics[2]),
        chart_block(statistics[2:]),
    ]


def test_lesson_and_module_queries_stay_low_from_3_to_30_lessons_and_1_to_1000_learners(
    learner_client, enrolment, module_page, make_lesson, lesson_body
):
    lessons = [make_lesson(lesson_body) for _ in range(3)]
    complete_lesson(enrolment, lessons[0])
    lesson_small, lesson_page = queries_of(learner_client, lessons[1].url)
    module_small, module_response = queries_of(learner_client, module_page.url)

    lessons += [make_lesson(lesson_body) for _ in range(27)]
    add_learners_with_progress(module_page, lessons, 999)
    lesson_large, _ = queries_of(learner_client, lessons[1].url)
    module_large, module_response_large = queries_of(learner_client, module_page.url)

    assert lesson_small == lesson_large <= LESSON_QUERIES
    assert module_small == module_large <= MODULE_QUERIES
    # The pages are complete, not cheaper by leaving things out.
    assert "Lesson 2 of 3" in text_of(lesson_page, ".lesson__header")
    assert len(BeautifulSoup(lesson_page.content, "html.parser").select("figure.statistic")) == 2
    assert "1 of 3 lessons done" in text_of(module_response, ".progress")
    assert "1 of 30 lessons done" in text_of(module_response_large, ".progress")
    assert len(BeautifulSoup(module_response_large.content, "html.parser").select(".lesson-list__item")) == 30


def test_breadcrumbs_come_from_the_route_without_a_query(learner_client, enrolment, make_lesson):
    lesson = make_lesson()

    _, response = queries_of(learner_client, lesson.url)

    crumbs = [a.get_text() for a in BeautifulSoup(response.content, "html.parser").select(".breadcrumbs a")]
    assert crumbs == ["Home", "Safeguarding children", "Online safety"]


def test_approving_a_statistic_changes_the_lesson_figure_at_once_for_a_signed_in_learner(
    learner_client, enrolment, make_lesson, trainer, lead_trainer
):
    figure = StatisticFactory(label="Child abuse image crimes recorded", value=Decimal("30925"))
    lesson = make_lesson([callout_block(figure)])
    assert "30,925" in text_of(learner_client.get(lesson.url), ".statistic__figure")  # body now cached

    edit = reverse("wagtailsnippets_cms_statistic:edit", args=[figure.pk])
    fields = ["label", "unit", "qualifier", "period", "geography", "basis_note", "source_title", "source_url"]
    form = {field: getattr(figure, field) for field in fields}
    form.update(value="33000", review_by="2027-03-31", source_published="", **{"action-submit": "on"})
    assert signed_in(trainer).post(edit, form).status_code == 302
    assert "30,925" in text_of(learner_client.get(lesson.url), ".statistic__figure")  # waiting for review

    task = TaskState.objects.get(workflow_state__object_id=str(figure.pk), status="in_progress")
    approve = reverse("wagtailsnippets_cms_statistic:workflow_action", args=[figure.pk, "approve", task.pk])
    assert signed_in(lead_trainer).post(approve).status_code in {200, 302}

    assert "33,000" in text_of(learner_client.get(lesson.url), ".statistic__figure")


def test_publishing_a_lesson_changes_its_body_and_title_at_once(learner_client, enrolment, make_lesson):
    lesson = make_lesson([{"type": "paragraph", "value": "<p>Old wording.</p>"}], title="Old title")
    assert "Old wording." in learner_client.get(lesson.url).content.decode()

    lesson.title = "New title"
    lesson.body = [("paragraph", "<p>New wording.</p>")]
    lesson.save_revision().publish()

    page = learner_client.get(lesson.url)
    assert "New wording." in page.content.decode()
    assert "Old wording." not in page.content.decode()
    assert text_of(page, "h1") == "New title"
    assert "New title" in text_of(learner_client.get(lesson.module.url), ".lesson-list")


def test_a_preview_never_reads_or_fills_the_lesson_body_cache(learner_client, enrolment, make_lesson):
    lesson = make_lesson([{"type": "paragraph", "value": "<p>Live wording.</p>"}])
    assert "Live wording." in learner_client.get(lesson.url).content.decode()  # cached now

    live_title = lesson.title
    lesson.title = "Draft title"
    lesson.body = [("paragraph", "<p>Draft wording.</p>")]
    draft = lesson.save_revision()
    preview = draft.as_object().make_preview_request()

    assert "Draft wording." in preview.content.decode()
    assert "Live wording." not in preview.content.decode()
    assert text_of(preview, "h1") == "Draft title"
    assert "Draft title" in text_of(preview, ".breadcrumbs")
    after = learner_client.get(lesson.url)
    assert "Live wording." in after.content.decode()
    assert "Draft wording." not in after.content.decode()
    assert text_of(after, "h1") == live_title
    assert "Draft title" not in text_of(after, ".breadcrumbs")


def test_unpublishing_a_lesson_takes_it_away_at_once(learner_client, enrolment, make_lesson):
    first, second = make_lesson(), make_lesson()
    complete_lesson(enrolment, first)
    assert learner_client.get(second.url).status_code == 200

    LessonPage.objects.get(pk=second.pk).unpublish()

    assert learner_client.get(second.url).status_code == 404
    listed = text_of(learner_client.get(first.get_parent().url), ".lesson-list")
    assert first.title in listed
    assert second.title not in listed


def test_a_changed_slug_moves_the_lesson_at_once(learner_client, enrolment, make_lesson):
    lesson = make_lesson(slug="old-slug")
    old_url = lesson.url
    assert learner_client.get(old_url).status_code == 200

    lesson.slug = "new-slug"
    lesson.save_revision().publish()

    assert learner_client.get(old_url).status_code == 404
    assert learner_client.get(old_url.replace("old-slug", "new-slug")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/safeguarding-children/no-such-module/lesson-1/",
        "/safeguarding-children/online-safety/no-such-lesson/",
        "/safeguarding-children/online-safety/lesson-1/no-such-route/",
        "/no-such-course/online-safety/lesson-1/",
    ],
)
def test_urls_that_match_no_page_are_not_found(learner_client, enrolment, make_lesson, path):
    make_lesson()

    assert learner_client.get(path).status_code == 404


def test_lesson_routes_below_the_page_still_work(learner_client, enrolment, make_lesson):
    first, second = make_lesson(), make_lesson()

    response = learner_client.post(f"{first.url}complete/")

    assert response.status_code == 302
    assert response["Location"] == second.url
    assert LessonProgress.objects.get(enrolment=enrolment, lesson=first).completed_at is not None


def test_a_sign_in_restriction_on_the_module_still_applies(client, learner_client, enrolment, make_lesson):
    lesson = make_lesson()
    module = lesson.get_parent()
    assert client.get(module.url).status_code == 200

    PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.LOGIN)

    for url in (module.url, lesson.url):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302
        assert "login" in anonymous["Location"]
    assert learner_client.get(module.url).status_code == 200


def test_a_private_lesson_is_left_out_of_the_module(learner_client, enrolment, make_lesson, module_page):
    public, private = make_lesson(title="Open lesson"), make_lesson(title="Staff only lesson")
    learner_client.get(module_page.url)  # lists cached

    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)

    listed = text_of(learner_client.get(module_page.url), ".lesson-list")
    assert public.title in listed
    assert private.title not in listed
    assert learner_client.get(private.url).status_code == 302  # Wagtail's restriction: sign in as staff


def test_every_learner_sees_the_same_body_with_their_own_progress(module_page, make_lesson, statistics):
    lessons = [make_lesson([callout_block(statistics[0])]) for _ in range(2)]
    learners = [UserFactory(), UserFactory()]
    clients = []
    for learner in learners:
        enrol(learner, module_page, source=Enrolment.Source.DEMO)
        clients.append(signed_in(learner))
    complete_lesson(Enrolment.objects.get(learner=learners[0]), lessons[0])

    first = clients[0].get(lessons[0].url)
    second = clients[1].get(lessons[0].url)

    assert text_of(first, ".statistic__figure") == text_of(second, ".statistic__figure") == "33,000"
    assert "You completed this lesson" in text_of(first, ".lesson__complete")
    assert "Mark as complete" in text_of(second, ".lesson__complete")
    assert learners[0].email in first.content.decode()
    assert learners[0].email not in second.content.decode()
    assert learners[1].email in second.content.decode()

"""Enrolment, lesson progress and resuming, as a learner meets them."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses.models import Enrolment, LessonProgress, ModulePage
from courses.services import complete_lesson, enrol, open_lesson
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons(make_lesson):
    return [make_lesson(title=f"Lesson {n}", slug=f"lesson-{n}") for n in range(1, 6)]


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content, "html.parser")


def complete_url(lesson):
    return lesson.url + "complete/"


def done_lessons(enrolment):
    return set(
        LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )


def test_enrol_is_idempotent(learner, module_page):
    first = enrol(learner, module_page, source=Enrolment.Source.SEAT)
    second = enrol(learner, module_page, source=Enrolment.Source.STAFF)

    assert first.pk == second.pk
    assert second.source == Enrolment.Source.SEAT
    assert Enrolment.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="courses.enrol").count() == 1


def test_without_an_enrolment_a_lesson_explains_how_to_get_access(learner_client, lessons):
    response = learner_client.get(lessons[0].url)

    html = soup(response)
    assert html.select_one("#access-heading").text == "How to get access"
    assert "ask your manager" in html.text.lower()
    assert html.select_one("form[action$='complete/']") is None
    assert not LessonProgress.objects.exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, lessons):
    response = client.get(lessons[0].url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_module_page_without_enrolment_lists_lessons_without_links(learner_client, module_page, lessons):
    html = soup(learner_client.get(module_page.url))

    assert [t.text for t in html.select(".lesson-list__title")] == [lesson.title for lesson in lessons]
    assert html.select(".lesson-list a") == []
    assert html.select_one("#access-heading")


def test_complete_goes_to_the_next_lesson_and_twice_changes_nothing(learner_client, enrolment, lessons):
    response = learner_client.post(complete_url(lessons[0]))

    assert response.status_code == 302
    assert response.url == lessons[1].url
    first = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[0])
    learner_client.post(complete_url(lessons[0]))
    again = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[0])
    assert again.completed_at == first.completed_at
    assert LessonProgress.objects.count() == 1


def test_locked_lesson_opened_directly_redirects_with_a_message(learner_client, enrolment, lessons):
    response = learner_client.get(lessons[2].url, follow=True)

    assert response.redirect_chain[0][0] == lessons[0].url
    assert "opens when you have finished “Lesson 1”" in response.content.decode()
    assert not LessonProgress.objects.filter(lesson=lessons[2]).exists()


def test_locked_lesson_cannot_be_completed_by_posting_to_its_url(learner_client, enrolment, lessons):
    response = learner_client.post(complete_url(lessons[3]), follow=True)

    assert "Finish “Lesson 1” first" in response.content.decode()
    assert done_lessons(enrolment) == set()


def test_free_order_module_opens_any_lesson(learner_client, enrolment, module_page, lessons):
    ModulePage.objects.filter(pk=module_page.pk).update(lesson_order=ModulePage.LessonOrder.FREE)

    assert learner_client.get(lessons[3].url).status_code == 200
    learner_client.post(complete_url(lessons[3]))
    assert done_lessons(enrolment) == {lessons[3].pk}


def test_another_learners_progress_is_never_shown_or_changed(client, module_page, lessons):
    alice, bob = UserFactory(), UserFactory()
    alice_enrolment = enrol(alice, module_page, source=Enrolment.Source.DEMO)
    bob_enrolment = enrol(bob, module_page, source=Enrolment.Source.DEMO)
    for lesson in lessons[:3]:
        complete_lesson(alice_enrolment, lesson)

    client.force_login(bob)
    html = soup(client.get(module_page.url))
    assert html.select_one(".progress__text").text == "0 of 5 lessons done"
    client.post(complete_url(lessons[0]))

    assert done_lessons(alice_enrolment) == {lesson.pk for lesson in lessons[:3]}
    assert done_lessons(bob_enrolment) == {lessons[0].pk}


def test_completing_without_an_enrolment_is_not_found(learner_client, lessons):
    assert learner_client.post(complete_url(lessons[0])).status_code == 404
    assert not LessonProgress.objects.exists()


def test_complete_needs_post(learner_client, enrolment, lessons):
    assert learner_client.get(complete_url(lessons[0])).status_code == 405


def test_post_without_csrf_token_is_refused(learner, enrolment, lessons):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(complete_url(lessons[0]))

    assert response.status_code == 403
    assert done_lessons(enrolment) == set()


def test_resume_goes_to_the_first_unfinished_lesson_after_a_new_login(
    client, learner, enrolment, module_page, lessons
):
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    client.post(complete_url(lessons[0]))
    client.post(complete_url(lessons[1]))
    client.post(reverse("account_logout"))

    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.url == reverse("my_learning")
    my_learning = soup(client.get(reverse("my_learning")))
    module = soup(client.get(module_page.url))

    assert my_learning.select_one(".enrolment a.button")["href"] == lessons[2].url
    assert "Next: Lesson 3" in my_learning.text
    button = module.select_one(".hero a.button")
    assert button["href"] == lessons[2].url
    assert button.get_text(" ", strip=True).startswith("Continue")
    assert module.select_one(".progress__text").text == "2 of 5 lessons done"
    assert module.select_one("progress")["value"] == "2"
    states = [item.select_one(".status").text for item in module.select(".lesson-list__item")]
    assert states == ["Done", "Done", "Not started", "Locked", "Locked"]


def test_lesson_page_shows_position_and_progress(learner_client, enrolment, lessons):
    complete_lesson(enrolment, lessons[0])

    html = soup(learner_client.get(lessons[1].url))

    assert "Lesson 2 of 5" in html.select_one(".eyebrow").text
    assert html.select_one(".progress__text").text == "1 of 5 lessons done"
    assert html.select_one("form[action$='complete/'] button").text == "Mark as complete and continue"
    assert LessonProgress.objects.get(lesson=lessons[1]).completed_at is None


def test_finishing_the_last_lesson_completes_the_module(learner_client, enrolment, module_page, lessons):
    for lesson in lessons[:4]:
        complete_lesson(enrolment, lesson)

    response = learner_client.post(complete_url(lessons[4]), follow=True)

    assert response.redirect_chain[-1][0] == module_page.url
    assert "You have finished every lesson in Online safety" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert ModelLogEntry.objects.filter(action="courses.complete_module").count() == 1


def test_learning_time_comes_from_server_timestamps_and_skips_breaks(enrolment, lessons):
    start = timezone.now()
    open_lesson(enrolment, lessons[0], now=start)
    complete_lesson(enrolment, lessons[0], now=start + timedelta(minutes=7))
    open_lesson(enrolment, lessons[1], now=start + timedelta(minutes=8))
    open_lesson(enrolment, lessons[1], now=start + timedelta(hours=5))  # came back after a break
    complete_lesson(enrolment, lessons[1], now=start + timedelta(hours=5, minutes=4))

    spent = {p.lesson_id: p.time_spent for p in LessonProgress.objects.filter(enrolment=enrolment)}
    assert spent == {lessons[0].pk: timedelta(minutes=7), lessons[1].pk: timedelta(minutes=4)}
    enrolment.refresh_from_db()
    assert enrolment.started_at == start


def test_each_view_of_a_lesson_adds_the_time_since_the_last_one_in_the_database(enrolment, lessons):
    start = timezone.now()
    open_lesson(enrolment, lessons[0], now=start)
    for minutes in (3, 5, 45, 50):  # 45 is after a break: those 40 minutes do not count
        progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[0])
        open_lesson(enrolment, lessons[0], progress=progress, now=start + timedelta(minutes=minutes))

    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lessons[0])
    assert progress.time_spent == timedelta(minutes=3 + 2 + 5)
    assert progress.last_opened_at == start + timedelta(minutes=50)
    assert progress.first_opened_at == start
    assert progress.completed_at is None


def test_sensitive_lesson_opens_with_a_content_note_and_two_choices(learner_client, enrolment, make_lesson):
    lesson = make_lesson(
        sensitive=True,
        content_note="This lesson covers grooming.",
        body=[{"type": "paragraph", "value": "<p>The body of the lesson.</p>"}],
    )

    note = soup(learner_client.get(lesson.url))
    assert "This lesson covers grooming." in note.select_one(".content-note").text
    assert "The body of the lesson." not in note.text
    assert note.select_one("form[action$='content-note/'] button").text == "Continue to the lesson"
    assert note.select_one("a.button--secondary")["href"] == reverse("my_learning")

    response = learner_client.post(lesson.url + "content-note/")
    assert response.status_code == 302
    assert response.url == lesson.url
    assert "The body of the lesson." in soup(learner_client.get(lesson.url)).text
    assert LessonProgress.objects.get(lesson=lesson).content_note_seen_at is not None


def test_my_learning_needs_login_and_lists_enrolments(client, learner, enrolment, lessons):
    assert client.get(reverse("my_learning")).status_code == 302
    Enrolment.objects.filter(pk=enrolment.pk).update(due_date=timezone.localdate() + timedelta(days=10))
    client.force_login(learner)

    html = soup(client.get(reverse("my_learning")))

    card = html.select_one(".enrolment")
    assert card.h2.text == "Online safety"
    assert "Due" in card.text
    assert card.select_one("a.button").get_text(" ", strip=True).startswith("Start")


def test_my_learning_without_enrolments_explains_what_to_do(learner_client):
    html = soup(learner_client.get(reverse("my_learning")))

    assert "Ask your manager" in html.text


def test_trainer_sees_every_lesson_without_enrolment(trainer_client, lessons):
    html = soup(trainer_client.get(lessons[4].url))

    assert html.h1.text == "Lesson 5"
    assert html.select_one("form[action$='complete/']") is None
    assert not LessonProgress.objects.exists()


def test_preview_shows_a_lesson_as_a_learner_sees_it(rf, trainer, make_lesson):
    lesson = make_lesson(sensitive=True, body=[{"type": "paragraph", "value": "<p>Draft text.</p>"}])

    response = lesson.make_preview_request()

    html = BeautifulSoup(response.rendered_content, "html.parser")
    assert "Draft text." in html.text
    assert html.select_one("aside.content-note")
    assert html.select_one("aside.signposting")

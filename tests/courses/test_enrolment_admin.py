"""Staff grant enrolments from the Wagtail admin, through the enrol service."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from courses.models import Enrolment
from courses.services import enrol
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_grant_an_enrolment_by_email(staff_client, platform_staff, module_page):
    learner = UserFactory(email="kim@example.org")
    form = staff_client.get(reverse("enrolments:add"))
    assert 'name="learner_email"' in form.content.decode()

    response = staff_client.post(
        reverse("enrolments:add"),
        {"learner_email": "KIM@example.org", "module": module_page.pk, "due_date": "2027-01-31"},
    )

    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert enrolment.learner == learner
    assert enrolment.source == Enrolment.Source.STAFF
    assert enrolment.granted_by == platform_staff
    assert str(enrolment.due_date) == "2027-01-31"
    assert ModelLogEntry.objects.get(action="courses.enrol").user == platform_staff


@pytest.mark.parametrize(
    "email, message",
    [
        ("nobody@example.org", "No account uses this email address"),
        ("not an email", "Enter a valid email address"),
    ],
)
def test_grant_with_bad_email_shows_an_error_and_changes_nothing(staff_client, module_page, email, message):
    response = staff_client.post(
        reverse("enrolments:add"), {"learner_email": email, "module": module_page.pk}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enrolment.objects.exists()


def test_granting_twice_says_already_enrolled(staff_client, module_page, enrolment, learner):
    response = staff_client.post(
        reverse("enrolments:add"), {"learner_email": learner.email, "module": module_page.pk}
    )

    assert response.status_code == 200
    assert "already enrolled" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_enrolment_listing_queries_do_not_grow_with_enrolments(staff_client, module_page):
    def listing_queries():
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("enrolments:index"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    for user in UserFactory.create_batch(3):
        enrol(user, module_page, source=Enrolment.Source.DEMO)
    staff_client.get(reverse("enrolments:index"))
    few, _ = listing_queries()
    for user in UserFactory.create_batch(20):
        enrol(user, module_page, source=Enrolment.Source.DEMO)

    many, html = listing_queries()
    assert many == few
    assert html.count("Online safety") >= 20


def test_learners_cannot_reach_the_admin(learner_client):
    response = learner_client.get(reverse("enrolments:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_staff_allow_a_new_set_of_quiz_attempts(staff_client, platform_staff, enrolment):
    response = staff_client.post(
        reverse("enrolments:edit", args=[enrolment.pk]), {"due_date": "", "allow_more_attempts": "on"}
    )

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.quiz_attempts_reset_at is not None
    assert ModelLogEntry.objects.get(action="courses.allow_more_attempts").user == platform_staff


def test_editing_the_due_date_alone_keeps_the_attempt_limit(staff_client, enrolment):
    staff_client.post(reverse("enrolments:edit", args=[enrolment.pk]), {"due_date": "2027-02-01"})

    enrolment.refresh_from_db()
    assert str(enrolment.due_date) == "2027-02-01"
    assert enrolment.quiz_attempts_reset_at is None

"""The training record's statuses, worked out from enrolments, progress, attempts and certificates.

The builders here (certify, staff_with_every_status, bulk_staff) are shared by test_dashboard.py and
test_inspection.py."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import add_months, issue_certificate
from courses.models import Enrolment, LessonProgress
from courses.services import complete_lesson, enrol
from providers import compliance, services
from providers.models import Invitation, Membership
from quizzes.models import Attempt, QuizPage
from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


def at(day):
    """Noon on ``day`` in the site's time zone, so the local date is ``day`` whatever the zone."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def member(provider, name, email=None, role=Membership.Role.LEARNER):
    user = UserFactory(certificate_name=name, **({"email": email} if email else {}))
    Membership.objects.create(provider=provider, user=user, role=role)
    return user


def certify(user, module, *, issued_on=None, expires_on=None, status=Certificate.Status.VALID):
    """A certificate issued the house way, then moved to the dates and status the test needs."""
    enrolment = enrol(user, module, source=Enrolment.Source.DEMO)
    certificate = issue_certificate(enrolment)
    changes = {"status": status}
    if issued_on:
        changes["issued_at"] = at(issued_on)
    if expires_on:
        changes["expires_on"] = expires_on
    Certificate.objects.filter(pk=certificate.pk).update(**changes)
    certificate.refresh_from_db()
    return certificate


@pytest.fixture(name="lessons")
def lessons_fixture(make_lesson):
    return [make_lesson() for _ in range(3)]


@pytest.fixture(name="quiz")
def quiz_fixture(module_page, lessons):
    return module_page.add_child(instance=QuizPage(title="Quiz", slug="quiz"))


@pytest.fixture(name="staff_with_every_status")
def staff_with_every_status_fixture(
    provider, module_page, lessons, quiz, paid_order, manager, other_provider
):
    """One person in each state, keyed by the status they should have. ``manager`` (the owner) has
    no enrolment, so is "not started" too."""
    paid_order(seats=20)
    today = timezone.localdate()
    people = {}

    people["trained"] = member(provider, "Tara Trained", "tara@acorns.example")
    certify(people["trained"], module_page, issued_on=today - timedelta(days=10))

    people["due"] = member(provider, "Dev Due", "dev@acorns.example")
    certify(
        people["due"],
        module_page,
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=10),
    )

    people["expired"] = member(provider, "Ed Expired", "ed@acorns.example")
    certify(
        people["expired"],
        module_page,
        issued_on=today - timedelta(days=800),
        expires_on=today - timedelta(days=1),
    )

    people["superseded_only"] = member(provider, "Sue Superseded", "sue@acorns.example")
    certify(people["superseded_only"], module_page, status=Certificate.Status.SUPERSEDED)

    # Revoked certificate only, and the module started again: in progress, not expired.
    people["revoked_only"] = member(provider, "Rita Revoked", "rita@acorns.example")
    certify(people["revoked_only"], module_page, status=Certificate.Status.REVOKED)
    Enrolment.objects.filter(learner=people["revoked_only"]).update(started_at=timezone.now())

    people["in_progress"] = member(provider, "Ian Progress", "ian@acorns.example")
    enrolment = enrol(people["in_progress"], module_page, source=Enrolment.Source.SEAT)
    complete_lesson(enrolment, lessons[0])
    LessonProgress.objects.filter(enrolment=enrolment).update(time_spent=timedelta(minutes=65))
    Attempt.objects.create(
        enrolment=enrolment, quiz=quiz, number=1, status="submitted", paper=[], score=60, passed=False
    )
    Attempt.objects.create(
        enrolment=enrolment, quiz=quiz, number=2, status="submitted", paper=[], score=90, passed=True
    )
    Attempt.objects.create(enrolment=enrolment, quiz=quiz, number=3, paper=[])  # in progress: not counted

    people["seat_not_started"] = member(provider, "Nia Seat", "nia@acorns.example")
    services.assign_seat(provider, module_page, people["seat_not_started"], actor=manager)

    people["no_enrolment"] = member(provider, "Noel Nothing", "noel@acorns.example")

    services.invite(provider, module_page, "ivy@elsewhere.example", name="Ivy Invited", actor=manager)
    # Expired and cancelled invitations are nobody.
    old = services.invite(provider, module_page, "gone@elsewhere.example", actor=manager)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    cancelled = services.invite(provider, module_page, "cancel@elsewhere.example", actor=manager)
    services.cancel_invitation(cancelled, actor=manager)

    # Someone else's staff never appear.
    stranger = member(other_provider, "Oscar Other", "oscar@bluebells.example")
    certify(stranger, module_page)
    return people


def by_email(rows):
    return {row.email: row for row in rows}


def test_each_person_gets_the_status_their_records_give(provider, staff_with_every_status, manager):
    rows = by_email(compliance.staff_rows(provider))

    assert {email: row.status for email, row in rows.items()} == {
        "tara@acorns.example": compliance.TRAINED,
        "dev@acorns.example": compliance.DUE,
        "ed@acorns.example": compliance.EXPIRED,
        "sue@acorns.example": compliance.EXPIRED,
        "rita@acorns.example": compliance.IN_PROGRESS,
        "ian@acorns.example": compliance.IN_PROGRESS,
        "nia@acorns.example": compliance.NOT_STARTED,
        "noel@acorns.example": compliance.NOT_STARTED,
        manager.email: compliance.NOT_STARTED,
        "ivy@elsewhere.example": compliance.INVITED,
    }
    assert rows["tara@acorns.example"].status_label == "Trained and in date"
    assert rows["ivy@elsewhere.example"].name == "Ivy Invited"
    assert rows[manager.email].role == "Owner"


def test_a_row_carries_progress_quiz_time_and_the_current_certificate(provider, staff_with_every_status):
    rows = by_email(compliance.staff_rows(provider))

    ian = rows["ian@acorns.example"]
    assert ian.progress_text == "1 of 3 lessons"
    assert (ian.best_score, ian.quiz_passed) == (90, True)
    assert ian.quiz_text == "90% (passed)"
    assert ian.learning_time_text == "1 hour 5 minutes"
    assert ian.certificate is None
    tara = rows["tara@acorns.example"]
    current = Certificate.objects.get(learner=staff_with_every_status["trained"], status="valid")
    assert tara.certificate.code == current.code
    assert tara.issued_on == timezone.localdate() - timedelta(days=10)
    assert tara.expires_on == current.expires_on
    assert tara.verification_url == f"http://testserver/verify/{current.code}/"
    assert rows["sue@acorns.example"].certificate is None  # superseded is not current
    assert rows["noel@acorns.example"].quiz_text == "Not taken"


def test_a_shorter_renewal_period_brings_a_24_month_certificate_due_or_expired_sooner(
    provider, module_page, paid_order
):
    paid_order(seats=2)
    today = timezone.localdate()
    soon = member(provider, "Sam Soon")
    lapsed = member(provider, "Lee Lapsed")
    # 24-month certificates: both in date by their own expiry.
    soon_issued = add_months(today, -12) + timedelta(days=10)
    certify(soon, module_page, issued_on=soon_issued, expires_on=add_months(soon_issued, 24))
    lapsed_issued = add_months(today, -13)
    certify(lapsed, module_page, issued_on=lapsed_issued, expires_on=add_months(lapsed_issued, 24))

    provider.renewal_months = None
    rows = by_email(compliance.staff_rows(provider))
    assert rows[soon.email].status == rows[lapsed.email].status == compliance.TRAINED

    provider.renewal_months = 12
    rows = by_email(compliance.staff_rows(provider))
    assert rows[soon.email].status == compliance.DUE
    assert rows[soon.email].expires_on == add_months(soon_issued, 12)
    assert rows[lapsed.email].status == compliance.EXPIRED
    assert rows[lapsed.email].expires_on == add_months(lapsed_issued, 12)

    provider.renewal_months = 36  # longer than the certificate's: ignored
    rows = by_email(compliance.staff_rows(provider))
    assert rows[soon.email].expires_on == add_months(soon_issued, 24)


def test_due_means_thirty_days_or_fewer(provider, module_page, paid_order):
    paid_order(seats=3)
    today = timezone.localdate()
    edge = member(provider, "Edge Thirty")
    beyond = member(provider, "Beyond Thirty")
    last_day = member(provider, "Last Day")
    certify(edge, module_page, expires_on=today + timedelta(days=30))
    certify(beyond, module_page, expires_on=today + timedelta(days=31))
    certify(last_day, module_page, expires_on=today)

    rows = by_email(compliance.staff_rows(provider))

    assert rows[edge.email].status == compliance.DUE
    assert rows[beyond.email].status == compliance.TRAINED
    assert rows[last_day.email].status == compliance.DUE  # still valid on its expiry day


def test_summary_counts_every_status(provider, staff_with_every_status):
    result = compliance.summary(compliance.staff_rows(provider))

    assert result.counts == {
        "trained": 1,
        "due": 1,
        "expired": 2,
        "in_progress": 2,
        "not_started": 3,
        "invited": 1,
    }
    assert result.total == 10
    assert sum(segment.percent for segment in result.segments) == pytest.approx(100, abs=0.1)


def test_filter_search_and_sort(provider, staff_with_every_status):
    rows = compliance.staff_rows(provider)

    expired = compliance.filter_rows(rows, status="expired")
    assert {row.email for row in expired} == {"ed@acorns.example", "sue@acorns.example"}
    assert [row.email for row in compliance.filter_rows(rows, q="IAN")] == ["ian@acorns.example"]
    assert [row.email for row in compliance.filter_rows(rows, q="elsewhere")] == ["ivy@elsewhere.example"]
    assert len(compliance.filter_rows(rows, status="nonsense")) == len(rows)

    names = [row.name for row in compliance.sort_rows(rows, "name")]
    assert names == sorted(names, key=str.casefold)
    assert [row.name for row in compliance.sort_rows(rows, "name", descending=True)] == names[::-1]
    statuses = [row.status for row in compliance.sort_rows(rows, "status")]
    assert statuses[:2] == ["expired", "expired"] and statuses[-1] == "trained"
    by_expiry = compliance.sort_rows(rows, "expiry")
    assert [row.email for row in by_expiry[:3]] == [
        "ed@acorns.example",
        "dev@acorns.example",
        "tara@acorns.example",
    ]
    assert by_expiry[-1].expires_on is None
    by_expiry_desc = compliance.sort_rows(rows, "expiry", descending=True)
    assert by_expiry_desc[0].email == "tara@acorns.example" and by_expiry_desc[-1].expires_on is None


def test_a_member_with_an_open_invitation_and_no_enrolment_is_invited_not_listed_twice(
    provider, module_page, paid_order, manager
):
    paid_order(seats=2)
    existing = member(provider, "Mo Member", "mo@acorns.example")
    services.invite(provider, module_page, "MO@acorns.example", actor=manager)

    rows = [row for row in compliance.staff_rows(provider) if row.email.lower() == "mo@acorns.example"]

    assert len(rows) == 1
    assert rows[0].status == compliance.INVITED and rows[0].user_id == existing.pk


def test_a_provider_without_seats_lists_its_members_as_not_started(provider, manager):
    rows = compliance.staff_rows(provider)

    assert [(row.email, row.status, row.module) for row in rows] == [(manager.email, "not_started", None)]


def test_current_certificates_are_valid_ones_of_members_only(provider, staff_with_every_status):
    codes = set(compliance.current_certificates(provider).values_list("learner__email", flat=True))

    assert codes == {"tara@acorns.example", "dev@acorns.example", "ed@acorns.example"}


def test_duration_text():
    assert compliance.duration_text(timedelta()) == "0 minutes"
    assert compliance.duration_text(timedelta(minutes=1)) == "1 minute"
    assert compliance.duration_text(timedelta(hours=2)) == "2 hours"
    assert compliance.duration_text(timedelta(hours=1, minutes=5, seconds=59)) == "1 hour 5 minutes"


# --- Many staff, built quickly --------------------------------------------------------------


def bulk_staff(provider, module, count, lessons, quiz=None, start=0):
    """``count`` members with a spread of statuses (in bulk, bypassing the services for speed)."""
    today = timezone.localdate()
    users = User.objects.bulk_create(
        User(
            email=f"staff{start + n}@bulk.example",
            certificate_name=f"Staff Member {start + n:05d}",
            password="!",
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(Membership(provider=provider, user=user) for user in users)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            learner=user,
            module=module,
            source=Enrolment.Source.SEAT,
            started_at=timezone.now() if n % 4 else None,
        )
        for n, user in enumerate(users)
        if n % 5
    )
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        LessonProgress(
            enrolment=enrolment,
            lesson=lesson,
            first_opened_at=now,
            last_opened_at=now,
            completed_at=now,
            time_spent=timedelta(minutes=7),
        )
        for enrolment in enrolments
        if enrolment.started_at
        for lesson in lessons
    )
    if quiz is not None:
        Attempt.objects.bulk_create(
            Attempt(enrolment=e, quiz=quiz, number=1, status="submitted", paper=[], score=85, passed=True)
            for e in enrolments
            if e.started_at
        )
    Certificate.objects.bulk_create(
        Certificate(
            learner_id=enrolment.learner_id,
            module=module,
            enrolment=enrolment,
            snapshot={"name": f"Bulk {n}", "issued_on": today.isoformat(), "expires_on": today.isoformat()},
            issued_at=now - timedelta(days=n % 800),
            expires_on=today + timedelta(days=(n % 60) - 20 + 700 * (n % 2)),
        )
        for n, enrolment in enumerate(enrolments)
        if enrolment.started_at and n % 3 == 0
    )
    return users


def test_staff_rows_runs_the_same_number_of_queries_for_10_and_200_staff(
    provider, module_page, lessons, quiz, paid_order
):
    paid_order(seats=5)
    bulk_staff(provider, module_page, 10, lessons, quiz)
    with CaptureQueriesContext(connection) as small:
        small_rows = compliance.staff_rows(provider)
    bulk_staff(provider, module_page, 190, lessons, quiz, start=10)
    with CaptureQueriesContext(connection) as large:
        large_rows = compliance.staff_rows(provider)

    assert len(small_rows) == 11 and len(large_rows) == 201
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
    assert {row.status for row in large_rows} >= {"trained", "due", "expired", "in_progress", "not_started"}

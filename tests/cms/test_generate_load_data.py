"""manage.py generate_load_data: the volume asked for, in the shapes the services write, dev only."""

import hashlib
import io
import re
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import CODE_ALPHABET, Certificate
from certificates.services import add_months, certificate_snapshot
from cms.management.commands.generate_load_data import LARGE_PROVIDER, delete_generated
from cms.management.commands.load_demo import DEMO_PASSWORD
from courses.models import Enrolment, LessonProgress, ModulePage
from providers import compliance
from providers.models import MAX_SEATS_PER_ORDER, Membership, Provider, SeatAssignment, SeatOrder
from providers.services import seat_counts
from quizzes.analysis import item_analysis
from quizzes.grading import mark_paper, score_percent
from quizzes.models import Attempt, Response
from quizzes.services import window_for
from users.models import User

pytestmark = pytest.mark.django_db

SMALL = {"providers": 5, "learners": 200, "attempts": 400, "certificates": 100}
# What quizzes.grading.paper_entry freezes for each question of an attempt.
PAPER_ENTRY_KEYS = {
    "question",
    "kind",
    "lesson",
    "stem",
    "explanation",
    "source_title",
    "source_url",
    "options",
}
CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return ModulePage.objects.get(slug="online-safety")


def generate(**options):
    out = io.StringIO()
    call_command("generate_load_data", **{**SMALL, "seed": 3, **options}, stdout=out)
    return out.getvalue()


def people():
    return User.objects.filter(email__endswith="@load.example")


def providers():
    return Provider.objects.filter(billing_email__endswith="@load.example")


def certificates():
    return Certificate.objects.filter(learner__in=people())


def counts():
    return {
        "users": people().count(),
        "providers": providers().count(),
        "memberships": Membership.objects.filter(provider__in=providers()).count(),
        "orders": SeatOrder.objects.filter(provider__in=providers()).count(),
        "seats": SeatAssignment.objects.filter(user__in=people()).count(),
        "enrolments": Enrolment.objects.filter(learner__in=people()).count(),
        "progress": LessonProgress.objects.filter(enrolment__learner__in=people()).count(),
        "attempts": Attempt.objects.filter(enrolment__learner__in=people()).count(),
        "responses": Response.objects.filter(attempt__enrolment__learner__in=people()).count(),
        "certificates": certificates().count(),
    }


def digest():
    """Everything the seed decides that does not depend on today's date."""
    parts = sorted(people().values_list("email", flat=True))
    parts += sorted(certificates().values_list("code", flat=True))
    parts += sorted(providers().values_list("name", flat=True))
    parts += [
        str(score)
        for score in Attempt.objects.filter(enrolment__learner__in=people())
        .order_by("enrolment__learner__email", "number")
        .values_list("score", flat=True)
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def summary_counts(output):
    return {
        label.strip(): int(number.replace(",", ""))
        for label, number in re.findall(r"^ +([A-Za-z ,()0-9]+?) {2,}([\d,]+)$", output, re.M)
    }


@pytest.fixture(scope="class")
def volume(django_db_setup, django_db_blocker):
    """The demo course and one small generated lot (a quarter of it at Northfield), made once for
    the read-only tests of the class below and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        before = Certificate.objects.count()
        output = generate(large_share=0.25)
        yield SimpleNamespace(
            output=output,
            module=ModulePage.objects.get(slug="online-safety"),
            other_certificates=before,
        )
        transaction.set_rollback(True)


class TestTheGeneratedVolume:
    def test_the_counts_match_what_was_asked_and_the_summary_says_so(self, volume):
        made = counts()
        assert made["providers"] == 5
        assert made["seats"] == made["enrolments"] == 200
        assert made["attempts"] == 400
        assert made["certificates"] == 100
        assert Certificate.objects.count() == volume.other_certificates + 100  # the demo's are untouched
        papers = Attempt.objects.filter(enrolment__learner__in=people()).values_list("paper", flat=True)
        assert made["responses"] == sum(len(paper) for paper in papers) == 400 * 10
        # the large network has the share asked for
        large = Provider.objects.get(name=LARGE_PROVIDER)
        assert SeatAssignment.objects.filter(provider=large).count() == 50
        # the summary prints every count and the time taken
        printed = summary_counts(volume.output)
        assert printed["Providers"] == 5
        assert printed["Seat assignments"] == 200
        assert printed["Quiz attempts"] == 400
        assert printed["Responses"] == 4000
        assert printed["Certificates"] == 100
        assert printed["Users"] == made["users"]
        assert printed["Lesson progress"] == made["progress"]
        assert re.search(r"Took \d+\.\d seconds\.", volume.output)

    def test_providers_have_owners_managers_and_paid_orders_covering_their_seats(self, volume):
        plans = list(providers().annotate(seats_used=Count("seats", distinct=True)))
        assert Counter(p.kind for p in plans)[Provider.Kind.CHILDMINDER] == 2  # 45% of the four others
        for provider in plans:
            roles = Counter(provider.memberships.values_list("role", flat=True))
            assert roles[Membership.Role.OWNER] == 1
            counted = seat_counts(provider, volume.module)
            assert counted.assigned == provider.seats_used
            assert counted.purchased >= counted.assigned  # paid seats cover the seats in use
            orders = list(provider.orders.all())
            assert all(
                o.status == SeatOrder.Status.PAID and o.quantity <= MAX_SEATS_PER_ORDER for o in orders
            )
            assert all(
                o.invoice_number and o.invoice_snapshot["customer_name"] == provider.name for o in orders
            )
            first_seat = provider.seats.order_by("assigned_at").first()
            assert min(o.paid_at for o in orders) <= first_seat.assigned_at
            assert provider.created_at <= min(o.created_at for o in orders)
            if provider.kind == Provider.Kind.CHILDMINDER:  # a provider of one: the owner takes the seat
                assert roles == {Membership.Role.OWNER: 1}
                assert provider.seats.get().user == provider.memberships.get().user
            else:
                assert roles[Membership.Role.LEARNER] == provider.seats_used
        northfield = Provider.objects.get(name=LARGE_PROVIDER)
        assert northfield.memberships.filter(role=Membership.Role.MANAGER).exists()
        numbers = SeatOrder.objects.exclude(invoice_number=None).values_list("invoice_number", flat=True)
        assert len(set(numbers)) == len(numbers)
        emails = list(people().values_list("email", flat=True))
        assert all(re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@load\.example", email) for email in emails)

    def test_every_learner_has_a_seat_and_an_enrolment_at_their_provider(self, volume):
        seats = {
            (seat.provider_id, seat.user_id): seat
            for seat in SeatAssignment.objects.filter(user__in=people()).select_related("enrolment")
        }
        learners = Membership.objects.filter(provider__in=providers(), role=Membership.Role.LEARNER)
        childminders = Membership.objects.filter(
            provider__kind=Provider.Kind.CHILDMINDER, provider__in=providers()
        )
        members = list(learners.values_list("provider_id", "user_id")) + list(
            childminders.values_list("provider_id", "user_id")
        )
        assert len(members) == len(seats) == 200
        for key in members:
            enrolment = seats[key].enrolment
            assert enrolment.learner_id == key[1]
            assert enrolment.module_id == volume.module.pk
            assert enrolment.source == Enrolment.Source.SEAT
            assert enrolment.granted_by_id == seats[key].assigned_by_id
            assert enrolment.created_at == seats[key].assigned_at
        # lessons are done in order: a started learner has a first lesson, and none before a gap
        lesson_ids = [lesson.pk for lesson in volume.module.lessons]
        progress = {}
        for row in LessonProgress.objects.filter(enrolment__learner__in=people()).order_by("lesson__path"):
            progress.setdefault(row.enrolment_id, []).append(row)
        states = Counter()
        for enrolment in Enrolment.objects.filter(learner__in=people()):
            rows = progress.get(enrolment.pk, [])
            assert [row.lesson_id for row in rows] == lesson_ids[: len(rows)]
            done = [row for row in rows if row.completed_at]
            assert rows[: len(done)] == done
            assert (enrolment.started_at is None) == (not rows)
            if rows:
                assert enrolment.started_at == rows[0].first_opened_at
            if enrolment.completed_at:
                assert len(done) == len(lesson_ids)
            states["done" if len(done) == len(lesson_ids) else "started" if rows else "not started"] += 1
        assert min(states.values()) >= 10  # a mix of not started, in progress and done

    def test_attempts_are_drawn_and_graded_as_the_quiz_services_do(self, volume):
        quiz = volume.module.quiz
        pool = {question.pk: question for question in quiz.question_pool()}
        responses = {}
        for response in Response.objects.filter(attempt__enrolment__learner__in=people()):
            responses.setdefault(response.attempt_id, {})[response.question_id] = response
        by_enrolment = {}
        for attempt in Attempt.objects.filter(enrolment__learner__in=people()).select_related("enrolment"):
            by_enrolment.setdefault(attempt.enrolment_id, []).append(attempt)
            assert attempt.status == Attempt.Status.SUBMITTED
            assert {entry["question"] for entry in attempt.paper} <= set(pool)
            assert {entry["lesson"] for entry in attempt.paper} == {
                lesson.pk for lesson in volume.module.lessons
            }
            for entry in attempt.paper:
                assert set(entry) == PAPER_ENTRY_KEYS
                keys = [option["key"] for option in entry["options"]]
                assert len(set(keys)) == len(keys)
            marks = mark_paper(attempt.paper, attempt.answers)
            assert attempt.score == score_percent(marks)
            assert attempt.passed == (attempt.score >= quiz.pass_mark)
            rows = responses[attempt.pk]
            assert len(rows) == len(attempt.paper)
            for mark in marks:
                row = rows[mark.entry["question"]]
                assert (row.chosen, row.is_correct) == (mark.chosen_refs, mark.is_correct)
            assert attempt.started_at < attempt.submitted_at < timezone.now()
        takers = passers = 0
        for attempts in by_enrolment.values():
            attempts.sort(key=lambda a: a.number)
            enrolment = attempts[0].enrolment
            assert [a.number for a in attempts] == list(range(1, len(attempts) + 1))
            assert [a.submitted_at for a in attempts] == sorted(a.submitted_at for a in attempts)
            assert enrolment.started_at < attempts[0].started_at
            for i, attempt in enumerate(attempts):  # the attempt limit and cooldown allowed each one
                assert window_for(enrolment, quiz, attempts[:i], now=attempt.started_at).remaining > 0
            assert (enrolment.completed_at is not None) == attempts[-1].passed
            takers += 1
            passers += attempts[-1].passed
        assert 0.7 <= passers / takers <= 0.9  # about 80% of those who sat the quiz have passed
        # the item analysis report reads them: every question drawn, none always right or always wrong
        stats = item_analysis(quiz=quiz)
        assert sum(item.attempts for item in stats) == 4000
        assert all(0 < item.facility < 1 for item in stats if item.attempts >= 20)

    def test_certificates_belong_to_passed_enrolments_with_the_snapshot_the_service_makes(self, volume):
        made = list(certificates().select_related("attempt", "enrolment__module", "enrolment__learner"))
        today = timezone.localdate()
        for certificate in made:
            attempt, enrolment = certificate.attempt, certificate.enrolment
            assert attempt.passed and attempt.enrolment_id == enrolment.pk
            assert enrolment.completed_at is not None and enrolment.learner_id == certificate.learner_id
            assert certificate.issued_at == attempt.submitted_at
            assert certificate.expires_on == add_months(timezone.localdate(certificate.issued_at), 24)
            assert timezone.localdate(certificate.issued_at) >= add_months(today, -30) - timedelta(days=1)
            assert CODE.match(certificate.code)
            assert certificate.snapshot == certificate_snapshot(
                enrolment, attempt, timezone.localtime(certificate.issued_at), certificate.expires_on
            )
            assert not certificate.pdf  # rendered on first download
        # one valid certificate per learner and module at most (the constraint), history kept
        per_learner = (
            certificates()
            .filter(status=Certificate.Status.VALID)
            .values("learner", "module")
            .annotate(n=Count("pk"))
        )
        assert max(row["n"] for row in per_learner) == 1
        superseded = [c for c in made if c.status == Certificate.Status.SUPERSEDED]
        assert len(superseded) == 6
        for old in superseded:
            new = old.superseded_by
            assert new.learner_id == old.learner_id and new.enrolment_id == old.enrolment_id
            assert new.status != Certificate.Status.SUPERSEDED and new.issued_at > old.issued_at
            assert timezone.localdate(new.issued_at) >= old.expires_on - timedelta(days=60)  # renewal window
            assert old.enrolment.quiz_attempts_reset_at < new.issued_at
        revoked = [c for c in made if c.status == Certificate.Status.REVOKED]
        assert revoked and all(c.revoked_reason and c.revoked_at >= c.issued_at for c in revoked)
        valid = [c for c in made if c.status == Certificate.Status.VALID]
        statuses = Counter(compliance.certificate_status(c.expires_on, today) for c in valid)
        assert statuses[compliance.EXPIRED] and statuses[compliance.DUE] and statuses[compliance.TRAINED]
        assert len({c.code for c in made}) == len(made)

    def test_generated_people_can_open_the_module_and_the_dashboard(self, volume, client):
        northfield = Provider.objects.get(name=LARGE_PROVIDER)
        learner = (
            SeatAssignment.objects.filter(provider=northfield, enrolment__started_at__isnull=False)
            .first()
            .user
        )
        manager = northfield.memberships.filter(role=Membership.Role.MANAGER).first().user

        assert client.login(email=learner.email, password=DEMO_PASSWORD)  # the one shared hash works
        response = client.get(volume.module.url)
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.find("h1").get_text(strip=True) == volume.module.title

        client.force_login(manager)
        response = client.get(reverse("providers:dashboard", args=[northfield.pk]))
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        table = soup.find("table", class_="data-table")
        cells = [cell.get_text(" ", strip=True) for cell in table.find_all(["td", "th"])]
        assert any(learner.certificate_name in text for text in cells)
        rows = compliance.staff_rows(northfield)
        statuses = Counter(row.status for row in rows)
        assert len(rows) == northfield.memberships.count()
        assert (
            statuses[compliance.NOT_STARTED]
            and statuses[compliance.IN_PROGRESS]
            and statuses[compliance.TRAINED]
        )
        learning = Enrolment.objects.filter(learner__in=people()).aggregate(t=Sum("progress__time_spent"))[
            "t"
        ]
        assert learning.total_seconds() > 0


def test_the_same_seed_gives_the_same_data_and_replace_leaves_no_duplicates(demo):
    generate(seed=5)
    first, made = digest(), counts()
    large = Provider.objects.get(name=LARGE_PROVIDER)
    assert large.seats.count() == 20  # 10% of the learners by default

    generate(seed=5, replace=True)
    assert digest() == first
    assert counts() == made
    assert people().values("email").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert Provider.objects.filter(name=LARGE_PROVIDER).count() == 1
    assert not Provider.objects.filter(pk=large.pk).exists()  # the old rows went, new ones came

    generate(seed=6, replace=True)
    assert digest() != first
    assert counts()["certificates"] == 100 and counts()["providers"] == 5


def test_a_second_run_is_refused_without_replace(demo):
    generate()
    made = counts()

    with pytest.raises(CommandError, match="--replace"):
        generate(seed=9)
    assert counts() == made


def test_refused_unless_demo_accounts_are_allowed(demo, settings):
    settings.DEMO_ACCOUNTS = False  # as in production

    with pytest.raises(CommandError, match="development only"):
        generate()
    assert not people().exists() and not providers().exists()


def test_refused_without_the_demo_course(db):
    with pytest.raises(CommandError, match="run manage.py load_demo first"):
        generate()
    assert not people().exists()


def test_impossible_volumes_are_refused_with_a_reason(demo):
    with pytest.raises(CommandError, match="at least as many attempts"):
        generate(attempts=50, certificates=100)
    with pytest.raises(CommandError, match="as many learners as providers"):
        generate(providers=10, learners=5)
    assert not people().exists()


def test_queries_grow_with_batches_not_rows(demo):
    """Bulk inserts: twice the volume adds a few batches, never a query per row."""
    with CaptureQueriesContext(connection) as small:
        generate()
    delete_generated()
    with CaptureQueriesContext(connection) as double:
        generate(learners=400, attempts=800, certificates=200)

    assert counts()["responses"] == 8000
    # 400 learners, 800 attempts, 8,000 responses and 200 certificates in fewer than 150 queries
    assert len(double.captured_queries) < 150
    # only extra batches (SQLite takes at most 999 parameters a statement; PostgreSQL 2,000 rows)
    assert len(double.captured_queries) - len(small.captured_queries) < 50

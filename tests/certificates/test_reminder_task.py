"""The daily reminder job on the task backend (immediate here), and the command the scheduler runs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from certificates.models import Certificate, Reminder
from certificates.tasks import send_daily_reminders
from providers import services
from providers.models import ManagerDigest, PriceTier, SeatOrder
from tests.factories import UserFactory
from tests.providers.test_compliance import certify, member

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def due_learner(module_page):
    """A nursery with seats; its owner is trained, its staff member's certificate expires in 7 days."""
    manager = UserFactory(email="manager@acorns.example")
    provider = services.create_provider(
        owner=manager,
        name="Little Acorns Nursery",
        kind="nursery",
        billing_name="A",
        billing_email="a@x.example",
    )
    PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00"))
    order = services.place_order(provider, module_page, 2, method=SeatOrder.Method.INVOICE, placed_by=manager)
    services.fulfil_order(order, actor=manager)
    today = timezone.localdate()
    certify(manager, module_page, issued_on=today)
    learner = member(provider, "Dev Due", "dev@acorns.example")
    certify(learner, module_page, issued_on=today - timedelta(days=700), expires_on=today + timedelta(days=7))
    mail.outbox.clear()
    return learner


def test_the_enqueued_task_sends_reminders_and_digests_and_returns_counts(due_learner):
    result = send_daily_reminders.enqueue()

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"certificate_reminders": 1, "manager_digests": 1, "erased_certificates": 0}
    reminder, digest = sorted(mail.outbox, key=lambda message: message.to[0])
    assert reminder.to == ["dev@acorns.example"]
    assert reminder.subject == "Your Online safety certificate expires in 7 days"
    assert digest.to == ["manager@acorns.example"]
    assert "- Dev Due, Online safety: renew by" in digest.body
    assert Reminder.objects.get().kind == Reminder.Kind.DAYS_7
    assert ManagerDigest.objects.count() == 1

    # Run again the same day: nothing is sent twice.
    assert send_daily_reminders.enqueue().return_value == {
        "certificate_reminders": 0,
        "manager_digests": 0,
        "erased_certificates": 0,
    }
    assert len(mail.outbox) == 2


def test_the_command_prints_the_counts(due_learner, capsys):
    call_command("send_certificate_reminders")
    out = capsys.readouterr().out
    assert "Sent 1 certificate reminder." in out
    assert "Sent 1 manager digest." in out

    call_command("send_certificate_reminders")
    out = capsys.readouterr().out
    assert "Sent 0 certificate reminders." in out
    assert "Sent 0 manager digests." in out
    assert len(mail.outbox) == 2


@override_settings(TASKS=DUMMY_TASKS)
def test_with_a_queue_the_command_only_enqueues(due_learner, capsys):
    """A backend with workers (the dummy backend stands in): the command returns at once."""
    call_command("send_certificate_reminders")

    assert "Queued the daily reminder job as task" in capsys.readouterr().out
    assert mail.outbox == []
    assert not Reminder.objects.exists()


@override_settings(TASKS=DUMMY_TASKS)
def test_run_here_does_the_work_without_the_task_backend(due_learner, capsys):
    call_command("send_certificate_reminders", "--run-here")

    out = capsys.readouterr().out
    assert "Sent 1 certificate reminder." in out
    assert "Sent 1 manager digest." in out
    assert len(mail.outbox) == 2


def test_a_failed_job_fails_the_command_after_the_other_job_ran(due_learner, monkeypatch):
    def broken(today=None):
        raise RuntimeError("database went away")

    monkeypatch.setattr("certificates.tasks.send_manager_digests", broken)

    with pytest.raises(CommandError, match="daily reminder job failed"):
        call_command("send_certificate_reminders")
    # The learners' reminders still went out.
    assert [message.to for message in mail.outbox] == [["dev@acorns.example"]]
    assert Certificate.objects.filter(reminders__isnull=False).count() == 1

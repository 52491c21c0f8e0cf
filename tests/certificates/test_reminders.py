"""Expiry reminders go out once each, across two runs a day and across the day boundary."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate, Reminder
from certificates.reminders import send_expiry_reminders
from certificates.services import issue_certificate
from courses.services import complete_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(enrolment, make_lesson):
    complete_lesson(enrolment, make_lesson())
    return Certificate.objects.get()


def expire_in(certificate, days, today):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=today + timedelta(days=days))


def test_each_reminder_is_sent_once_across_runs_and_days(certificate, learner):
    today = timezone.localdate()
    expire_in(certificate, 31, today)

    sent = [send_expiry_reminders(today + timedelta(days=day)) for day in range(0, 40) for _ in range(2)]

    # day 1: 30 days left; day 24: 7 days left; day 31: the expiry day; every run twice
    assert sum(sent) == 3
    assert [m.subject for m in mail.outbox] == [
        "Your Online safety certificate expires in 30 days",
        "Your Online safety certificate expires in 7 days",
        "Your Online safety certificate has expired",
    ]
    assert all(m.to == [learner.email] for m in mail.outbox)
    assert certificate.code in mail.outbox[0].body
    assert Reminder.objects.count() == 3


def test_a_missed_day_is_caught_up_the_next_day(certificate):
    today = timezone.localdate()
    expire_in(certificate, 29, today)  # the job did not run on the 30-days day

    assert send_expiry_reminders(today) == 1
    assert Reminder.objects.get().kind == Reminder.Kind.DAYS_30


def test_superseded_and_revoked_certificates_get_no_reminders(certificate, enrolment):
    today = timezone.localdate()
    expire_in(certificate, 30, today)
    issue_certificate(enrolment)  # a renewal: the old one is superseded
    Certificate.objects.filter(status=Certificate.Status.VALID).update(expires_on=today + timedelta(days=700))

    assert send_expiry_reminders(today) == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_next_run(certificate, monkeypatch):
    today = timezone.localdate()
    expire_in(certificate, 7, today)

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP server unreachable")

    monkeypatch.setattr("certificates.reminders.send_mail", broken)
    assert send_expiry_reminders(today) == 0
    assert not Reminder.objects.exists()
    monkeypatch.undo()

    assert send_expiry_reminders(today) == 1


def test_command_reports_how_many_it_sent(certificate, capsys):
    expire_in(certificate, 7, timezone.localdate())

    call_command("send_certificate_reminders")

    assert "Sent 1 certificate reminder." in capsys.readouterr().out


def test_a_providers_shorter_renewal_interval_brings_the_reminder_forward(certificate, learner):
    """The module's certificate lasts 24 months; the learner's nursery asks for yearly renewal."""
    from providers.models import Membership, Provider

    nursery = Provider.objects.create(
        name="Little Acorns",
        kind="nursery",
        billing_name="A",
        billing_email="a@example.org",
        renewal_months=12,
    )
    Membership.objects.create(provider=nursery, user=learner)
    today = timezone.localdate()
    issued = certificate.issued_at
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=issued - timedelta(days=360))
    # Renewal falls due 12 months after issue, about 5 days from now; the expiry is a year later.
    assert send_expiry_reminders(today) == 1
    assert mail.outbox[0].subject == "Your Online safety training is due for renewal in 7 days"
    assert "your refresher is due by" in mail.outbox[0].body
    assert send_expiry_reminders(today) == 0

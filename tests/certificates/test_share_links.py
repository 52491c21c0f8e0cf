"""Links a learner gives an employer: the record read-only, for 30 days, withdrawable."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates.models import Certificate, ShareLink
from certificates.services import issue_certificate, revoke_certificate
from certificates.sharing import SharingError, create_share_link, revoke_share_link, share_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(enrolment, one_question_quiz, pass_quiz):
    """The learner passed the quiz: one valid certificate."""
    pass_quiz(enrolment, one_question_quiz, now=timezone.now() + timedelta(minutes=1))
    return Certificate.objects.get()


def record(client, link):
    return client.get(reverse("certificates:shared_record", args=[link.token]))


def rows(response):
    html = BeautifulSoup(response.content, "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in html.select("tbody tr")
    ]


def test_learner_creates_a_link_valid_for_30_days_and_sees_its_address(learner_client, learner, certificate):
    response = learner_client.post(reverse("certificates:share_link_create"), follow=True)

    link = ShareLink.objects.get()
    assert link.learner == learner
    assert len(link.token) >= 43
    assert link.expires_at - link.created_at == timedelta(days=30)
    assert link.is_active
    entry = ModelLogEntry.objects.get(action="certificates.share_link_create")
    assert entry.user == learner and entry.object_id == str(link.pk)
    assert link.token not in str(entry.data) + entry.label
    html = BeautifulSoup(response.content, "html.parser")
    assert response.redirect_chain[-1][0].startswith(reverse("certificates:mine"))
    assert "Link created" in html.select_one(".messages").text
    share = html.select_one("#share")
    address = share.select_one("input[readonly]")
    assert address["value"] == share_url(link) == f"http://testserver/record/{link.token}/"
    assert share.select_one(f"label[for={address['id']}]") is not None
    withdraw = share.select_one(f"form[action='{reverse('certificates:share_link_revoke', args=[link.pk])}']")
    assert withdraw.find("input", attrs={"name": "csrfmiddlewaretoken"}) is not None


def test_the_public_page_shows_every_certificate_with_its_status_and_never_the_email(
    client, learner, certificate, enrolment
):
    learner.certificate_name = "Renamed Later"
    learner.save()
    link = create_share_link(learner)

    response = record(client, link)

    assert response.status_code == 200
    page = response.content.decode()
    assert learner.email not in page
    text = BeautifulSoup(page, "html.parser").get_text()  # a name may hold an escaped apostrophe
    assert certificate.snapshot["name"] in text and "Renamed Later" not in text
    assert rows(response) == [
        [
            "Online safety (Safeguarding children)",
            "Valid",
            f"{certificate.code} : verification page",
            certificate.issued_at.strftime("%-d %B %Y"),
            certificate.expires_on.strftime("%-d %B %Y"),
        ]
    ]
    html = BeautifulSoup(response.content, "html.parser")
    assert html.find("a", href=reverse("certificates:verify_code", args=[certificate.code])) is not None
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert timezone.localtime(link.expires_at).strftime("%-d %B %Y") in html.select_one(".hint").text
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


def test_superseded_revoked_and_expired_certificates_show_as_such(
    client, learner, certificate, enrolment, trainer
):
    newer = issue_certificate(enrolment, now=timezone.now() + timedelta(minutes=2))
    revoke_certificate(newer, reason="Issued in error", actor=trainer)
    newest = issue_certificate(enrolment, now=timezone.now() + timedelta(minutes=3))
    Certificate.objects.filter(pk=newest.pk).update(expires_on=date(2020, 1, 1))

    response = record(client, create_share_link(learner))

    statuses = [row[1] for row in rows(response)]
    assert statuses == [
        "Expired",
        "Revoked : no longer valid",
        f"Replaced by a newer certificate ({newer.code})",
    ]
    assert "Issued in error" not in response.content.decode()
    assert learner.email not in response.content.decode()


def test_the_name_falls_back_to_the_learner_and_never_to_the_email(client, module_page):
    learner = UserFactory(certificate_name="Sam Carter")
    unnamed = UserFactory(certificate_name="", first_name="", last_name="")
    Certificate.objects.create(  # issued before they gave a name: the snapshot holds their email
        learner=unnamed,
        module=module_page,
        snapshot={"name": unnamed.email, "module": "Online safety"},
        expires_on=date(2030, 1, 1),
    )

    no_certificates = record(client, create_share_link(learner))
    assert "Certificate record: Sam Carter" in no_certificates.content.decode()
    assert "No certificates have been issued to Sam Carter yet" in no_certificates.content.decode()

    response = record(client, create_share_link(unnamed))
    assert response.status_code == 200
    assert rows(response)[0][0] == "Online safety"
    assert unnamed.email not in response.content.decode()


def test_an_expired_link_is_gone(client, learner, certificate):
    link = create_share_link(learner)
    now = timezone.now()
    ShareLink.objects.filter(pk=link.pk).update(
        created_at=now - timedelta(days=30, seconds=1), expires_at=now - timedelta(seconds=1)
    )

    response = record(client, link)

    assert response.status_code == 404
    assert (
        "This link has expired or been withdrawn. Ask the person for a new one." in response.content.decode()
    )
    assert certificate.code not in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    link.refresh_from_db()
    assert not link.is_active


def test_a_withdrawn_link_is_gone_and_logged(learner_client, client, learner, certificate):
    link = create_share_link(learner)
    assert record(client, link).status_code == 200

    response = learner_client.post(reverse("certificates:share_link_revoke", args=[link.pk]), follow=True)

    link.refresh_from_db()
    assert link.revoked_at is not None and not link.is_active
    assert "Link withdrawn" in response.content.decode()
    assert f"/record/{link.token}/" not in response.content.decode()
    assert ModelLogEntry.objects.get(action="certificates.share_link_revoke").user == learner
    gone = record(client, link)
    assert gone.status_code == 404
    assert certificate.code not in gone.content.decode()


def test_an_unknown_token_is_gone(client):
    response = client.get(reverse("certificates:shared_record", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "expired or been withdrawn" in response.content.decode()


def test_another_learner_cannot_withdraw_my_link(client, learner, certificate):
    link = create_share_link(learner)
    client.force_login(UserFactory())

    response = client.post(reverse("certificates:share_link_revoke", args=[link.pk]))

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
    client.logout()
    assert record(client, link).status_code == 200


def test_at_most_ten_active_links(learner_client, learner):
    for _ in range(10):
        create_share_link(learner)
    with pytest.raises(SharingError):
        create_share_link(learner)

    response = learner_client.post(reverse("certificates:share_link_create"), follow=True)

    assert ShareLink.objects.count() == 10
    assert "You already have 10 active links" in response.content.decode()
    revoke_share_link(ShareLink.objects.first(), actor=learner)
    create_share_link(learner)
    assert ShareLink.objects.active().count() == 10
    page = BeautifulSoup(learner_client.get(reverse("certificates:mine")).content, "html.parser")
    assert len(page.select("#share input[readonly]")) == 10


def test_expired_links_do_not_count_towards_the_cap(learner):
    start = timezone.now() - timedelta(days=31)
    for _ in range(10):
        create_share_link(learner, now=start)

    link = create_share_link(learner)

    assert link.is_active


def test_the_public_page_takes_the_same_queries_for_1_and_10_certificates(
    client, learner, certificate, enrolment
):
    link = create_share_link(learner)
    with CaptureQueriesContext(connection) as one:
        record(client, link)
    for minutes in range(2, 11):
        issue_certificate(enrolment, now=timezone.now() + timedelta(minutes=minutes))
    with CaptureQueriesContext(connection) as ten:
        response = record(client, link)

    assert len(rows(response)) == 10
    assert len(ten) == len(one)


def test_signed_out_visitors_cannot_create_or_withdraw(client, learner):
    link = create_share_link(learner)

    response = client.post(reverse("certificates:share_link_create"))
    withdraw = client.post(reverse("certificates:share_link_revoke", args=[link.pk]))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert withdraw.status_code == 302 and reverse("account_login") in withdraw["Location"]
    assert ShareLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_actions_are_post_only_and_need_csrf(learner_client, learner):
    from django.test import Client

    link = create_share_link(learner)
    assert learner_client.get(reverse("certificates:share_link_create")).status_code == 405
    assert learner_client.get(reverse("certificates:share_link_revoke", args=[link.pk])).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)

    assert strict.post(reverse("certificates:share_link_create")).status_code == 403
    assert strict.post(reverse("certificates:share_link_revoke", args=[link.pk])).status_code == 403
    assert ShareLink.objects.count() == 1
    link.refresh_from_db()
    assert link.revoked_at is None


def test_withdrawing_twice_changes_nothing(learner):
    link = revoke_share_link(create_share_link(learner), actor=learner)
    first = link.revoked_at

    again = revoke_share_link(link, actor=learner)

    assert again.revoked_at == first
    assert ModelLogEntry.objects.filter(action="certificates.share_link_revoke").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; CI runs it there")
def test_two_clicks_at_once_cannot_pass_the_cap(learner):
    import threading

    from django.db import connections

    for _ in range(9):
        create_share_link(learner)
    barrier = threading.Barrier(2)
    outcomes = []

    def create():
        try:
            barrier.wait(timeout=10)
            create_share_link(learner)
            outcomes.append("created")
        except SharingError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created", "refused"]
    assert ShareLink.objects.filter(learner=learner).active().count() == 10

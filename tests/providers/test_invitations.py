"""The page an invitation email links to, and accepting the invitation."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from providers import services
from providers.models import Invitation, Membership, SeatAssignment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(provider, module_page, manager, paid_order):
    paid_order(seats=2)
    return services.invite(provider, module_page, "ivy@acorns.example", name="Ivy", actor=manager)


@pytest.fixture
def invitee(db):
    return UserFactory(email="ivy@acorns.example", certificate_name="Ivy Green")


def page_url(invitation):
    return reverse("providers:invitation", args=[invitation.token])


def test_signed_out_visitor_sees_who_invited_them_and_how_to_accept(client, invitation, manager):
    response = client.get(page_url(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Little Acorns Nursery" in html
    assert "Online safety" in html
    assert manager.display_name in BeautifulSoup(html, "html.parser").get_text()  # O'Donnell is escaped
    assert "ivy@acorns.example" in html
    assert f"{reverse('account_signup')}?next={page_url(invitation)}&amp;email=ivy%40acorns.example" in html
    assert f"{reverse('account_login')}?next={page_url(invitation)}" in html
    assert "Accept and start" not in html
    assert 'name="robots" content="noindex"' in html


def test_create_an_account_link_fills_in_the_invited_address(client, invitation):
    response = client.get(
        f"{reverse('account_signup')}?next={page_url(invitation)}&email=ivy%40acorns.example"
    )
    assert response.status_code == 200
    assert 'value="ivy@acorns.example"' in response.content.decode()


def test_unknown_token_is_404(client, invitation):
    assert client.get(reverse("providers:invitation", args=["not-a-real-token"])).status_code == 404


def test_signed_in_invitee_accepts_and_starts(client, invitation, invitee, provider, module_page, manager):
    client.force_login(invitee)
    assert "Accept and start" in client.get(page_url(invitation)).content.decode()

    response = client.post(page_url(invitation))

    assert response.status_code == 302
    assert response["Location"] == module_page.url
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee and invitation.accepted_at is not None
    seat = SeatAssignment.objects.get(provider=provider, module=module_page, user=invitee)
    assert seat.enrolment.source == Enrolment.Source.SEAT
    assert seat.enrolment.learner == invitee
    assert Membership.objects.get(provider=provider, user=invitee).role == Membership.Role.LEARNER
    counts = services.seat_counts(provider, module_page)
    assert (counts.assigned, counts.invited, counts.available) == (1, 0, 1)
    followed = client.get(response["Location"])
    assert "You have a seat for Online safety from Little Acorns Nursery" in followed.content.decode()


def test_accept_with_another_address_is_refused_and_changes_nothing(
    client, invitation, provider, module_page
):
    stranger = UserFactory(email="someone-else@example.org")
    client.force_login(stranger)
    page = client.get(page_url(invitation)).content.decode()
    assert "You are signed in as someone-else@example.org" in page
    assert "Accept and start" not in page

    response = client.post(page_url(invitation))

    assert response.status_code == 400
    assert "This invitation was sent to ivy@acorns.example" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not SeatAssignment.objects.filter(user=stranger).exists()
    assert not Enrolment.objects.filter(learner=stranger).exists()
    assert not Membership.objects.filter(user=stranger).exists()
    assert services.seat_counts(provider, module_page).invited == 1


def test_accept_twice_is_harmless(client, invitation, invitee, provider, module_page):
    client.force_login(invitee)
    client.post(page_url(invitation))
    again = client.post(page_url(invitation))

    assert again.status_code == 302
    assert SeatAssignment.objects.filter(user=invitee).count() == 1
    assert Enrolment.objects.filter(learner=invitee, module=module_page).count() == 1
    page = client.get(page_url(invitation)).content.decode()
    assert "You have accepted this invitation" in page
    assert "Accept and start" not in page


def test_used_invitation_cannot_be_taken_by_someone_else(client, invitation, invitee):
    services.accept_invitation(invitation, invitee)
    other = UserFactory(email="other@example.org")
    client.force_login(other)

    assert "already been used" in client.get(page_url(invitation)).content.decode()
    response = client.post(page_url(invitation))
    assert response.status_code == 400
    assert not SeatAssignment.objects.filter(user=other).exists()


def test_expired_invitation_frees_its_seat_and_cannot_be_accepted(
    client, invitation, invitee, provider, module_page
):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.seat_counts(provider, module_page).available == 2
    client.force_login(invitee)

    page = client.get(page_url(invitation))
    assert page.status_code == 200
    assert "This invitation expired" in page.content.decode()
    assert "Accept and start" not in page.content.decode()

    response = client.post(page_url(invitation))
    assert response.status_code == 400
    assert "This invitation has expired" in response.content.decode()
    assert not SeatAssignment.objects.filter(user=invitee).exists()
    assert not Enrolment.objects.filter(learner=invitee).exists()


def test_cancelled_invitation_explains_and_cannot_be_accepted(client, invitation, invitee, manager):
    services.cancel_invitation(invitation, actor=manager)
    client.force_login(invitee)

    page = client.get(page_url(invitation))
    assert page.status_code == 200
    assert "This invitation was cancelled" in page.content.decode()
    assert "Accept and start" not in page.content.decode()

    response = client.post(page_url(invitation))
    assert response.status_code == 400
    assert not SeatAssignment.objects.filter(user=invitee).exists()


def test_signed_out_post_goes_to_sign_in(client, invitation):
    response = client.post(page_url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_accept_without_csrf_token_is_refused(invitation, invitee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(invitee)
    assert client.post(page_url(invitation)).status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_sign_in_from_the_invitation_comes_back_to_it(client, invitation, invitee):
    from tests.factories import PASSWORD

    response = client.post(
        f"{reverse('account_login')}?next={page_url(invitation)}",
        {"login": "ivy@acorns.example", "password": PASSWORD, "next": page_url(invitation)},
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(invitation)
    assert "Accept and start" in client.get(page_url(invitation)).content.decode()

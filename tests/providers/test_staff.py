"""Staff and seats pages: inviting one person, resending, cancelling, returning and moving seats,
taking a seat yourself, and who may see any of it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from providers import services
from providers.models import Invitation, Membership, SeatAssignment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, provider, *args):
    return reverse(f"providers:{name}", args=[provider.pk, *args])


@pytest.fixture
def seats(paid_order):
    """Ten paid seats for the module."""
    return paid_order(seats=10)


@pytest.fixture
def send(manager_client, django_capture_on_commit_callbacks):
    """POST as the manager and run the on-commit hooks (the invitation emails), as a real request would."""

    def post(path, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return manager_client.post(path, data or {}, **kwargs)

    return post


@pytest.fixture
def seat_holder(provider, module_page, manager, seats):
    """A staff member who holds an unstarted seat."""
    user = UserFactory(email="sam@acorns.example", certificate_name="Sam Seat")
    services.assign_seat(provider, module_page, user, actor=manager)
    return user


# --- The staff page --------------------------------------------------------------------------


def test_staff_page_shows_counts_seats_and_invitations(
    manager_client, provider, module_page, manager, seats, seat_holder
):
    services.invite(provider, module_page, "ivy@acorns.example", name="Ivy Invited", actor=manager)
    expired = services.invite(provider, module_page, "old@acorns.example", actor=manager)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = manager_client.get(url("staff", provider))

    assert response.status_code == 200
    counts = response.context["modules"][0]["counts"]
    assert counts == services.seat_counts(provider, module_page)
    assert (counts.purchased, counts.assigned, counts.invited, counts.available) == (10, 1, 1, 8)
    html = response.content.decode()
    assert "<strong>8</strong> free" in html
    assert "Sam Seat" in html and "sam@acorns.example" in html and "Not started" in html
    assert "ivy@acorns.example" in html and "Ivy Invited" in html
    assert ">Open<" in html and ">Expired<" in html
    assert url("seat_return", provider, SeatAssignment.objects.get(user=seat_holder).pk) in html
    assert url("invitation_resend", provider, expired.pk) in html
    assert "Take a seat yourself" in html


def test_staff_page_hides_return_and_move_for_a_started_seat(manager_client, provider, seat_holder):
    seat = SeatAssignment.objects.get(user=seat_holder)
    Enrolment.objects.filter(pk=seat.enrolment_id).update(started_at=timezone.now())

    html = manager_client.get(url("staff", provider)).content.decode()

    assert "Started" in html
    assert url("seat_return", provider, seat.pk) not in html
    assert url("seat_move", provider, seat.pk) not in html


def test_staff_page_without_seats_points_to_buying(manager_client, provider):
    response = manager_client.get(url("staff", provider))
    assert response.status_code == 200
    assert "has no seats yet" in response.content.decode()
    assert url("buy", provider) in response.content.decode()


def test_staff_page_query_count_does_not_grow(
    manager_client, provider, module_page, manager, seats, django_assert_max_num_queries
):
    def add(n, start):
        for i in range(start, start + n):
            services.assign_seat(provider, module_page, UserFactory(), actor=manager)
            services.invite(provider, module_page, f"person-{i}@acorns.example", actor=manager)

    add(1, 0)
    manager_client.get(url("staff", provider))  # the session's first page also works out its roles
    with django_assert_max_num_queries(12) as small:
        manager_client.get(url("staff", provider))
    paid_order_more = services.place_order(provider, module_page, 30, method="invoice", placed_by=manager)
    services.fulfil_order(paid_order_more, actor=manager)
    add(15, 100)
    with django_assert_max_num_queries(12) as large:
        response = manager_client.get(url("staff", provider))
    assert response.content.decode().count("@acorns.example</th>") == 15 + 1  # invitations, one row each
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Inviting one person ---------------------------------------------------------------------


def test_invite_sends_email_with_link_and_holds_a_seat(send, provider, module_page, seats, manager):
    response = send(
        url("invite", provider), {"module": module_page.pk, "email": "Nia@Acorns.example ", "name": "Nia"}
    )

    assert response.status_code == 303
    assert response["Location"] == url("staff", provider)
    invitation = Invitation.objects.get(provider=provider)
    assert invitation.email == "nia@acorns.example"
    assert invitation.name == "Nia"
    assert invitation.invited_by == manager
    assert services.seat_counts(provider, module_page).invited == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@acorns.example"]
    assert "Little Acorns Nursery" in message.subject
    link = "http://testserver" + reverse("providers:invitation", args=[invitation.token])
    assert link in message.body
    assert "Online safety" in message.body
    assert "14 days" in message.body
    assert "ignore" in message.body


def test_invite_when_the_mail_server_is_down_keeps_the_invitation_and_retries_the_email(
    send, provider, module_page, seats, settings
):
    """The email is a background job: the manager's request succeeds, the invitation holds its seat,
    and the email is retried later and listed for platform staff until it goes."""
    from cms.background import run_due_retries
    from cms.models import TaskFailure

    settings.EMAIL_BACKEND = "cms.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "tests.cms.test_background.MailServerDown"

    response = send(url("invite", provider), {"module": module_page.pk, "email": "nia@acorns.example"})

    assert response.status_code == 303
    assert Invitation.objects.filter(provider=provider, email="nia@acorns.example").exists()
    assert mail.outbox == []
    failure = TaskFailure.objects.get()
    assert failure.label.startswith("Email to nia@acorns.example: Little Acorns Nursery has invited you")

    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_due_retries(now=timezone.now() + timedelta(minutes=2))
    assert [m.to for m in mail.outbox] == [["nia@acorns.example"]]


def test_invite_success_message_on_staff_page(manager_client, provider, module_page, seats):
    response = manager_client.post(
        url("invite", provider), {"module": module_page.pk, "email": "nia@acorns.example"}, follow=True
    )
    assert "Invitation sent to nia@acorns.example." in response.content.decode()


def test_invite_form_preselects_the_only_module(manager_client, provider, module_page, seats):
    response = manager_client.get(url("invite", provider))
    assert response.status_code == 200
    assert f'<option value="{module_page.pk}" selected>' in response.content.decode()


def test_invite_without_free_seats_is_refused(send, provider, module_page, paid_order, manager):
    paid_order(seats=1)
    services.invite(provider, module_page, "first@acorns.example", actor=manager)

    response = send(url("invite", provider), {"module": module_page.pk, "email": "second@acorns.example"})

    assert response.status_code == 400
    assert "There are no free seats left" in response.content.decode()
    assert not Invitation.objects.filter(email="second@acorns.example").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("already", ["invited", "seat"])
def test_invite_someone_already_invited_or_seated_is_refused(
    send, provider, module_page, seats, manager, already
):
    if already == "invited":
        services.invite(provider, module_page, "dup@acorns.example", actor=manager)
    else:
        services.assign_seat(provider, module_page, UserFactory(email="dup@acorns.example"), actor=manager)
    before = services.seat_counts(provider, module_page)

    response = send(url("invite", provider), {"module": module_page.pk, "email": "DUP@acorns.example"})

    assert response.status_code == 400
    expected = "already invited" if already == "invited" else "already has a seat"
    assert f"dup@acorns.example {expected}." in response.content.decode()
    assert services.seat_counts(provider, module_page) == before
    assert Invitation.objects.filter(email__iexact="dup@acorns.example").count() == (already == "invited")


def test_invite_with_a_bad_email_shows_the_field_error(manager_client, provider, module_page, seats):
    response = manager_client.post(
        url("invite", provider), {"module": module_page.pk, "email": "not-an-email"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_invite_for_a_module_without_seats_is_a_form_error(
    manager_client, provider, module_page, course_page
):
    from courses.models import ModulePage

    other = course_page.add_child(instance=ModulePage(title="Other module", slug="other-module"))
    response = manager_client.post(url("invite", provider), {"module": other.pk, "email": "a@acorns.example"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


# --- Resend and cancel -----------------------------------------------------------------------


def test_resend_extends_expiry_and_sends_again(send, provider, module_page, seats, manager):
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(days=1))

    response = send(url("invitation_resend", provider, invitation.pk))

    assert response.status_code == 303
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    assert invitation.send_count == 2
    assert [m.to for m in mail.outbox] == [["ivy@acorns.example"]]


def test_resend_an_expired_invitation_takes_a_seat_again(send, provider, module_page, paid_order, manager):
    paid_order(seats=1)
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.seat_counts(provider, module_page).available == 1  # expired: seat free again

    send(url("invitation_resend", provider, invitation.pk))

    assert Invitation.objects.get(pk=invitation.pk).status == "open"
    assert services.seat_counts(provider, module_page).available == 0


def test_cancel_frees_the_seat(send, provider, module_page, seats, manager):
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    assert services.seat_counts(provider, module_page).available == 9

    response = send(url("invitation_cancel", provider, invitation.pk), follow=True)

    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert services.seat_counts(provider, module_page).available == 10
    assert "Invitation for ivy@acorns.example cancelled." in response.content.decode()


def test_resend_an_accepted_invitation_shows_an_error(manager_client, provider, module_page, seats, manager):
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    services.accept_invitation(invitation, UserFactory(email="ivy@acorns.example"))

    response = manager_client.post(url("invitation_resend", provider, invitation.pk))

    assert response.status_code == 303
    page = manager_client.get(response["Location"]).content.decode()
    assert "already been answered or cancelled" in page
    assert Invitation.objects.get(pk=invitation.pk).send_count == 1


@pytest.mark.parametrize("name", ["invitation_resend", "invitation_cancel", "seat_return", "take_seat"])
def test_actions_refuse_get(manager_client, provider, module_page, seats, manager, seat_holder, name):
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    args = {
        "invitation_resend": [invitation.pk],
        "invitation_cancel": [invitation.pk],
        "seat_return": [SeatAssignment.objects.get(user=seat_holder).pk],
        "take_seat": [],
    }[name]
    assert manager_client.get(url(name, provider, *args)).status_code == 405
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None and invitation.send_count == 1
    assert SeatAssignment.objects.filter(user=seat_holder).exists()


# --- Returning and moving seats --------------------------------------------------------------


def test_return_an_unstarted_seat(send, provider, module_page, seat_holder):
    seat = SeatAssignment.objects.get(user=seat_holder)

    response = send(url("seat_return", provider, seat.pk), follow=True)

    assert not SeatAssignment.objects.filter(pk=seat.pk).exists()
    assert not Enrolment.objects.filter(learner=seat_holder, module=module_page).exists()
    assert services.seat_counts(provider, module_page).available == 10
    assert "back in the pool" in response.content.decode()


def test_return_a_started_seat_is_refused(send, provider, module_page, seat_holder):
    seat = SeatAssignment.objects.get(user=seat_holder)
    Enrolment.objects.filter(pk=seat.enrolment_id).update(started_at=timezone.now())

    response = send(url("seat_return", provider, seat.pk), follow=True)

    assert SeatAssignment.objects.filter(pk=seat.pk).exists()
    assert Enrolment.objects.filter(learner=seat_holder, module=module_page).exists()
    assert "has started the module" in response.content.decode()


def test_move_seat_gives_it_to_someone_else(send, manager_client, provider, module_page, seat_holder):
    seat = SeatAssignment.objects.get(user=seat_holder)
    form = manager_client.get(url("seat_move", provider, seat.pk))
    assert form.status_code == 200
    assert "sam@acorns.example" in form.content.decode()

    response = send(
        url("seat_move", provider, seat.pk), {"email": "new@acorns.example", "name": "New Person"}
    )

    assert response.status_code == 303
    assert not SeatAssignment.objects.filter(pk=seat.pk).exists()
    assert not Enrolment.objects.filter(learner=seat_holder, module=module_page).exists()
    invitation = Invitation.objects.get(email="new@acorns.example")
    assert invitation.status == "open" and invitation.name == "New Person"
    counts = services.seat_counts(provider, module_page)
    assert (counts.assigned, counts.invited, counts.available) == (0, 1, 9)
    assert [m.to for m in mail.outbox] == [["new@acorns.example"]]


def test_move_seat_is_one_change(send, provider, module_page, manager, seat_holder):
    """Moving to someone already invited fails; the old holder keeps the seat (nothing half done)."""
    services.invite(provider, module_page, "new@acorns.example", actor=manager)
    seat = SeatAssignment.objects.get(user=seat_holder)

    response = send(url("seat_move", provider, seat.pk), {"email": "new@acorns.example"})

    assert response.status_code == 400
    assert "already invited" in response.content.decode()
    assert SeatAssignment.objects.filter(pk=seat.pk).exists()
    assert Enrolment.objects.filter(learner=seat_holder, module=module_page).exists()
    assert Invitation.objects.filter(email="new@acorns.example").count() == 1


def test_move_a_started_seat_is_refused(send, manager_client, provider, module_page, seat_holder):
    seat = SeatAssignment.objects.get(user=seat_holder)
    Enrolment.objects.filter(pk=seat.enrolment_id).update(started_at=timezone.now())

    page = manager_client.get(url("seat_move", provider, seat.pk)).content.decode()
    assert (
        "stays with them" in page
        and '<form method="post" action="' + url("seat_move", provider, seat.pk) not in page
    )

    response = send(url("seat_move", provider, seat.pk), {"email": "new@acorns.example"})
    assert response.status_code == 400
    assert SeatAssignment.objects.filter(pk=seat.pk).exists()
    assert not Invitation.objects.exists()


# --- Taking a seat yourself ------------------------------------------------------------------


def test_take_a_seat_yourself(send, provider, module_page, manager, seats):
    response = send(url("take_seat", provider), {"module": module_page.pk}, follow=True)

    seat = SeatAssignment.objects.get(provider=provider, user=manager)
    assert seat.enrolment.source == Enrolment.Source.SEAT
    assert Membership.objects.get(provider=provider, user=manager).role == Membership.Role.OWNER
    assert "You have a seat for Online safety" in response.content.decode()
    assert "Take a seat yourself" not in response.content.decode()


def test_childminder_takes_her_own_only_seat(client, module_page, price_tiers):
    childminder = UserFactory(email="cara@childminder.example")
    provider = services.create_provider(
        owner=childminder,
        name="Cara's Childminding",
        kind="childminder",
        billing_name="Cara",
        billing_email="cara@childminder.example",
    )
    order = services.place_order(provider, module_page, 1, method="invoice", placed_by=childminder)
    services.fulfil_order(order, actor=childminder)
    client.force_login(childminder)

    client.post(url("take_seat", provider), {"module": module_page.pk})
    client.post(url("take_seat", provider), {"module": module_page.pk})  # a double click

    assert SeatAssignment.objects.filter(provider=provider, user=childminder).count() == 1
    assert Enrolment.objects.filter(learner=childminder, module=module_page).exists()
    assert services.seat_counts(provider, module_page).available == 0


def test_take_a_seat_with_none_free_shows_an_error(
    manager_client, provider, module_page, manager, paid_order
):
    paid_order(seats=1)
    services.invite(provider, module_page, "ivy@acorns.example", actor=manager)

    response = manager_client.post(url("take_seat", provider), {"module": module_page.pk}, follow=True)

    assert not SeatAssignment.objects.filter(user=manager).exists()
    assert "There are no free seats left" in response.content.decode()


def test_take_a_seat_for_a_module_without_seats_is_404(manager_client, provider, module_page):
    assert manager_client.post(url("take_seat", provider), {"module": module_page.pk}).status_code == 404
    assert manager_client.post(url("take_seat", provider), {"module": "x"}).status_code == 404


# --- Who may see what ------------------------------------------------------------------------


@pytest.fixture
def this_providers_objects(provider, module_page, manager, seats, seat_holder):
    invitation = services.invite(provider, module_page, "ivy@acorns.example", actor=manager)
    return invitation, SeatAssignment.objects.get(user=seat_holder)


def staff_urls(provider, invitation, seat):
    return [
        ("get", url("staff", provider)),
        ("get", url("invite", provider)),
        ("post", url("invite", provider)),
        ("get", url("bulk_invite", provider)),
        ("post", url("bulk_invite", provider)),
        ("post", url("take_seat", provider)),
        ("post", url("invitation_resend", provider, invitation.pk)),
        ("post", url("invitation_cancel", provider, invitation.pk)),
        ("post", url("seat_return", provider, seat.pk)),
        ("get", url("seat_move", provider, seat.pk)),
        ("post", url("seat_move", provider, seat.pk)),
    ]


def assert_untouched(invitation, seat):
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None and invitation.send_count == 1
    assert SeatAssignment.objects.filter(pk=seat.pk).exists()


def test_another_providers_manager_gets_404_everywhere(
    client, other_provider, this_providers_objects, module_page
):
    invitation, seat = this_providers_objects
    client.force_login(other_provider.memberships.get().user)
    for method, path in staff_urls(invitation.provider, invitation, seat):
        data = {"module": module_page.pk, "email": "x@example.org"} if method == "post" else None
        assert getattr(client, method)(path, data).status_code == 404, path
    assert_untouched(invitation, seat)


def test_ids_of_this_provider_under_their_own_provider_are_404(
    client, other_provider, this_providers_objects
):
    invitation, seat = this_providers_objects
    client.force_login(other_provider.memberships.get().user)
    for name, pk in [
        ("invitation_resend", invitation.pk),
        ("invitation_cancel", invitation.pk),
        ("seat_return", seat.pk),
        ("seat_move", seat.pk),
    ]:
        assert client.post(url(name, other_provider, pk), {"email": "x@example.org"}).status_code == 404, name
    assert client.get(url("seat_move", other_provider, seat.pk)).status_code == 404
    assert_untouched(invitation, seat)


def test_a_learner_member_gets_404(client, provider, staff_member, this_providers_objects):
    invitation, seat = this_providers_objects
    client.force_login(staff_member)
    for method, path in staff_urls(provider, invitation, seat):
        assert getattr(client, method)(path).status_code == 404, path
    assert_untouched(invitation, seat)


def test_signed_out_visitors_are_sent_to_sign_in(client, provider, this_providers_objects):
    invitation, seat = this_providers_objects
    for method, path in staff_urls(provider, invitation, seat):
        response = getattr(client, method)(path)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], path
    assert_untouched(invitation, seat)


def test_posts_without_csrf_token_are_refused(provider, manager, module_page, this_providers_objects):
    invitation, seat = this_providers_objects
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    for path, data in [
        (url("invite", provider), {"module": module_page.pk, "email": "x@acorns.example"}),
        (url("take_seat", provider), {"module": module_page.pk}),
        (url("invitation_resend", provider, invitation.pk), {}),
        (url("invitation_cancel", provider, invitation.pk), {}),
        (url("seat_return", provider, seat.pk), {}),
        (url("seat_move", provider, seat.pk), {"email": "x@acorns.example"}),
        (url("bulk_invite", provider), {"module": module_page.pk, "pasted": "x@acorns.example"}),
    ]:
        assert client.post(path, data).status_code == 403, path
    assert_untouched(invitation, seat)
    assert not Invitation.objects.filter(email="x@acorns.example").exists()
    assert not SeatAssignment.objects.filter(user=manager).exists()

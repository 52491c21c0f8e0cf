"""Every page, download and action of one provider is a 404 to the manager of another and to its
own staff members. The URL list is read from providers/urls.py, so a new URL is covered as it lands."""

import pytest
from django.urls import URLPattern, reverse

from certificates.models import Certificate
from certificates.services import issue_certificate
from courses.models import Enrolment
from providers import compliance, inspection, services
from providers import urls as provider_urls
from providers.models import InspectionLink, Invitation, SeatAssignment, SeatOrder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# URLs that are not one provider's: public by token, Stripe's webhook, and the provider list/create.
NOT_PROVIDER_SCOPED = {"list", "create", "inspection_public", "invitation", "stripe_webhook"}


@pytest.fixture
def target(other_provider, module_page, price_tiers):
    """Bluebells Pre-school with one of everything: an order, a seat, an invitation, a link and a
    certificate, so every URL of it can be filled in."""
    owner = other_provider.memberships.get().user
    order = services.place_order(other_provider, module_page, 3, method="invoice", placed_by=owner)
    services.fulfil_order(order, actor=owner)
    holder = UserFactory()
    seat = services.assign_seat(other_provider, module_page, holder, actor=owner)
    invitation = services.invite(other_provider, module_page, "new@bluebells.example", actor=owner)
    link = inspection.create_inspection_link(other_provider, actor=owner)
    certificate = issue_certificate(Enrolment.objects.get(pk=seat.enrolment_id))
    return {
        "provider_id": other_provider.pk,
        "order_id": order.pk,
        "seat_id": seat.pk,
        "invitation_id": invitation.pk,
        "link_id": link.pk,
        "certificate_id": certificate.pk,
    }


def provider_url_names():
    return sorted(
        pattern.name
        for pattern in provider_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name not in NOT_PROVIDER_SCOPED
    )


def url_for(name, ids):
    pattern = next(p for p in provider_urls.urlpatterns if p.name == name)
    kwargs = {key: ids[key] for key in pattern.pattern.converters}
    return reverse(f"providers:{name}", kwargs=kwargs)


def answers_to(client, url, data):
    """The status codes of a GET and a POST. 405 (a method the URL never takes) reveals nothing;
    the method it does take must be a 404."""
    return {client.get(url).status_code, client.post(url, data).status_code}


def state(provider_id):
    return (
        SeatOrder.objects.filter(provider_id=provider_id).values_list("status", "seats_refunded").first(),
        SeatAssignment.objects.filter(provider_id=provider_id).count(),
        list(Invitation.objects.filter(provider_id=provider_id).values_list("cancelled_at", "send_count")),
        list(InspectionLink.objects.filter(provider_id=provider_id).values_list("revoked_at", flat=True)),
        Certificate.objects.count(),
    )


def test_every_provider_url_is_covered():
    """The walk below must see the provider-scoped URLs; a rename here should be deliberate."""
    assert {"dashboard", "staff", "buy", "billing", "invoice_pdf", "seat_return", "inspection_pdf"} <= set(
        provider_url_names()
    )


@pytest.mark.parametrize("name", provider_url_names())
def test_another_providers_manager_gets_404_and_changes_nothing(client, manager, provider, target, name):
    client.force_login(manager)  # the owner of Little Acorns, not of Bluebells
    url = url_for(name, target)
    before = state(target["provider_id"])
    answers = answers_to(client, url, {"email": "x@example.org", "quantity": "1", "action": "place"})
    assert answers <= {404, 405} and 404 in answers
    assert state(target["provider_id"]) == before


@pytest.mark.parametrize("name", provider_url_names())
def test_a_staff_member_of_the_provider_gets_404(client, other_provider, target, name):
    learner = SeatAssignment.objects.get(pk=target["seat_id"]).user  # a member with the learner role
    client.force_login(learner)
    answers = answers_to(client, url_for(name, target), {})
    assert answers <= {404, 405} and 404 in answers


@pytest.mark.parametrize("name", provider_url_names())
def test_signed_out_visitors_are_sent_to_sign_in(client, target, name):
    response = client.get(url_for(name, target))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_rows_of_another_provider_never_show_on_a_dashboard(manager_client, provider, target):
    rows = compliance.staff_rows(provider)
    holder = SeatAssignment.objects.get(pk=target["seat_id"]).user
    assert holder.email not in {row.email for row in rows}
    assert (
        holder.email
        not in manager_client.get(reverse("providers:dashboard", args=[provider.pk])).content.decode()
    )

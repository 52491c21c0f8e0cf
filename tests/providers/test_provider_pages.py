"""Setting up an organisation, its settings, and what its staff see of it in lessons."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from courses.services import enrol
from providers import services
from providers.models import Membership, Provider
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PROVIDER = {
    "name": "Robin's Childminding",
    "kind": "childminder",
    "ofsted_urn": "ey 123456",
    "billing_name": "Robin Hood",
    "billing_email": "robin@example.org",
    "billing_address": "",
}


def test_anyone_signed_in_can_set_up_an_organisation_and_owns_it(client):
    robin = UserFactory()
    client.force_login(robin)
    response = client.post(reverse("providers:create"), NEW_PROVIDER)
    provider = Provider.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("providers:buy", args=[provider.pk])
    assert provider.ofsted_urn == "EY123456"
    assert Membership.objects.get(provider=provider, user=robin).role == Membership.Role.OWNER


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required"),
        ("kind", "castle", "Select a valid choice"),
        ("ofsted_urn", "12", "6 or 7 digits"),
        ("billing_email", "not-an-email", "valid email"),
    ],
)
def test_a_bad_organisation_form_says_why_and_creates_nothing(client, field, value, message):
    client.force_login(UserFactory())
    response = client.post(reverse("providers:create"), {**NEW_PROVIDER, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Provider.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("providers:create"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_list_shows_managed_organisations_and_memberships(client, provider, other_provider):
    person = UserFactory()
    Membership.objects.create(provider=provider, user=person, role=Membership.Role.MANAGER)
    Membership.objects.create(provider=other_provider, user=person, role=Membership.Role.LEARNER)
    client.force_login(person)
    page = client.get(reverse("providers:list")).content.decode()
    assert reverse("providers:dashboard", args=[provider.pk]) in page
    assert "Bluebells Pre-school" in page
    assert reverse("providers:dashboard", args=[other_provider.pk]) not in page


def test_a_manager_records_local_contacts_and_a_shorter_renewal(manager_client, provider):
    data = {
        **NEW_PROVIDER,
        "name": provider.name,
        "kind": provider.kind,
        "dsl_name": "Priya Shah",
        "dsl_contact": "0113 496 0000, or in the office",
        "lado_contact": "Leeds LADO 0113 496 0001",
        "renewal_months": "12",
    }
    response = manager_client.post(reverse("providers:settings", args=[provider.pk]), data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.dsl_name, provider.renewal_months) == ("Priya Shah", 12)


def test_settings_refuse_a_renewal_of_zero_months(manager_client, provider):
    data = {**NEW_PROVIDER, "renewal_months": "0"}
    response = manager_client.post(reverse("providers:settings", args=[provider.pk]), data)
    assert response.status_code == 400
    provider.refresh_from_db()
    assert provider.renewal_months is None
    assert provider.name == "Little Acorns Nursery"


def test_settings_are_404_to_another_manager_and_to_staff(client, provider, other_provider, staff_member):
    url = reverse("providers:settings", args=[provider.pk])
    client.force_login(other_provider.memberships.get().user)
    assert client.get(url).status_code == 404
    assert client.post(url, NEW_PROVIDER).status_code == 404
    client.force_login(staff_member)
    assert client.get(url).status_code == 404
    provider.refresh_from_db()
    assert provider.name == "Little Acorns Nursery"


def test_lessons_show_the_learners_own_local_contacts(
    client, provider, other_provider, staff_member, make_lesson
):
    lesson = make_lesson()
    Provider.objects.filter(pk=provider.pk).update(dsl_name="Priya Shah", dsl_contact="0113 496 0000")
    Provider.objects.filter(pk=other_provider.pk).update(dsl_name="Someone Else")
    enrol(staff_member, lesson.module, source=Enrolment.Source.STAFF)
    client.force_login(staff_member)
    page = client.get(lesson.url).content.decode()
    assert "At Little Acorns Nursery" in page
    assert "Priya Shah" in page
    assert "Someone Else" not in page


def test_new_local_contacts_show_on_a_lesson_at_once(manager_client, provider, staff_member, make_lesson):
    """Lessons take the contacts from the content cache; saving the provider's settings empties it."""
    lesson = make_lesson()
    enrol(staff_member, lesson.module, source=Enrolment.Source.STAFF)
    learner = Client()
    learner.force_login(staff_member)
    assert "At Little Acorns Nursery" not in learner.get(lesson.url).content.decode()  # none recorded yet

    data = {**NEW_PROVIDER, "name": provider.name, "kind": provider.kind, "dsl_name": "Priya Shah"}
    assert manager_client.post(reverse("providers:settings", args=[provider.pk]), data).status_code == 302
    assert "Designated Safeguarding Lead: Priya Shah" in learner.get(lesson.url).content.decode()

    data["dsl_name"] = "Sam Okafor"
    assert manager_client.post(reverse("providers:settings", args=[provider.pk]), data).status_code == 302
    page = learner.get(lesson.url).content.decode()
    assert "Designated Safeguarding Lead: Sam Okafor" in page
    assert "Priya Shah" not in page


def test_my_learning_lists_open_invitations_for_the_signed_in_address(
    client, provider, module_page, manager, paid_order
):
    paid_order(seats=1)
    invitation = services.invite(provider, module_page, "jo@acorns.example", actor=manager)
    client.force_login(UserFactory(email="jo@acorns.example"))
    page = client.get(reverse("my_learning")).content.decode()
    assert "Little Acorns Nursery has invited you" in page
    assert reverse("providers:invitation", args=[invitation.token]) in page

"""Platform staff set a learner's certificate name from the Wagtail user admin."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_create_user_with_certificate_name(admin_client):
    form = admin_client.get(reverse("wagtailusers_users:add"))
    assert 'name="certificate_name"' in form.content.decode()

    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "sam@example.org",
            "first_name": "Sam",
            "last_name": "Okafor",
            "certificate_name": "Samuel Okafor",
            "password1": "a-long-pass-phrase-x",
            "password2": "a-long-pass-phrase-x",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="sam@example.org").certificate_name == "Samuel Okafor"


def test_edit_user_certificate_name(admin_client):
    learner = UserFactory(certificate_name="Jo Bloggs")

    response = admin_client.post(
        reverse("wagtailusers_users:edit", args=[learner.pk]),
        {
            "email": learner.email,
            "first_name": "Jo",
            "last_name": "Bloggs",
            "certificate_name": "Joanna Bloggs",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.certificate_name == "Joanna Bloggs"

"""users.roles: the header's admin link, decided once per session and again after a while."""

import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from users import roles

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")


def admin_links(client):
    page = BeautifulSoup(client.get(reverse("privacy")).content, "html.parser")
    return page.select(f'header a[href="{ADMIN_HOME}"]')


def test_the_admin_link_is_shown_to_trainers_only(client, learner, trainer):
    client.force_login(learner)
    assert admin_links(client) == []

    client.force_login(trainer)
    assert [link.get_text() for link in admin_links(client)] == ["Admin"]


def test_no_permission_query_once_the_decision_is_kept(client, learner):
    client.force_login(learner)
    client.get(reverse("privacy"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("privacy")).status_code == 200

    asked = [query["sql"] for query in queries if "auth_permission" in query["sql"]]
    assert asked == []


def test_a_learner_given_admin_access_sees_the_link_after_the_recheck(client, learner, monkeypatch):
    client.force_login(learner)
    assert admin_links(client) == []
    learner.groups.add(Group.objects.get(name="Trainer"))

    assert admin_links(client) == []  # the session's answer stands for a while ...
    later = time.time() + roles.RECHECK_SECONDS + 1
    monkeypatch.setattr(roles.time, "time", lambda: later)
    assert len(admin_links(client)) == 1  # ... then the groups are looked at again


def test_the_kept_decision_belongs_to_one_user(client, learner, trainer):
    client.force_login(trainer)
    assert len(admin_links(client)) == 1

    client.force_login(learner)  # same client, another person: the trainer's answer must not carry over
    assert admin_links(client) == []
    assert client.session[roles.SESSION_KEY]["user"] == learner.pk


def test_anonymous_visitors_are_not_asked(client):
    client.get(reverse("privacy"))

    assert roles.SESSION_KEY not in client.session
    assert admin_links(client) == []


def test_setting_up_an_organisation_asks_for_two_step_sign_in_at_once(client, learner, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(learner)
    assert client.get(reverse("my_learning")).status_code == 200  # the learner's answer is kept
    details = {
        "name": "Robin's Childminding",
        "kind": "childminder",
        "billing_name": "Robin Hood",
        "billing_email": "robin@example.org",
    }
    assert client.post(reverse("providers:create"), details).status_code == 302

    response = client.get(reverse("my_learning"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_record_missing_a_field_is_worked_out_again(client, learner):
    client.force_login(learner)
    session = client.session
    session[roles.SESSION_KEY] = {"user": learner.pk, "decided_at": int(time.time()), "admin_access": True}
    session.save()

    assert admin_links(client) == []
    assert client.session[roles.SESSION_KEY].keys() == roles.FIELDS

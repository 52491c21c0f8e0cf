"""The permission matrix of the three admin roles (cms/roles.py and the README's "Admin roles and
review" table): which admin areas each group opens, which menu items it sees, which key actions
it may take, and what it sees on the learners' side of the site.

Wagtail refuses most admin views with a redirect to the admin home and the message "Sorry, you do
not have permission to access this area."; the matrix records that as ``DENIED``."""

import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from certificates.models import Certificate
from certificates.services import issue_certificate
from cms.models import Statistic, TaskFailure
from courses.models import Enrolment, LessonPage
from courses.services import enrol
from providers import services as provider_services
from providers.models import PriceTier, SeatOrder
from quizzes.models import Question
from tests.factories import StatisticFactory, UserFactory
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db

OK = "200"
DENIED = "denied"
PERMISSION_DENIED_MESSAGE = "Sorry, you do not have permission to access this area."

TRAINER, LEAD, STAFF, SUPERUSER = "Trainer", "Lead trainer", "Platform staff", "superuser"
ROLES = [TRAINER, LEAD, STAFF]
LESSON_TEXT = "Never view, copy, share or store such an image."


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_role(make_role_user, superuser):
    def make(role):
        return signed_in(superuser if role == SUPERUSER else make_role_user(role))

    return make


def outcome(response):
    """What a person would see: the page (200), Wagtail's "permission denied" redirect, or a code."""
    if response.status_code == 302 and response.url == reverse("wagtailadmin_home"):
        messages = [str(message).strip() for message in get_messages(response.wsgi_request)]
        # Messages wait in a cookie until shown: drop them, so the next request starts with none.
        response.client.cookies.pop("messages", None)
        return DENIED if messages == [PERMISSION_DENIED_MESSAGE] else f"302 home {messages}"
    if response.status_code in (301, 302):
        return f"{response.status_code} {response.url}"
    return str(response.status_code)


# --- Objects every area needs --------------------------------------------------------------


@pytest.fixture
def lesson(make_lesson):
    return make_lesson([{"type": "paragraph", "value": f"<p>{LESSON_TEXT}</p>"}], title="Reporting concerns")


@pytest.fixture
def world(lesson, module_page, make_role_user):
    """One of everything the admin areas list: content, a learner's enrolment and certificate,
    a provider with a pending invoice order, a price tier and a document."""
    learner = UserFactory(email="learner@example.org")
    enrolment = enrol(learner, module_page, source=Enrolment.Source.DEMO)
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at="2025-01-10T12:00:00Z")
    certificate = issue_certificate(enrolment)
    manager = UserFactory(email="manager@acorns.example")
    provider = provider_services.create_provider(owner=manager, name="Little Acorns Nursery", kind="nursery")
    tier = PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00"))
    order = provider_services.place_order(
        provider, module_page, 5, method=SeatOrder.Method.INVOICE, placed_by=manager
    )
    document = Document.objects.create(
        title="Policy template", file=ContentFile(b"policy", name="policy.txt")
    )
    statistic = StatisticFactory(value=Decimal("30925"))
    return {
        "lesson": lesson,
        "module": module_page,
        "statistic": statistic,
        "question": make_question(lesson, stem="Who do you tell first?"),
        "enrolment": enrolment,
        "certificate": certificate,
        "provider": provider,
        "order": order,
        "tier": tier,
        "document": document,
        "learner": learner,
        "failure": TaskFailure.objects.create(
            task_path="cms.mail.deliver_email", label="Email to learner@example.org: Reminder", arguments={}
        ),
    }


# --- The matrix: admin area -> expected outcome for Trainer, Lead trainer, Platform staff ---
# Each URL is a function of ``world``; the superuser column proves every URL works at all
# (except where nobody may: certificates and orders are never added or deleted in the admin).

STAT = "wagtailsnippets_cms_statistic"
QUESTION = "wagtailsnippets_quizzes_question"

AREAS = {
    # area: (url(world), Trainer, Lead trainer, Platform staff, superuser)
    "admin home": (lambda w: reverse("wagtailadmin_home"), OK, OK, OK, OK),
    "pages explorer": (lambda w: reverse("wagtailadmin_explore_root"), OK, OK, DENIED, OK),
    "module's lessons": (
        lambda w: reverse("wagtailadmin_explore", args=[w["module"].pk]),
        OK,
        OK,
        DENIED,
        OK,
    ),
    "edit lesson": (lambda w: reverse("wagtailadmin_pages:edit", args=[w["lesson"].pk]), OK, OK, DENIED, OK),
    "add lesson": (
        lambda w: reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", w["module"].pk]),
        OK,
        OK,
        DENIED,
        OK,
    ),
    "delete live lesson": (
        lambda w: reverse("wagtailadmin_pages:delete", args=[w["lesson"].pk]),
        DENIED,
        OK,
        DENIED,
        OK,
    ),
    "lesson history": (
        lambda w: reverse("wagtailadmin_pages:history", args=[w["lesson"].pk]),
        OK,
        OK,
        DENIED,
        OK,
    ),
    "statistics": (lambda w: reverse(f"{STAT}:list"), OK, OK, DENIED, OK),
    "add statistic": (lambda w: reverse(f"{STAT}:add"), OK, OK, DENIED, OK),
    "edit statistic": (lambda w: reverse(f"{STAT}:edit", args=[w["statistic"].pk]), OK, OK, DENIED, OK),
    "statistic usage": (lambda w: reverse(f"{STAT}:usage", args=[w["statistic"].pk]), OK, OK, DENIED, OK),
    "statistic history": (lambda w: reverse(f"{STAT}:history", args=[w["statistic"].pk]), OK, OK, DENIED, OK),
    "delete statistic": (
        lambda w: reverse(f"{STAT}:delete", args=[w["statistic"].pk]),
        DENIED,
        OK,
        DENIED,
        OK,
    ),
    "questions": (lambda w: reverse(f"{QUESTION}:list"), OK, OK, DENIED, OK),
    "add question": (lambda w: reverse(f"{QUESTION}:add"), OK, OK, DENIED, OK),
    "edit question": (lambda w: reverse(f"{QUESTION}:edit", args=[w["question"].pk]), OK, OK, DENIED, OK),
    "question usage": (lambda w: reverse(f"{QUESTION}:usage", args=[w["question"].pk]), OK, OK, DENIED, OK),
    "question history": (
        lambda w: reverse(f"{QUESTION}:history", args=[w["question"].pk]),
        OK,
        OK,
        DENIED,
        OK,
    ),
    "delete question": (
        lambda w: reverse(f"{QUESTION}:delete", args=[w["question"].pk]),
        DENIED,
        OK,
        DENIED,
        OK,
    ),
    "images": (lambda w: reverse("wagtailimages:index"), OK, OK, DENIED, OK),
    "add images": (lambda w: reverse("wagtailimages:add_multiple"), OK, OK, DENIED, OK),
    "documents": (lambda w: reverse("wagtaildocs:index"), OK, OK, DENIED, OK),
    "edit document": (lambda w: reverse("wagtaildocs:edit", args=[w["document"].pk]), OK, OK, DENIED, OK),
    # Wagtail's images and documents treat "delete" as "change" (CollectionOwnershipPermissionPolicy),
    # so a trainer, who may edit documents, may also delete them: see the report on issue 7.
    "delete document": (
        lambda w: reverse("wagtaildocs:delete", args=[w["document"].pk]),
        OK,
        OK,
        DENIED,
        OK,
    ),
    "enrolments": (lambda w: reverse("enrolments:index"), DENIED, DENIED, OK, OK),
    "grant enrolment": (lambda w: reverse("enrolments:add"), DENIED, DENIED, OK, OK),
    "edit enrolment": (
        lambda w: reverse("enrolments:edit", args=[w["enrolment"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "inspect enrolment": (
        lambda w: reverse("enrolments:inspect", args=[w["enrolment"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "enrolment history": (
        lambda w: reverse("enrolments:history", args=[w["enrolment"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "delete enrolment": (
        lambda w: reverse("enrolments:delete", args=[w["enrolment"].pk]),
        DENIED,
        DENIED,
        DENIED,
        OK,
    ),
    "certificates": (lambda w: reverse("certificates_admin:index"), DENIED, DENIED, OK, OK),
    "revoke certificate": (
        lambda w: reverse("certificates_admin:edit", args=[w["certificate"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "inspect certificate": (
        lambda w: reverse("certificates_admin:inspect", args=[w["certificate"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "certificate history": (
        lambda w: reverse("certificates_admin:history", args=[w["certificate"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "add certificate": (lambda w: reverse("certificates_admin:add"), DENIED, DENIED, DENIED, DENIED),
    "failed jobs": (lambda w: reverse("task_failures:index"), DENIED, DENIED, OK, OK),
    "failed job": (
        lambda w: reverse("task_failures:inspect", args=[w["failure"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "retry failed job": (
        lambda w: reverse("task_failures:retry", args=[w["failure"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    # Written by cms.background alone: nobody adds, edits or deletes one.
    "add failed job": (lambda w: reverse("task_failures:add"), DENIED, DENIED, DENIED, DENIED),
    "edit failed job": (
        lambda w: reverse("task_failures:edit", args=[w["failure"].pk]),
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "delete failed job": (
        lambda w: reverse("task_failures:delete", args=[w["failure"].pk]),
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "delete certificate": (
        lambda w: reverse("certificates_admin:delete", args=[w["certificate"].pk]),
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "providers": (lambda w: reverse("provider_admin:index"), DENIED, DENIED, OK, OK),
    "edit provider": (
        lambda w: reverse("provider_admin:edit", args=[w["provider"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "inspect provider": (
        lambda w: reverse("provider_admin:inspect", args=[w["provider"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "add provider": (lambda w: reverse("provider_admin:add"), DENIED, DENIED, DENIED, DENIED),
    "seat orders": (lambda w: reverse("seat_order_admin:index"), DENIED, DENIED, OK, OK),
    "inspect seat order": (
        lambda w: reverse("seat_order_admin:inspect", args=[w["order"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "seat order history": (
        lambda w: reverse("seat_order_admin:history", args=[w["order"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "mark seat order paid": (
        lambda w: reverse("seat_order_admin:mark_paid", args=[w["order"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "cancel seat order": (
        lambda w: reverse("seat_order_admin:cancel_order", args=[w["order"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "delete seat order": (
        lambda w: reverse("seat_order_admin:delete", args=[w["order"].pk]),
        DENIED,
        DENIED,
        DENIED,
        DENIED,
    ),
    "price tiers": (lambda w: reverse("price_tier_admin:index"), DENIED, DENIED, OK, OK),
    "add price tier": (lambda w: reverse("price_tier_admin:add"), DENIED, DENIED, OK, OK),
    "edit price tier": (
        lambda w: reverse("price_tier_admin:edit", args=[w["tier"].pk]),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "signposting settings": (
        lambda w: settings_url("cms", "signpostingsettings"),
        DENIED,
        OK,
        DENIED,
        OK,
    ),
    "certificate settings": (
        lambda w: settings_url("certificates", "certificatesettings"),
        DENIED,
        OK,
        DENIED,
        OK,
    ),
    "billing settings": (
        lambda w: settings_url("providers", "billingsettings"),
        DENIED,
        DENIED,
        OK,
        OK,
    ),
    "users": (lambda w: reverse("wagtailusers_users:index"), DENIED, DENIED, DENIED, OK),
    "edit learner": (
        lambda w: reverse("wagtailusers_users:edit", args=[w["learner"].pk]),
        DENIED,
        DENIED,
        DENIED,
        OK,
    ),
    "groups": (lambda w: reverse("wagtailusers_groups:index"), DENIED, DENIED, DENIED, OK),
    "workflows admin": (lambda w: reverse("wagtailadmin_workflows:index"), DENIED, DENIED, DENIED, OK),
    "workflow tasks admin": (
        lambda w: reverse("wagtailadmin_workflows:task_index"),
        DENIED,
        DENIED,
        DENIED,
        OK,
    ),
    "quiz item analysis report": (lambda w: reverse("quizzes_item_analysis"), OK, OK, DENIED, OK),
    "workflows report": (lambda w: reverse("wagtailadmin_reports:workflow"), OK, OK, DENIED, OK),
}


def settings_url(app_label, model_name):
    """A generic setting's edit view (its plain URL only redirects to this one, for anybody)."""
    model = apps.get_model(app_label, model_name)
    return reverse("wagtailsettings:edit", args=[app_label, model_name, model.load().pk])


COLUMN = {TRAINER: 1, LEAD: 2, STAFF: 3, SUPERUSER: 4}


@pytest.mark.parametrize("role", [*ROLES, SUPERUSER])
def test_each_role_opens_exactly_the_admin_areas_of_the_readme_table(role, as_role, world):
    client = as_role(role)

    seen = {area: outcome(client.get(row[0](world))) for area, row in AREAS.items()}

    assert seen == {area: row[COLUMN[role]] for area, row in AREAS.items()}


# --- The admin menu ------------------------------------------------------------------------


def sidebar_menu(client):
    """{top-level label: [submenu labels]} from the JSON the admin's sidebar is drawn from."""
    html = BeautifulSoup(client.get(reverse("wagtailadmin_home")).content, "html.parser")
    props = json.loads(html.find("script", id="wagtail-sidebar-props").string)
    (main_menu,) = [m for m in props["modules"] if m["_type"] == "wagtail.sidebar.MainMenuModule"]
    items = main_menu["_args"][0]

    def label(item):
        return item["_args"][0]["label"]

    return {
        label(item): [label(child) for child in item["_args"][1]]
        if item["_type"] == "wagtail.sidebar.SubMenuItem"
        else None
        for item in items
    }


EVERYONE = {"Help"}
MENUS = {
    TRAINER: {"Pages", "Statistics", "Questions", "Images", "Documents", "Reports"},
    LEAD: {"Pages", "Statistics", "Questions", "Images", "Documents", "Reports", "Settings"},
    STAFF: {"Enrolments", "Certificates", "Providers", "Reports", "Settings", "Failed jobs"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_sidebar_shows_each_role_its_own_menu(role, as_role):
    menu = sidebar_menu(as_role(role))

    assert set(menu) == MENUS[role] | EVERYONE
    assert "Users" not in menu and "Workflows" not in menu


def test_settings_and_providers_submenus_hold_only_what_the_role_may_open(as_role):
    lead_menu = sidebar_menu(as_role(LEAD))
    staff_menu = sidebar_menu(as_role(STAFF))
    trainer_menu = sidebar_menu(as_role(TRAINER))

    assert sorted(lead_menu["Settings"]) == ["Certificates", "Signposting"]
    assert staff_menu["Settings"] == ["Billing"]
    assert staff_menu["Providers"] == ["Providers", "Seat orders", "Price tiers"]
    # The content reports belong to trainers, the business reports to platform staff.
    content_reports = {"Quiz item analysis", "Statistics due for review"}
    business_reports = {
        "Enrolments and completions",
        "Certificates",
        "Seats by provider",
        "Invoices awaiting payment",
        "Site history",
    }
    assert content_reports <= set(trainer_menu["Reports"]) and content_reports <= set(lead_menu["Reports"])
    assert not business_reports & (set(trainer_menu["Reports"]) - {"Site history"})
    assert set(staff_menu["Reports"]) == business_reports


def test_a_superuser_sees_users_and_every_area(as_role):
    menu = sidebar_menu(as_role(SUPERUSER))

    assert {"Pages", "Statistics", "Questions", "Enrolments", "Certificates", "Providers"} <= set(menu)
    assert {"Users", "Groups", "Workflows"} <= set(menu["Settings"])


# --- Key actions: a refused POST changes nothing; an allowed one does ------------------------


def statistic_edit_data(statistic, **changes):
    data = {
        field: getattr(statistic, field)
        for field in ["label", "unit", "qualifier", "period", "geography", "basis_note", "source_title"]
    }
    data.update(
        source_url=statistic.source_url,
        value=str(statistic.value),
        source_published="2024-03-01",
        review_by="2027-03-31",
    )
    data.update(changes)
    return data


@pytest.mark.parametrize("role, publishes", [(TRAINER, False), (LEAD, True)])
def test_publishing_a_statistic_needs_the_lead_trainer_role(role, publishes, as_role, world):
    statistic = world["statistic"]
    client = as_role(role)

    response = client.post(
        reverse(f"{STAT}:edit", args=[statistic.pk]),
        statistic_edit_data(statistic, value="33000", **{"action-publish": "on"}),
    )

    assert response.status_code == 302
    statistic.refresh_from_db()
    assert statistic.value == (Decimal("33000") if publishes else Decimal("30925"))
    # A trainer's change is kept as a draft revision, not lost.
    assert Decimal(statistic.latest_revision.content["value"]) == Decimal("33000")


@pytest.mark.parametrize("role, publishes", [(TRAINER, False), (LEAD, True)])
def test_publishing_a_question_needs_the_lead_trainer_role(role, publishes, as_role, world):
    question = world["question"]
    client = as_role(role)
    choices = list(question.choices.all())
    data = {
        "kind": question.kind,
        "lesson": question.lesson_id,
        "stem": "Who do you tell at once?",
        "explanation": question.explanation,
        "source_title": "",
        "source_url": "",
        "statistic": "",
        "true_false_answer": "",
        "action-publish": "action-publish",
        **nested_form_data(
            {
                "choices": inline_formset(
                    [
                        {
                            "id": c.pk,
                            "text": c.text,
                            "ORDER": n,
                            **({"is_correct": "on"} if c.is_correct else {}),
                        }
                        for n, c in enumerate(choices, start=1)
                    ],
                    initial=len(choices),
                )
            }
        ),
    }

    response = client.post(reverse(f"{QUESTION}:edit", args=[question.pk]), data)

    assert response.status_code == 302
    question = Question.objects.get(pk=question.pk)
    assert question.stem == ("Who do you tell at once?" if publishes else "Who do you tell first?")
    assert question.latest_revision.content["stem"] == "Who do you tell at once?"


def lesson_edit_data(lesson, title, action):
    data = {
        "title": title,
        "slug": lesson.slug,
        "summary": "",
        "estimated_minutes": "10",
        "content_note": "",
        **nested_form_data({"body": streamfield([("paragraph", rich_text(f"<p>{LESSON_TEXT}</p>"))])}),
    }
    if action:
        data[action] = "on"
    return data


@pytest.mark.parametrize("role, publishes", [(TRAINER, False), (LEAD, True)])
def test_publishing_a_lesson_needs_the_lead_trainer_role(role, publishes, as_role, world):
    lesson = world["lesson"]
    client = as_role(role)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        lesson_edit_data(lesson, "Reporting concerns at once", "action-publish"),
    )

    assert response.status_code == 302
    live = LessonPage.objects.get(pk=lesson.pk)
    assert live.title == ("Reporting concerns at once" if publishes else "Reporting concerns")
    assert live.get_latest_revision().content["title"] == "Reporting concerns at once"


def test_a_trainer_can_send_a_lesson_for_review(as_role, world):
    lesson = world["lesson"]

    response = as_role(TRAINER).post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        lesson_edit_data(lesson, "Reporting concerns at once", "action-submit"),
    )

    assert response.status_code == 302
    live = LessonPage.objects.get(pk=lesson.pk)
    assert live.title == "Reporting concerns"
    assert live.workflow_in_progress


def test_platform_staff_cannot_edit_a_statistic(as_role, world):
    statistic = world["statistic"]

    response = as_role(STAFF).post(
        reverse(f"{STAT}:edit", args=[statistic.pk]),
        statistic_edit_data(statistic, value="1", **{"action-publish": "on"}),
    )

    assert outcome(response) == DENIED
    statistic.refresh_from_db()
    assert statistic.value == Decimal("30925")
    assert statistic.revisions.count() == 0


@pytest.mark.parametrize("role", [TRAINER, LEAD])
def test_content_roles_cannot_mark_an_invoice_paid(role, as_role, world):
    order = world["order"]

    response = as_role(role).post(reverse("seat_order_admin:mark_paid", args=[order.pk]))

    assert outcome(response) == DENIED
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert order.paid_at is None


def test_platform_staff_mark_an_invoice_paid(as_role, world):
    order = world["order"]

    response = as_role(STAFF).post(reverse("seat_order_admin:mark_paid", args=[order.pk]))

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID


@pytest.mark.parametrize("role", [TRAINER, LEAD])
def test_content_roles_cannot_cancel_an_order_or_revoke_a_certificate(role, as_role, world):
    client = as_role(role)
    order, certificate = world["order"], world["certificate"]

    cancel = client.post(reverse("seat_order_admin:cancel_order", args=[order.pk]))
    assert outcome(cancel) == DENIED
    revoke = client.post(
        reverse("certificates_admin:edit", args=[certificate.pk]), {"reason": "Issued in error."}
    )
    assert outcome(revoke) == DENIED

    order.refresh_from_db()
    certificate.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert certificate.status == Certificate.Status.VALID


def test_platform_staff_revoke_a_certificate(as_role, world):
    certificate = world["certificate"]

    response = as_role(STAFF).post(
        reverse("certificates_admin:edit", args=[certificate.pk]), {"reason": "Issued in error."}
    )

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED


@pytest.mark.parametrize("role", [TRAINER, LEAD])
def test_content_roles_cannot_grant_an_enrolment(role, as_role, world):
    newcomer = UserFactory(email="newcomer@example.org")

    response = as_role(role).post(
        reverse("enrolments:add"), {"learner_email": newcomer.email, "module": world["module"].pk}
    )

    assert outcome(response) == DENIED
    assert not Enrolment.objects.filter(learner=newcomer).exists()


def test_platform_staff_cannot_delete_a_statistic(as_role, world):
    statistic = world["statistic"]

    response = as_role(STAFF).post(reverse(f"{STAT}:delete", args=[statistic.pk]))

    assert outcome(response) == DENIED
    assert Statistic.objects.filter(pk=statistic.pk).exists()


# --- The learners' side of the site --------------------------------------------------------


def lesson_body(response):
    html = BeautifulSoup(response.content, "html.parser")
    main = html.find("main") or html
    return main.get_text(" ", strip=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_role_reads_a_lesson_without_an_enrolment(role, as_role, world):
    """courses.access.is_trainer lets anyone who may open the admin read lessons, platform staff
    included (they answer learners' questions about the course)."""
    response = as_role(role).get(world["lesson"].url)

    assert response.status_code == 200
    assert LESSON_TEXT in lesson_body(response)
    assert not Enrolment.objects.filter(learner=response.wsgi_request.user).exists()


def test_a_learner_without_an_enrolment_does_not_see_the_lesson_body(world):
    response = signed_in(UserFactory()).get(world["lesson"].url)

    assert response.status_code == 200
    assert LESSON_TEXT not in lesson_body(response)


@pytest.mark.parametrize("role", [*ROLES, SUPERUSER])
def test_no_role_opens_a_provider_it_does_not_manage(role, as_role, world):
    provider = world["provider"]
    client = as_role(role)

    for name in ["dashboard", "staff", "billing", "staff_csv", "settings"]:
        response = client.get(reverse(f"providers:{name}", args=[provider.pk]))
        assert response.status_code == 404, name


@pytest.mark.parametrize("role", [*ROLES, SUPERUSER])
def test_no_role_downloads_another_learners_certificate(role, as_role, world):
    response = as_role(role).get(reverse("certificates:download", args=[world["certificate"].pk]))

    assert response.status_code == 404

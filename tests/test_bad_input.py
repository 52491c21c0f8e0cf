"""Bad input never gives a 500: random and malicious values posted to every form and endpoint.

The answer is a 4xx or the form again with an error, and the rows the input would have made are not
made. Each hypothesis example runs in its own transaction (hypothesis.extra.django.TestCase), so the
counts it checks start from the same world every time. Also: every CSV the site exports neutralises
cells a spreadsheet would run as a formula."""

import csv
import io
import os
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from wagtail.models import Page, Site

from certificates.models import ShareLink
from cms.models import HomePage
from courses.models import CoursePage, LessonProgress
from providers.models import InspectionLink, Invitation, PriceTier, Provider, SeatAssignment, SeatOrder
from quizzes import services as quiz_services
from quizzes.models import Attempt, Response
from tests.factories import UserFactory
from tests.test_url_guard import make_module, make_provider
from users.models import User

HUGE = "x" * 100_000
MALICIOUS = [
    HUGE,
    "\x00",
    "a\x00b@example.org",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",
    "👩‍👧‍👦" * 50,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR '1'='1' --",
    "1; DROP TABLE users_user; --",
    "-1",
    "0",
    "-99999999999999999999999",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "",
    " ",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "%s%s%s%n",
    "../../etc/passwd",
]
nasty = st.one_of(st.sampled_from(MALICIOUS), st.text(max_size=300))
# A value as the client may send it: one string, a list (repeated key), or missing (None).
field = st.one_of(nasty, st.lists(nasty, min_size=2, max_size=3), st.none())

# Modest, so the module runs in about a minute; BAD_INPUT_EXAMPLES=200 for a deeper search.
FAST = settings(
    max_examples=int(os.environ.get("BAD_INPUT_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def form_data(**values):
    """Drop missing fields (None); lists become repeated keys."""
    return {key: value for key, value in values.items() if value is not None}


class BadInputTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Training home", slug="training-home"))
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
        )
        course = home.add_child(instance=CoursePage(title="Safeguarding children", slug="safeguarding"))
        PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00"))
        cls.module, cls.lesson, cls.quiz = make_module(course, "Online safety", "online-safety")
        world = make_provider("a", cls.module, cls.lesson, cls.quiz)
        cls.provider, cls.manager, cls.seat = world["provider_a"], world["manager_a"], world["seat_a"]
        cls.learner = world["learner_a"]
        # A second learner with an open attempt, for the quiz form.
        cls.quiz_learner = UserFactory()
        from providers import services

        order = services.place_order(cls.provider, cls.module, 2, method="invoice", placed_by=cls.manager)
        services.fulfil_order(order, actor=cls.manager)
        seat = services.assign_seat(cls.provider, cls.module, cls.quiz_learner, actor=cls.manager)
        from courses.models import Enrolment
        from courses.services import complete_lesson

        enrolment = Enrolment.objects.get(pk=seat.enrolment_id)
        complete_lesson(enrolment, cls.lesson)
        cls.attempt = quiz_services.start_attempt(enrolment, cls.quiz)

    def login(self, user):
        self.client.force_login(user)

    def assertNoServerError(self, response):
        self.assertLess(response.status_code, 500, response.content[:300])

    def provider_url(self, name, **kwargs):
        return reverse(f"providers:{name}", kwargs={"provider_id": self.provider.pk, **kwargs})


class AccountFormsTest(BadInputTestCase):
    @FAST
    @given(email=field, password1=field, password2=field)
    def test_sign_up(self, email, password1, password2):
        users = User.objects.count()
        response = self.client.post(
            reverse("account_signup"), form_data(email=email, password1=password1, password2=password2)
        )
        self.assertNoServerError(response)
        if response.status_code != 302:
            self.assertEqual(User.objects.count(), users)

    @FAST
    @given(login=field, password=field)
    def test_sign_in(self, login, password):
        response = self.client.post(reverse("account_login"), form_data(login=login, password=password))
        self.assertNoServerError(response)
        self.assertNotIn("_auth_user_id", self.client.session)

    @FAST
    @given(email=field)
    def test_password_reset(self, email):
        self.assertNoServerError(self.client.post(reverse("account_reset_password"), form_data(email=email)))

    @FAST
    @given(code=nasty)
    def test_verify_form(self, code):
        response = self.client.get(reverse("certificates:verify"), {"code": code})
        self.assertNoServerError(response)
        if response.status_code == 302:
            self.assertNoServerError(self.client.get(response["Location"]))


class LearnerEndpointsTest(BadInputTestCase):
    @FAST
    @given(data=st.dictionaries(st.sampled_from(["q0", "q1", "0", "answer", "csrf"]), field, max_size=4))
    def test_quiz_submit(self, data):
        self.login(self.quiz_learner)
        responses = Response.objects.count()
        url = self.quiz.url + self.quiz.reverse_subpage("attempt", args=[str(self.attempt.number)])
        response = self.client.post(url, form_data(**data))
        self.assertNoServerError(response)
        if response.status_code != 302:
            self.assertEqual(Response.objects.count(), responses)
            self.assertEqual(Attempt.objects.get(pk=self.attempt.pk).status, Attempt.Status.IN_PROGRESS)

    @FAST
    @given(data=st.dictionaries(nasty.filter(bool), field, max_size=3))
    def test_lesson_complete_and_share_link(self, data):
        self.login(self.learner)
        progress = LessonProgress.objects.count()
        url = self.lesson.url + self.lesson.reverse_subpage("complete")
        self.assertNoServerError(self.client.post(url, form_data(**data)))
        self.assertEqual(LessonProgress.objects.count(), progress)
        links = ShareLink.objects.count()
        response = self.client.post(reverse("certificates:share_link_create"), form_data(**data))
        self.assertNoServerError(response)
        self.assertLessEqual(ShareLink.objects.count(), links + 1)


class ProviderFormsTest(BadInputTestCase):
    @FAST
    @given(name=field, kind=field, billing_name=field, billing_email=field, ofsted_urn=field)
    def test_provider_creation(self, name, kind, billing_name, billing_email, ofsted_urn):
        self.login(self.manager)
        providers = Provider.objects.count()
        data = form_data(
            name=name,
            kind=kind,
            billing_name=billing_name,
            billing_email=billing_email,
            ofsted_urn=ofsted_urn,
        )
        response = self.client.post(reverse("providers:create"), data)
        self.assertNoServerError(response)
        if response.status_code != 302:
            self.assertEqual(response.status_code, 400)
            self.assertEqual(Provider.objects.count(), providers)

    @FAST
    @given(name=field, billing_email=field, renewal_months=field, dsl_contact=field)
    def test_provider_settings(self, name, billing_email, renewal_months, dsl_contact):
        self.login(self.manager)
        before = Provider.objects.values_list("name", "billing_email", "renewal_months").get(
            pk=self.provider.pk
        )
        data = form_data(
            name=name,
            kind="nursery",
            billing_name="Owner A",
            billing_email=billing_email,
            renewal_months=renewal_months,
            dsl_contact=dsl_contact,
        )
        response = self.client.post(self.provider_url("settings"), data)
        self.assertNoServerError(response)
        if response.status_code != 302:
            self.assertEqual(response.status_code, 400)
            after = Provider.objects.values_list("name", "billing_email", "renewal_months")
            self.assertEqual(after.get(pk=self.provider.pk), before)

    @FAST
    @given(
        module=field, quantity=field, method=field, action=st.sampled_from(["quote", "place"]), total=field
    )
    def test_buying_seats(self, module, quantity, method, action, total):
        self.login(self.manager)
        orders = SeatOrder.objects.count()
        data = form_data(module=module, quantity=quantity, method=method, action=action, quoted_total=total)
        self.assertNoServerError(self.client.post(self.provider_url("buy"), data))
        self.assertNoServerError(self.client.get(self.provider_url("buy"), data))
        self.assertEqual(SeatOrder.objects.count(), orders)  # a random total never matches a quote

    @FAST
    @given(quantity=st.integers(min_value=-(10**30), max_value=10**30))
    def test_buying_any_number_of_seats(self, quantity):
        self.login(self.manager)
        orders = SeatOrder.objects.count()
        data = {"module": self.module.pk, "quantity": quantity, "method": "invoice", "action": "quote"}
        response = self.client.post(self.provider_url("buy"), data)
        self.assertNoServerError(response)
        self.assertEqual(SeatOrder.objects.count(), orders)

    def test_module_ids_no_database_could_hold(self):
        """Found by this module: a 24-digit or a superscript "²" module id gave a 500."""
        self.login(self.manager)
        orders, invitations = SeatOrder.objects.count(), Invitation.objects.count()
        for module in ("99999999999999999999999", "-99999999999999999999999", "²", "١"):
            buy = {"module": module, "quantity": "1", "method": "invoice", "action": "quote"}
            self.assertEqual(self.client.post(self.provider_url("buy"), buy).status_code, 400)
            invite = {"module": module, "email": "new@example.org"}
            self.assertEqual(self.client.post(self.provider_url("invite"), invite).status_code, 400)
            self.assertEqual(
                self.client.get(self.provider_url("invite"), {"module": module}).status_code, 200
            )
            bulk = {"module": module, "pasted": "new@example.org"}
            self.assertEqual(self.client.post(self.provider_url("bulk_invite"), bulk).status_code, 400)
            take = self.client.post(self.provider_url("take_seat"), {"module": module})
            self.assertEqual(take.status_code, 404)
        self.assertEqual((SeatOrder.objects.count(), Invitation.objects.count()), (orders, invitations))

    @FAST
    @given(module=field, email=field, name=field)
    def test_invite_one(self, module, email, name):
        self.login(self.manager)
        invitations = Invitation.objects.count()
        response = self.client.post(
            self.provider_url("invite"), form_data(module=module, email=email, name=name)
        )
        self.assertNoServerError(response)
        if response.status_code != 303:
            self.assertEqual(response.status_code, 400)
            self.assertEqual(Invitation.objects.count(), invitations)

    @FAST
    @given(email=field, name=field)
    def test_seat_move(self, email, name):
        self.login(self.manager)
        seats = list(SeatAssignment.objects.values_list("pk", "user_id"))
        url = self.provider_url("seat_move", seat_id=self.seat.pk)
        response = self.client.post(url, form_data(email=email, name=name))
        self.assertNoServerError(response)
        if response.status_code != 303:
            self.assertEqual(list(SeatAssignment.objects.values_list("pk", "user_id")), seats)

    @FAST
    @given(junk=field)
    def test_seat_return_take_seat_and_links(self, junk):
        self.login(self.manager)
        for url in (
            self.provider_url("seat_return", seat_id=self.seat.pk),
            self.provider_url("take_seat"),
            self.provider_url("inspection"),
            self.provider_url("inspection_link_revoke", link_id=InspectionLink.objects.first().pk),
        ):
            self.assertNoServerError(self.client.post(url, form_data(module=junk, seat=junk, id=junk)))
        self.assertEqual(SeatAssignment.objects.filter(pk=self.seat.pk).count(), 1)  # started: kept


SPREADSHEET_TEXT = st.lists(
    st.tuples(
        st.one_of(nasty, st.sampled_from(["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"])),
        st.one_of(st.emails(), nasty),
    ),
    max_size=5,
)


class BulkInviteTest(BadInputTestCase):
    def post_file(self, content, name="staff.csv", **extra):
        self.login(self.manager)
        upload = SimpleUploadedFile(name, content, content_type="text/csv")
        return self.client.post(
            self.provider_url("bulk_invite"), {"module": self.module.pk, "file": upload, **extra}
        )

    @FAST
    @given(
        rows=SPREADSHEET_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
    )
    def test_csv_upload_any_encoding(self, rows, encoding):
        invitations = Invitation.objects.count()
        text = "Name,Email\n" + "\n".join(f"{name},{email}" for name, email in rows)
        response = self.post_file(text.encode(encoding, errors="replace"))
        self.assertNoServerError(response)
        self.assertEqual(Invitation.objects.count(), invitations)  # a preview never invites
        self.assertNotIn(b"<script>alert(1)</script>", response.content)

    @FAST
    @given(content=st.binary(max_size=2000))
    def test_binary_upload(self, content):
        invitations = Invitation.objects.count()
        self.assertNoServerError(self.post_file(content))
        self.assertEqual(Invitation.objects.count(), invitations)

    def test_lone_surrogates_and_nul_bytes(self):
        content = "Name,Email\n\ud800bad,a@example.org\nnul\x00,b@example.org\n".encode(
            "utf-8", "surrogatepass"
        )
        response = self.post_file(content)
        self.assertIn(response.status_code, {200, 400})

    def test_oversize_file_is_refused_with_a_message(self):
        invitations = Invitation.objects.count()
        content = b"Name,Email\n" + b"Someone,someone@example.org\n" * 50_000  # about 1.4 MB
        response = self.post_file(content)
        self.assertEqual(response.status_code, 400)
        self.assertIn("1 MB", response.content.decode())
        self.assertEqual(Invitation.objects.count(), invitations)

    @FAST
    @given(signed=field)
    def test_forged_confirm(self, signed):
        self.login(self.manager)
        invitations = Invitation.objects.count()
        response = self.client.post(self.provider_url("bulk_invite"), {"signed_rows": signed or ""})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Invitation.objects.count(), invitations)


@override_settings(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_test")  # noqa: S106
class StripeWebhookTest(BadInputTestCase):
    @FAST
    @given(
        body=st.one_of(st.binary(max_size=500), st.sampled_from([b"{}", b"[]", b"null", HUGE.encode()])),
        signature=st.one_of(nasty.filter(lambda s: "\n" not in s and "\r" not in s), st.just("t=1,v1=abc")),
    )
    def test_random_bodies_and_signatures(self, body, signature):
        response = self.client.post(
            reverse("providers:stripe_webhook"),
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        self.assertEqual(response.status_code, 400)


# --- CSV exports ------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvExportsTest(BadInputTestCase):
    """A learner named "=HYPERLINK(...)" and a provider named "+SUM(1)": no exported cell starts with a
    formula character (numbers aside: a negative number is a number)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.learner.certificate_name = '=HYPERLINK("http://evil.example","click")'
        cls.learner.save()
        Provider.objects.filter(pk=cls.provider.pk).update(name="+SUM(1)")
        from certificates.models import Certificate

        for certificate in Certificate.objects.all():  # as if issued after the renaming
            certificate.snapshot.update(name=cls.learner.certificate_name, provider="+SUM(1)")
            certificate.save(update_fields=["snapshot"])
        from django.contrib.auth.models import Group

        from providers import services
        from quizzes.models import Question
        from tests.factories import StatisticFactory

        services.place_order(cls.provider, cls.module, 1, method="invoice", placed_by=cls.manager)  # unpaid
        StatisticFactory(label="-2+3 offences", review_by=date(2020, 1, 1))
        Question.objects.update(stem="=1+1 who do you tell?")
        cls.staff = UserFactory(is_staff=True, is_superuser=True)
        cls.staff.groups.add(*Group.objects.all())

    def assertFormulaSafe(self, response, label):
        self.assertEqual(response.status_code, 200, label)
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        self.assertGreater(len(rows), 1, f"{label}: no data rows")
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    try:
                        float(cell)
                    except ValueError:
                        self.fail(f"{label}: formula cell {cell!r}")
        return text.decode("utf-8-sig")

    def test_training_record_csv(self):
        self.login(self.manager)
        text = self.assertFormulaSafe(self.client.get(self.provider_url("staff_csv")), "training record")
        self.assertIn("'=HYPERLINK", text)

    def test_admin_report_csv_exports(self):
        self.login(self.staff)
        names = [
            "cms_statistics_review",
            "providers_seats_report",
            "providers_invoices_report",
            "certificates_report",
            "courses_enrolment_activity",
            "quizzes_item_analysis",
        ]
        seen = {
            name: self.assertFormulaSafe(self.client.get(reverse(name), {"export": "csv"}), name)
            for name in names
        }
        self.assertIn("'+SUM(1)", seen["providers_seats_report"])
        self.assertIn("'+SUM(1)", seen["providers_invoices_report"])
        self.assertIn("'=HYPERLINK", seen["certificates_report"])
        self.assertIn("'+SUM(1)", seen["certificates_report"])
        self.assertIn("'-2+3 offences", seen["cms_statistics_review"])
        self.assertIn("'=1+1 who", seen["quizzes_item_analysis"])

"""Build the demo Safeguarding children course in code. Running it again changes nothing."""

import io
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from certificates.models import CertificateSettings
from cms import roles
from cms.demo import branding, content, providers, questions
from cms.models import HomePage, SignpostingSettings, Statistic
from courses.models import CoursePage, Enrolment, LessonPage, ModulePage
from courses.services import enrol
from quizzes.models import Choice, Question, QuizPage

DEFAULT_REVIEW_BY = date(2027, 3, 31)
DEMO_PASSWORD = "safeguarding-demo"  # noqa: S105 - published in the README; never made in production
DEMO_ACCOUNTS = [
    # email, name, role shown at start-up, admin group (cms.roles), enrolled on the demo module
    ("trainer@example.com", "Tara Trainer", "Trainer", roles.TRAINER, False),
    ("lead@example.com", "Leah Lead", "Lead trainer", roles.LEAD_TRAINER, False),
    ("staff@example.com", "Sam Staff", "Platform staff", roles.PLATFORM_STAFF, False),
    ("manager@example.com", "Maya Manager", "Provider manager", None, False),
    ("learner@example.com", "Liam Learner", "Learner", None, True),
]


class Command(BaseCommand):
    help = "Create the demo Safeguarding children course, its Online safety module and demo logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            statistics = self.load_statistics()
            home = self.ensure_home_page()
            self.load_signposting()
            self.load_certificate_logo()
            course = self.ensure_page(
                home,
                CoursePage,
                slug=content.COURSE["slug"],
                title=content.COURSE["title"],
                summary=content.COURSE.get("summary", ""),
                intro=content.COURSE["intro"],
            )
            module = self.ensure_page(
                course,
                ModulePage,
                slug=content.MODULE["slug"],
                title=content.MODULE["title"],
                summary=content.MODULE["summary"],
                intro=content.MODULE["intro"],
                outcomes=[{"type": "outcome", "value": text} for text in content.MODULE["outcomes"]],
                duration_minutes=content.MODULE["duration_minutes"],
                cpd_hours=content.MODULE["cpd_hours"],
            )
            for lesson in content.LESSONS:
                self.ensure_page(
                    module,
                    LessonPage,
                    slug=lesson["slug"],
                    title=lesson["title"],
                    summary=lesson["summary"],
                    estimated_minutes=lesson["minutes"],
                    sensitive=lesson["sensitive"],
                    content_note=lesson["content_note"],
                    body=stream_data(lesson["body"], statistics),
                )
            lessons = {lesson.slug: lesson for lesson in LessonPage.objects.child_of(module)}
            self.ensure_page(
                module,
                QuizPage,
                slug=questions.QUIZ["slug"],
                title=questions.QUIZ["title"],
                intro=questions.QUIZ["intro"],
            )
            self.load_questions(lessons, statistics)
            providers.load_prices()
            accounts = self.load_accounts(module) if settings.DEMO_ACCOUNTS else []
            if accounts:
                User = get_user_model()
                providers.load_provider(
                    module,
                    manager=User.objects.get(email="manager@example.com"),
                    platform_staff=User.objects.get(email="staff@example.com"),
                    password=DEMO_PASSWORD,
                )
        self.stdout.write(self.style.SUCCESS(f"Demo course ready at {module.url}"))
        if accounts and settings.DEBUG:
            self.stdout.write("Demo logins (development only):")
            for email, role in accounts:
                self.stdout.write(f"  {role:<24} {email:<24} password: {DEMO_PASSWORD}")

    def load_statistics(self):
        statistics = {}
        for item in content.STATISTICS:
            fields = {key: value for key, value in item.items() if key != "key"}
            fields.setdefault("review_by", DEFAULT_REVIEW_BY)
            statistic, _ = Statistic.objects.get_or_create(
                label=fields["label"],
                period=fields["period"],
                source_url=fields["source_url"],
                defaults=fields,
            )
            if statistic.live_revision_id is None:
                statistic.save_revision().publish()  # the approved version reviews start from
            statistics[item["key"]] = statistic
        return statistics

    def ensure_home_page(self):
        home = HomePage.objects.first()
        if home:
            return home
        root = Page.get_first_root_node()
        welcome = (
            Page.objects.child_of(root)
            .filter(content_type=ContentType.objects.get_for_model(Page), slug="home")
            .first()
        )
        if welcome:  # Wagtail's placeholder page from its initial migration
            welcome.slug = "wagtail-welcome"
            welcome.save(update_fields=["slug"])
        home = root.add_child(
            instance=HomePage(
                title="Safeguarding children training",
                slug="home",
                intro=content.HOME_INTRO,
            )
        )
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            site.root_page = home
            site.site_name = settings.WAGTAIL_SITE_NAME
            site.save()
        else:
            Site.objects.create(
                hostname="localhost",
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        if welcome:
            welcome.delete()
        return home

    def load_signposting(self):
        signposting = SignpostingSettings.load()
        if not signposting.contacts:
            signposting.contacts = [
                {"type": "contact", "value": contact} for contact in content.SIGNPOSTING_CONTACTS
            ]
            signposting.save()

    def load_certificate_logo(self):
        signatory = CertificateSettings.load()
        if signatory.logo_id is None:
            signatory.logo = get_image_model().objects.create(
                title=branding.TITLE, file=ImageFile(io.BytesIO(branding.logo_png()), name="demo-logo.png")
            )
            signatory.save()

    def ensure_page(self, parent, model, *, slug, **fields):
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page:
            return page
        page = parent.add_child(instance=model(slug=slug, **fields))
        page.save_revision().publish()
        return page

    def load_questions(self, lessons, statistics):
        for item in questions.QUESTIONS:
            lesson = lessons[item["lesson"]]
            if Question.objects.filter(lesson=lesson, stem=item["stem"]).exists():
                continue
            question = Question(
                kind=item["kind"],
                stem=item["stem"],
                lesson=lesson,
                statistic=statistics[item["statistic"]] if "statistic" in item else None,
                true_false_answer=item.get("answer"),
                explanation=item["explanation"],
                source_title=item.get("source_title", ""),
                source_url=item.get("source_url", ""),
            )
            question.choices = [
                Choice(text=text, is_correct=correct, sort_order=order)
                for order, (text, correct) in enumerate(item.get("choices", []))
            ]
            question.save()
            question.save_revision().publish()

    def load_accounts(self, module):
        User = get_user_model()
        accounts = []
        for email, name, role, group, enrolled in DEMO_ACCOUNTS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    certificate_name=name,
                    first_name=name.split()[0],
                    last_name=name.split()[-1],
                )
            if group:
                user.groups.add(Group.objects.get(name=group))
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if enrolled:
                enrol(user, module, source=Enrolment.Source.DEMO)
            accounts.append((email, role))
        return accounts


def stream_data(blocks, statistics):
    """Turn the demo's (block type, value) pairs into StreamField data, statistics by id."""
    data = []
    for block_type, value in blocks:
        if block_type == "statistic_callout":
            value = {**value, "statistic": statistics[value["statistic"]].pk}
        elif block_type == "statistic_chart":
            value = {**value, "statistics": [statistics[key].pk for key in value["statistics"]]}
        data.append({"type": block_type, "value": value})
    return data

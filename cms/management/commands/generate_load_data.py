"""Development only: realistic volume on top of the demo course, for benchmarks and query counts.

    manage.py load_demo
    manage.py generate_load_data                       # 100 providers, 20,000 learners, ...
    manage.py generate_load_data --replace --seed 7    # delete the last lot, make another

Everything made here belongs to people with an address at @load.example (a reserved example
domain) or to providers billed to one of them, which is how --replace finds it again. Rows are
bulk-created in batches inside one transaction, shaped as the services write them (enrol,
assign_seat, complete_lesson, start/submit_attempt, issue_certificate), but without the audit log,
signals or PDFs (a certificate's PDF is rendered on its first download).

The shape: one large network (Northfield Early Years Network, 10% of the learners by default, the
provider the dashboard benchmark opens), many childminders of one, nurseries and pre-schools of
10-60 staff, and nursery groups and trusts taking the rest. About 80% of the learners who sat the
quiz have passed; the attempts left over after one pass per certificate are the failed tries
before it. Certificates are issued over the last 30 months, so some have expired, some expire
within 30 days, some were superseded by a renewal and a few were revoked."""

import base64
import functools
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from random import Random

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, JSONField, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.signal_handlers import disable_reference_index_auto_update

from certificates.models import CODE_ALPHABET, RENEWAL_WINDOW, Certificate, CertificateSettings
from certificates.services import add_months
from cms.demo import content
from cms.management.commands.load_demo import DEMO_PASSWORD
from courses.models import CoursePage, Enrolment, LessonProgress, ModulePage
from providers import services as provider_services
from providers.models import (
    MAX_SEATS_PER_ORDER,
    BillingSettings,
    DocumentSequence,
    Membership,
    Provider,
    SeatAssignment,
    SeatOrder,
)
from quizzes.grading import Mark, draw_questions, mark_paper, paper_entry, score_percent
from quizzes.models import Attempt, Question, Response

DOMAIN = "load.example"
LARGE_PROVIDER = "Northfield Early Years Network"
BATCH = 2000
HISTORY_DAYS = 913  # 30 months: how far back certificates are issued
PASS_RATE = 0.8  # of the learners who sat the quiz, the share who have passed
RENEWAL_SHARE = 0.06  # of the certificates, the share superseded by a renewal
REVOKED_SHARE = 0.005


def words(text):
    return text.split()


FIRST_NAMES = words(
    """
    Olivia Amelia Isla Ava Mia Ivy Lily Freya Emily Grace Sophie Chloe Ella Poppy Evie Hannah
    Charlotte Amira Priya Aisha Zara Niamh Megan Rebecca Laura Sarah Emma Claire Rachel Gemma Kirsty
    Lucy Jade Holly Katie Bethany Siobhan Nia Oliver George Harry Noah Jack Leo Arthur Muhammad
    Jacob Thomas James Daniel Ryan Liam Callum Ethan Adam Samuel Rhys Owen
    """
)
SURNAMES = words(
    """
    Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker
    White Roberts Green Hall Wood Jackson Clarke Patel Khan Hughes Edwards Lewis Hill Moore Clark
    Harrison Scott Young Morris Ali Ahmed Begum Murphy Kelly Campbell Stewart Morgan Price Bennett
    Cooper Ward Turner Carter Shaw Mitchell Hussain Singh Kaur Baker Cox Bailey Richardson Nowak
    """
)
PLACES = words(
    """
    Ashby Bramley Castleford Didsbury Edgbaston Filey Garforth Harrogate Ilkley Jesmond Kirkstall
    Longsight Morley Netherton Otley Pudsey Queensbury Rothwell Saltaire Thornbury Upton Wetherby
    Yeadon Allerton Beeston Drighlington Eccleshill Farsley Guiseley Headingley Horsforth Meanwood
    Roundhay Shipley Tadcaster Woodhouse Armley Bingley Keighley Sedbergh
    """
)
STREETS = [
    "Oak Lane",
    "Mill Road",
    "Church Street",
    "Station Road",
    "Park View",
    "High Street",
    "Victoria Road",
]

CHILDMINDER, NURSERY, PRE_SCHOOL, GROUP, LARGE = "childminder", "nursery", "pre_school", "group", "large"
NAME_PATTERNS = {
    NURSERY: ["{place} Day Nursery", "{place} Children's Nursery", "{place} Nursery School"],
    PRE_SCHOOL: ["{place} Pre-school", "{place} Community Pre-school", "{place} Playgroup"],
    GROUP: ["{place} Nursery Group", "{place} Primary Academy Trust", "{place} Early Years Service"],
}
GROUP_KINDS = {"Nursery Group": "nursery", "Academy Trust": "school", "Early Years Service": "other"}
OWNER_TITLES = {CHILDMINDER: "Childminder", NURSERY: "Owner", PRE_SCHOOL: "Chair", GROUP: "Director"}
MANAGER_TITLES = ["Nursery manager", "Deputy manager", "Setting manager", "Room leader"]
STAFF_TITLES = [
    "Early years practitioner",
    "Early years practitioner",
    "Nursery nurse",
    "Room leader",
    "Apprentice",
    "Teaching assistant",
    "Cook",
]
REVOKE_REASONS = [
    "Issued in error: the quiz was taken by someone else on this account.",
    "Withdrawn at the provider's request after an investigation.",
]

# Learner states.
NOT_STARTED, IN_PROGRESS, LESSONS_DONE, FAILING, PASSED, RENEWED = (
    "not_started",
    "in_progress",
    "lessons_done",
    "failing",
    "passed",
    "renewed",
)


@dataclass(eq=False)
class Person:
    number: int
    first: str
    last: str
    user: object = None

    @property
    def name(self):
        return f"{self.first} {self.last}"

    @property
    def email(self):
        return f"{self.first.lower()}.{self.last.lower()}.{self.number}@{DOMAIN}"


@dataclass(eq=False)
class ProviderPlan:
    name: str
    kind: str  # one of the shapes above
    size: int
    provider: object = None
    owner: Person = None
    managers: list = field(default_factory=list)
    learners: list = field(default_factory=list)  # LearnerPlan
    orders: list = field(default_factory=list)

    @property
    def model_kind(self):
        if self.kind == GROUP:
            return next(kind for suffix, kind in GROUP_KINDS.items() if self.name.endswith(suffix))
        return {LARGE: Provider.Kind.NURSERY, CHILDMINDER: Provider.Kind.CHILDMINDER}.get(
            self.kind, self.kind
        )

    @property
    def actors(self):
        return [self.owner, *self.managers]


@dataclass(eq=False)
class LearnerPlan:
    person: Person
    plan: ProviderPlan
    state: str
    fails: int = 0
    assigned_at: object = None
    assigned_by: Person = None
    started_at: object = None
    completed_at: object = None
    reset_at: object = None
    lessons: list = field(default_factory=list)  # (first_opened, completed_or_None, time_spent)
    rounds: list = field(default_factory=list)  # [[(started, submitted, passed)], ...]
    enrolment_id: int = None
    passes: list = field(default_factory=list)  # (attempt pk, score, submitted_at)

    @property
    def last_seen(self):
        times = [t for t in (self.completed_at, self.started_at) if t]
        times += [submitted for round_ in self.rounds for _s, submitted, _p in round_]
        return max(times) if times else None


class QuestionRef:
    """What draw_questions needs of a question, compared by identity (fast for 60,000 draws)."""

    __slots__ = ("pk", "lesson_id")

    def __init__(self, question):
        self.pk, self.lesson_id = question.pk, question.lesson_id


def apportion(total, weights):
    """Split ``total`` in proportion to ``weights`` (largest remainder), in whole numbers."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    shares = [int(q) for q in quotas]
    for i in sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def shift(rows, delta):
    """Move every moment in ``rows`` (tuples of datetimes, timedeltas, flags...) by ``delta``."""
    return [tuple(v + delta if isinstance(v, datetime) else v for v in row) for row in rows]


def batched(items, size=BATCH):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def generated_users():
    return get_user_model().objects.filter(email__iendswith=f"@{DOMAIN}")


def generated_providers():
    return Provider.objects.filter(billing_email__iendswith=f"@{DOMAIN}")


class Command(BaseCommand):
    help = (
        "Development only (DEMO_ACCOUNTS): bulk-create providers, staff, seats, lesson progress, quiz "
        "attempts and certificates on the demo course (run load_demo first) so benchmarks run at scale. "
        f"{LARGE_PROVIDER} takes --large-share of the learners; the other providers are childminders of "
        "one, nurseries of 10-60 and groups of hundreds. About 80% of the learners who sat the quiz have "
        "passed; the attempts beyond one pass per certificate are failed tries. People get @load.example "
        "addresses and the demo password. The same --seed gives the same data; --replace deletes the "
        "previous run's first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--providers", type=int, default=100, help="Providers (default 100).")
        parser.add_argument(
            "--learners", type=int, default=20_000, help="Staff with a seat (default 20,000)."
        )
        parser.add_argument(
            "--attempts", type=int, default=60_000, help="Submitted quiz attempts (default 60,000)."
        )
        parser.add_argument(
            "--certificates",
            type=int,
            default=15_000,
            help="Certificates, superseded and revoked ones included (default 15,000).",
        )
        parser.add_argument(
            "--large-share",
            type=float,
            default=0.1,
            help=f"Share of the learners working for {LARGE_PROVIDER} (default 0.1: 2,000 of 20,000).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--replace", action="store_true", help="Delete the data a previous run generated first."
        )

    def handle(self, *args, **options):
        if not settings.DEMO_ACCOUNTS:
            raise CommandError(
                "generate_load_data is for development only: it needs DEMO_ACCOUNTS = True "
                "(the dev and test settings)."
            )
        check_volume(options)
        self.verbosity = options["verbosity"]
        module = demo_module()
        started = time.monotonic()
        with transaction.atomic():
            if generated_users().exists() or generated_providers().exists():
                if not options["replace"]:
                    raise CommandError(
                        f"Load data is already there (people at @{DOMAIN}). "
                        "Run with --replace to delete it and generate it again."
                    )
                delete_generated()
                self.stdout.write(
                    f"Deleted the previous load data in {time.monotonic() - started:.1f} seconds."
                )
            rng = Random(options["seed"])  # noqa: S311 - reproducible test data, not secrets
            LoadData(module, rng, log=self.log_step, **options_for_plan(options)).generate()
        self.print_summary(time.monotonic() - started)

    def log_step(self, step, seconds):
        if self.verbosity >= 2:
            self.stdout.write(f"  {step}: {seconds:.1f} s")

    def print_summary(self, seconds):
        users = generated_users()
        certificates = Certificate.objects.filter(learner__in=users)
        today = timezone.localdate()
        valid = certificates.filter(status=Certificate.Status.VALID)
        counts = [
            ("Users", users.count()),
            ("Email addresses", EmailAddress.objects.filter(user__in=users).count()),
            ("Providers", generated_providers().count()),
            ("Memberships", Membership.objects.filter(provider__in=generated_providers()).count()),
            ("Seat orders (paid)", SeatOrder.objects.filter(provider__in=generated_providers()).count()),
            ("Seat assignments", SeatAssignment.objects.filter(user__in=users).count()),
            ("Enrolments", Enrolment.objects.filter(learner__in=users).count()),
            ("Lesson progress", LessonProgress.objects.filter(enrolment__learner__in=users).count()),
            ("Quiz attempts", Attempt.objects.filter(enrolment__learner__in=users).count()),
            ("Responses", Response.objects.filter(attempt__enrolment__learner__in=users).count()),
            ("Certificates", certificates.count()),
            ("  valid and in date", valid.filter(expires_on__gt=today + timedelta(days=30)).count()),
            (
                "  valid, expiring within 30 days",
                valid.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=30)).count(),
            ),
            ("  expired", valid.filter(expires_on__lt=today).count()),
            ("  superseded by a renewal", certificates.filter(status=Certificate.Status.SUPERSEDED).count()),
            ("  revoked", certificates.filter(status=Certificate.Status.REVOKED).count()),
        ]
        sat = Enrolment.objects.filter(learner__in=users, attempts__isnull=False).distinct()
        passed = sat.filter(completed_at__isnull=False).count()
        sat = sat.count()
        width = max(len(label) for label, _ in counts)
        self.stdout.write(self.style.SUCCESS("Load data generated:"))
        for label, count in counts:
            self.stdout.write(f"  {label:<{width}}  {count:>9,}")
        if sat:
            self.stdout.write(
                f"{passed:,} of the {sat:,} learners who sat the quiz have passed ({passed / sat:.0%})."
            )
        owner = Membership.objects.filter(provider__name=LARGE_PROVIDER, role=Membership.Role.OWNER).first()
        if owner:
            self.stdout.write(
                f"{LARGE_PROVIDER}: owner {owner.user.email}, password {DEMO_PASSWORD} "
                f"(every generated person has it)."
            )
        self.stdout.write(f"Took {seconds:.1f} seconds.")


def demo_module():
    course = CoursePage.objects.filter(slug=content.COURSE["slug"]).first()
    module = course and ModulePage.objects.child_of(course).filter(slug=content.MODULE["slug"]).first()
    if not module or not module.lessons or module.quiz is None or not module.quiz.question_pool().exists():
        raise CommandError("The demo course is missing: run manage.py load_demo first.")
    return module


def check_volume(options):
    providers, learners = options["providers"], options["learners"]
    attempts, certificates = options["attempts"], options["certificates"]
    if providers < 1 or learners < providers:
        raise CommandError("Ask for at least one provider and at least as many learners as providers.")
    if not 0 <= certificates <= 2 * learners:
        raise CommandError("Ask for between 0 certificates and two per learner (one renewal each).")
    if attempts < certificates:
        raise CommandError("Every certificate needs its passed attempt: ask for at least as many attempts.")
    if not 0 < options["large_share"] <= 1:
        raise CommandError("--large-share is a fraction: more than 0, at most 1.")


def options_for_plan(options):
    keys = ("providers", "learners", "attempts", "certificates", "large_share")
    return {key: options[key] for key in keys}


def delete_generated():
    """Remove what an earlier run made, children first so no PROTECT stands in the way.

    Responses, attempts and lesson progress (most of the rows, and nothing points to them once the
    certificates are gone) go in one DELETE each, without fetching them for per-row signals; the
    rest goes through the ORM so its cascades are followed. Generated rows were never in Wagtail's
    reference index (bulk_create sends no signals), so its clean-up is skipped."""
    users, providers = generated_users(), generated_providers()
    with disable_reference_index_auto_update():
        Certificate.objects.filter(learner__in=users).delete()
        for leaves in (
            Response.objects.filter(attempt__enrolment__learner__in=users),
            Attempt.objects.filter(enrolment__learner__in=users),
            LessonProgress.objects.filter(enrolment__learner__in=users),
        ):
            leaves._raw_delete(leaves.db)
        SeatAssignment.objects.filter(user__in=users).delete()
        SeatAssignment.objects.filter(provider__in=providers).delete()
        Enrolment.objects.filter(learner__in=users).delete()
        SeatOrder.objects.filter(provider__in=providers).delete()
        providers.delete()
        EmailAddress.objects.filter(user__in=users).delete()
        users.delete()


class LoadData:
    """Plans everything in Python from one Random, then writes it in batches."""

    def __init__(self, module, rng, *, providers, learners, attempts, certificates, large_share, log):
        self.module, self.quiz, self.rng, self.log = module, module.quiz, rng, log
        self.started = time.monotonic()
        self.lessons = module.lessons
        self.providers, self.learners = providers, learners
        self.attempts, self.certificates = attempts, certificates
        self.large_share = large_share
        self.now = timezone.now()
        self.people = 0

    # --- the plan -----------------------------------------------------------------------------

    def generate(self):
        plans = self.plan_providers()
        learners = [learner for plan in plans for learner in plan.learners]
        self.plan_states(learners)
        for learner in learners:
            self.plan_timeline(learner)
        for plan in plans:
            self.plan_orders(plan)
        self.log("Planned", time.monotonic() - self.started)
        for step, rows in [
            (self.write_people, plans),
            (self.write_providers, plans),
            (self.write_orders, plans),
            (self.write_enrolments, learners),
            (self.write_progress, learners),
            (self.write_attempts, learners),
            (self.write_certificates, learners),
            (self.backdate, plans),
        ]:
            started = time.monotonic()
            step(rows)
            self.log(step.__name__.replace("_", " ").capitalize(), time.monotonic() - started)

    def person(self):
        self.people += 1
        return Person(self.people, self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES))

    def rand_time(self, latest_days_ago, earliest_days_ago):
        """A moment between ``earliest_days_ago`` and ``latest_days_ago`` days before now."""
        return self.now - timedelta(days=self.rng.uniform(latest_days_ago, earliest_days_ago))

    def provider_sizes(self):
        """[(shape, size)]: the large network first, then a skewed mix that adds up to the learners."""
        rng, count = self.rng, self.providers - 1
        if count == 0:
            return [(LARGE, self.learners)]
        large = min(max(1, round(self.learners * self.large_share)), self.learners - count)
        rest = self.learners - large
        childminders = round(count * 0.45)
        groups = max(1 if count > childminders else 0, round(count * 0.2))
        shapes = [CHILDMINDER] * childminders + [GROUP] * groups
        shapes += [NURSERY if rng.random() < 0.7 else PRE_SCHOOL for _ in range(count - len(shapes))]
        rng.shuffle(shapes)
        staff = {CHILDMINDER: (1, 1), NURSERY: (10, 60), PRE_SCHOOL: (10, 40), GROUP: (0, 0)}
        fixed = [rng.randint(*staff[shape]) for shape in shapes]
        weights = [
            min(max(rng.lognormvariate(0, 0.45), 0.35), 2.6) if shape == GROUP else 0 for shape in shapes
        ]
        left_for_groups = rest - sum(fixed)
        for i, shape in enumerate(shapes):
            if shape == GROUP:
                share = left_for_groups * weights[i] / sum(weights)
                fixed[i] = share if share > 2 else 30 * weights[i]
        # Everyone has one; the rest goes in proportion to the targets (a childminder stays at one).
        extra = apportion(rest - count, [target - 1 for target in fixed])
        return [(LARGE, large)] + [(shape, 1 + e) for shape, e in zip(shapes, extra, strict=True)]

    def provider_name(self, shape, owner, used):
        if shape == LARGE:
            return LARGE_PROVIDER
        if shape == CHILDMINDER:
            name = f"{owner.name} Childminding"
        else:
            for _ in range(20):
                name = self.rng.choice(NAME_PATTERNS[shape]).format(place=self.rng.choice(PLACES))
                if name not in used:
                    break
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base} ({n})"
        used.add(name)
        return name

    def plan_providers(self):
        plans, used = [], set()
        for shape, size in self.provider_sizes():
            owner = self.person()
            plan = ProviderPlan(
                name=self.provider_name(shape, owner, used), kind=shape, size=size, owner=owner
            )
            if shape == CHILDMINDER:
                plan.learners = [LearnerPlan(owner, plan, NOT_STARTED)]
            else:
                managers = max(1, size // 100) if shape == LARGE else max(1, size // 150)
                if shape in (NURSERY, PRE_SCHOOL):
                    managers = int(size >= 25)
                plan.managers = [self.person() for _ in range(managers)]
                plan.learners = [LearnerPlan(self.person(), plan, NOT_STARTED) for _ in range(size)]
            plans.append(plan)
        return plans

    def plan_states(self, learners):
        """How many learners are in each state, so the asked-for counts come out exactly."""
        renewals = round(self.certificates * RENEWAL_SHARE)
        passed = self.certificates - renewals
        if passed > len(learners):
            passed, renewals = len(learners), self.certificates - len(learners)
        fails = self.attempts - self.certificates
        takers = max(round(passed / PASS_RATE), passed + (1 if fails and not passed else 0))
        takers = min(takers, len(learners), passed + fails)
        rest = len(learners) - takers
        not_started, lessons_done = round(rest * 0.4), round(rest * 0.1)
        states = (
            [RENEWED] * renewals
            + [PASSED] * (passed - renewals)
            + [FAILING] * (takers - passed)
            + [LESSONS_DONE] * lessons_done
            + [NOT_STARTED] * not_started
            + [IN_PROGRESS] * (rest - not_started - lessons_done)
        )
        self.rng.shuffle(states)
        for learner, state in zip(learners, states, strict=True):
            learner.state = state
        # One failed try for each learner still trying, the rest spread over everyone who sat it
        # (those still trying twice as likely to have failed again).
        sat = [learner for learner in learners if learner.state in (FAILING, PASSED, RENEWED)]
        for learner in sat:
            learner.fails = int(learner.state == FAILING)
        spare = fails - sum(learner.fails for learner in sat)
        if sat and spare > 0:
            weights = [2 if learner.state == FAILING else 1 for learner in sat]
            for index, n in Counter(self.rng.choices(range(len(sat)), weights=weights, k=spare)).items():
                sat[index].fails += n

    def study(self, start, done, opened_next):
        """Lesson rows from ``start``: ``done`` lessons completed in order, then maybe one opened.
        [(first opened, completed or None, time spent)]"""
        rows, t = [], start
        for i, lesson in enumerate(self.lessons[: done + int(opened_next)]):
            if i < done:
                minutes = min(lesson.estimated_minutes * self.rng.uniform(0.6, 1.4), 29)
                spent = timedelta(seconds=int(minutes * 60))
                rows.append((t, t + spent, spent))
                t += spent + timedelta(minutes=self.rng.uniform(2, 60 * 24 * 3))
            else:
                rows.append((t, None, timedelta(seconds=self.rng.randint(30, 600))))
        return rows

    def sittings(self, start, count, passes):
        """``count`` attempts from ``start``, a cooldown after each full set; the last one passes if
        ``passes``. [(started, submitted, passed)]"""
        limit, cooldown = self.quiz.attempt_limit, timedelta(hours=self.quiz.cooldown_hours)
        result, t = [], start
        for i in range(count):
            if i and i % limit == 0:
                t += cooldown + timedelta(hours=self.rng.uniform(1, 24 * 14))
            elif i:
                t += timedelta(minutes=self.rng.uniform(30, 120))
            result.append((t - timedelta(minutes=self.rng.uniform(4, 25)), t, passes and i == count - 1))
        return result

    def plan_timeline(self, learner):
        """Dates for one learner, worked back from the moment that matters (a pass, a last try, the
        last lesson opened): everything is made from now, then moved back in one step."""
        rng, state, now = self.rng, learner.state, self.now
        if state == NOT_STARTED:
            learner.assigned_at = self.rand_time(1 / 24, 200)
        elif state in (IN_PROGRESS, LESSONS_DONE):
            done = len(self.lessons) if state == LESSONS_DONE else rng.randint(0, len(self.lessons) - 1)
            rows = self.study(now, done, state == IN_PROGRESS)
            last = rows[-1][1] or rows[-1][0]
            learner.lessons = shift(rows, self.rand_time(1 / 48, 150) - last)
        else:
            renewed = state == RENEWED
            again = min(learner.fails, int(rng.random() < 0.3)) if renewed else 0  # failed after renewing
            tries = self.sittings(now, learner.fails - again + (state != FAILING), state != FAILING)
            rows = self.study(now, len(self.lessons), False)
            if state == FAILING:
                end = self.rand_time(1 / 48, 240)
            elif renewed:  # the first pass long enough ago for its renewal window to be open
                end = self.rand_time(730 - 45, HISTORY_DAYS)
            else:
                end = self.rand_time(1 / 24, HISTORY_DAYS)
            learner.rounds = [shift(tries, end - tries[-1][1])]
            gap = timedelta(minutes=rng.uniform(10, 60 * 24 * 3))
            learner.lessons = shift(rows, learner.rounds[0][0][0] - gap - rows[-1][1])
            if state != FAILING:
                learner.completed_at = end
            if renewed:
                day = timezone.localdate(end)
                expires = add_months(day, self.module.certificate_valid_months)
                opens = end + (expires - day) - RENEWAL_WINDOW
                latest = min(now - timedelta(days=3), opens + timedelta(days=180))
                learner.reset_at = opens + (latest - opens) * rng.random()
                begin = learner.reset_at + timedelta(minutes=rng.uniform(10, 60 * 24))
                learner.rounds.append(self.sittings(begin, again + 1, True))
                learner.completed_at = learner.rounds[-1][-1][1]
        if learner.lessons:
            learner.started_at = learner.lessons[0][0]
            learner.assigned_at = learner.started_at - timedelta(hours=rng.uniform(1, 24 * 21))

    def plan_orders(self, plan):
        """Paid orders that cover the seats, each bought before the first seat it covers was given."""
        rng = self.rng
        for learner in plan.learners:
            learner.assigned_by = plan.owner if plan.kind == CHILDMINDER else rng.choice(plan.actors)
        seats = sorted(learner.assigned_at for learner in plan.learners)
        if plan.kind == CHILDMINDER:
            chunks = [1]
        elif plan.kind in (NURSERY, PRE_SCHOOL):
            chunks = [len(seats)] if rng.random() < 0.6 or len(seats) < 4 else [len(seats) * 2 // 3]
            chunks += [len(seats) - sum(chunks)] if sum(chunks) < len(seats) else []
        else:
            chunks = []
            while sum(chunks) < len(seats):
                chunks.append(min(rng.randint(100, 600), len(seats) - sum(chunks)))
        spare = 0 if plan.kind == CHILDMINDER else rng.randint(0, 3) + len(seats) // 50
        card = plan.kind == CHILDMINDER or (plan.kind != LARGE and rng.random() < 0.3)
        first = 0
        for i, chunk in enumerate(chunks):
            covered_from = seats[first]
            first += chunk
            quantity = (
                chunk + spare if i == len(chunks) - 1 and chunk + spare <= MAX_SEATS_PER_ORDER else chunk
            )
            if card:
                created = covered_from - timedelta(minutes=rng.uniform(5, 60 * 24 * 3))
                paid = created + timedelta(minutes=rng.uniform(1, 4))
            else:
                created = covered_from - timedelta(days=rng.uniform(1, 20))
                paid = created + (covered_from - created) * rng.uniform(0.1, 0.9)
            plan.orders.append(
                {
                    "quantity": quantity,
                    "card": card,
                    "created": created,
                    "paid": paid,
                    "placed_by": rng.choice(plan.actors),
                    "stripe": rng.getrandbits(96) if card else None,
                    "purchase_order": "" if card else f"PO-{rng.randint(1000, 99999)}",
                }
            )

    # --- writing ------------------------------------------------------------------------------

    def write_people(self, plans):
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing 20,000 times would take minutes
        users = []

        def make_user(person, **dates):
            person.user = User(
                email=person.email,
                password=password,
                first_name=person.first,
                last_name=person.last,
                certificate_name=person.name,
                **dates,
            )
            users.append(person.user)

        for plan in plans:
            start = min(order["created"] for order in plan.orders)
            for person in plan.actors:
                if person.user is None:
                    make_user(person, date_joined=start - timedelta(days=1))
            for learner in plan.learners:
                if learner.person.user is None:
                    make_user(
                        learner.person,
                        date_joined=learner.assigned_at - timedelta(minutes=self.rng.uniform(5, 600)),
                        last_login=learner.last_seen,
                    )
        User.objects.bulk_create(users, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            (EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users),
            batch_size=BATCH,
        )

    def write_providers(self, plans):
        rng = self.rng
        providers = []
        for plan in plans:
            owner = plan.owner
            urn = (
                f"{rng.randint(100000, 999999)}"
                if plan.model_kind == "school"
                else f"EY{rng.randint(100000, 999999)}"
            )
            plan.provider = Provider(
                name=plan.name,
                kind=plan.model_kind,
                ofsted_urn=urn,
                billing_name=owner.name,
                billing_email=owner.email,
                billing_address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}\n{rng.choice(PLACES)}",
                dsl_name=(plan.managers[0] if plan.managers else owner).name,
                dsl_contact="In the office, or by phone",
            )
            providers.append(plan.provider)
        Provider.objects.bulk_create(providers, batch_size=BATCH)
        memberships = []
        for plan in plans:
            memberships.append(
                Membership(
                    provider=plan.provider,
                    user=plan.owner.user,
                    role=Membership.Role.OWNER,
                    job_title=OWNER_TITLES.get(plan.kind, "Director"),
                )
            )
            memberships += [
                Membership(
                    provider=plan.provider,
                    user=manager.user,
                    role=Membership.Role.MANAGER,
                    job_title=rng.choice(MANAGER_TITLES),
                )
                for manager in plan.managers
            ]
            if plan.kind != CHILDMINDER:
                memberships += [
                    Membership(
                        provider=plan.provider,
                        user=learner.person.user,
                        role=Membership.Role.LEARNER,
                        job_title=rng.choice(STAFF_TITLES),
                    )
                    for learner in plan.learners
                ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)

    def write_orders(self, plans):
        """Paid orders, numbered from the shared invoice sequence in the order they were numbered."""
        orders = []
        for plan in plans:
            for spec in plan.orders:
                price = provider_services.quote(spec["quantity"])
                order = SeatOrder(
                    provider=plan.provider,
                    module=self.module,
                    placed_by=spec["placed_by"].user,
                    quantity=price.quantity,
                    unit_price_pence=price.unit_price_pence,
                    vat_rate=price.vat_rate,
                    net_pence=price.net_pence,
                    vat_pence=price.vat_pence,
                    total_pence=price.total_pence,
                    method=SeatOrder.Method.CARD if spec["card"] else SeatOrder.Method.INVOICE,
                    status=SeatOrder.Status.PAID,
                    purchase_order=spec["purchase_order"],
                    created_at=spec["created"],
                    paid_at=spec["paid"],
                )
                if spec["card"]:
                    order.stripe_checkout_session_id = f"cs_test_load_{spec['stripe']:024x}"
                    order.stripe_payment_intent_id = f"pi_test_load_{spec['stripe']:024x}"
                orders.append(order)
        numbered_on = {
            id(o): o.paid_at if o.method == SeatOrder.Method.CARD else o.created_at for o in orders
        }
        orders.sort(key=lambda o: numbered_on[id(o)])
        DocumentSequence.objects.get_or_create(name="invoice")
        DocumentSequence.objects.filter(name="invoice").update(last_number=F("last_number") + len(orders))
        first = DocumentSequence.objects.get(name="invoice").last_number - len(orders) + 1
        billing = BillingSettings.load()
        for number, order in enumerate(orders, start=first):
            order.invoice_number = f"{billing.invoice_prefix}-{number:06d}"
            order.invoice_snapshot = provider_services.invoice_snapshot(
                order, billing, timezone.localdate(numbered_on[id(order)])
            )
        SeatOrder.objects.bulk_create(orders, batch_size=BATCH)

    def write_enrolments(self, learners):
        """What assign_seat makes: the enrolment courses.services.enrol creates, then the seat."""
        for batch in batched(learners):
            enrolments = Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        learner=learner.person.user,
                        module=self.module,
                        source=Enrolment.Source.SEAT,
                        granted_by=learner.assigned_by.user,
                        started_at=learner.started_at,
                        completed_at=learner.completed_at,
                        quiz_attempts_reset_at=learner.reset_at,
                    )
                    for learner in batch
                ]
            )
            for learner, enrolment in zip(batch, enrolments, strict=True):
                learner.enrolment_id = enrolment.pk
            SeatAssignment.objects.bulk_create(
                [
                    SeatAssignment(
                        provider=learner.plan.provider,
                        module=self.module,
                        user=learner.person.user,
                        enrolment_id=learner.enrolment_id,
                        assigned_by=learner.assigned_by.user,
                        assigned_at=learner.assigned_at,
                    )
                    for learner in batch
                ]
            )

    def write_progress(self, learners):
        def rows():
            for learner in learners:
                for lesson, (opened, completed, spent) in zip(self.lessons, learner.lessons, strict=False):
                    yield LessonProgress(
                        enrolment_id=learner.enrolment_id,
                        lesson=lesson,
                        first_opened_at=opened,
                        last_opened_at=completed or opened + spent,
                        content_note_seen_at=opened if lesson.sensitive else None,
                        completed_at=completed,
                        time_spent=spent,
                    )

        for batch in batched(rows()):
            LessonProgress.objects.bulk_create(batch)

    def write_attempts(self, learners):
        """Papers drawn and frozen as start_attempt does, answers graded by quizzes.grading."""
        sitter = QuizSitter(self.quiz, self.rng)

        def attempts():
            for learner in learners:
                number = 0
                for round_ in learner.rounds:
                    for started, submitted, passed in round_:
                        number += 1
                        paper, answers, marks = sitter.sit(passed)
                        attempt = Attempt(
                            enrolment_id=learner.enrolment_id,
                            quiz=self.quiz,
                            number=number,
                            status=Attempt.Status.SUBMITTED,
                            # An expression, so Django inserts the rows as VALUES: on PostgreSQL
                            # it would otherwise send them as arrays (UNNEST), and psycopg escapes
                            # every quote of 60,000 papers of ~10 kB in Python, which takes minutes.
                            paper=Value(paper, output_field=JSONField()),
                            answers=answers,
                            score=score_percent(marks),
                            passed=passed,
                            started_at=started,
                            submitted_at=submitted,
                        )
                        yield learner, attempt, marks

        for batch in batched(attempts()):
            Attempt.objects.bulk_create([attempt for _, attempt, _ in batch])
            responses = [
                Response(
                    attempt_id=attempt.pk,
                    question_id=mark.entry["question"],
                    chosen=mark.chosen_refs,
                    is_correct=mark.is_correct,
                )
                for _, attempt, marks in batch
                for mark in marks
            ]
            Response.objects.bulk_create(responses, batch_size=BATCH)
            for learner, attempt, _ in batch:
                if attempt.passed:
                    learner.passes.append((attempt.pk, attempt.score, attempt.submitted_at))

    def write_certificates(self, learners):
        """One certificate per pass, with the snapshot certificate_snapshot() freezes; a renewal
        supersedes the first; a few current ones revoked."""
        rng, module = self.rng, self.module
        signatory = CertificateSettings.load()
        course = module.course
        codes = set(Certificate.objects.values_list("code", flat=True))
        holders = [learner for learner in learners if learner.passes]
        how_many = min(len(holders), max(1, round(self.certificates * REVOKED_SHARE)))
        revoked = set(rng.sample(range(len(holders)), k=how_many))
        certificates = []
        for index, learner in enumerate(holders):
            user = learner.person.user
            minutes = int(
                sum((spent for _o, _c, spent in learner.lessons), timedelta()).total_seconds() // 60
            )
            newer = None
            for attempt_pk, score, issued_at in reversed(learner.passes):
                expires_on = add_months(timezone.localdate(issued_at), module.certificate_valid_months)
                certificate = Certificate(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    code=self.new_code(codes),
                    learner=user,
                    module=module,
                    enrolment_id=learner.enrolment_id,
                    attempt_id=attempt_pk,
                    status=Certificate.Status.VALID if newer is None else Certificate.Status.SUPERSEDED,
                    superseded_by=newer,
                    issued_at=issued_at,
                    expires_on=expires_on,
                    snapshot={
                        "name": user.certificate_name,
                        "module": module.title,
                        "course": course.title if course else "",
                        "revision": module.live_revision_id,
                        "score": score,
                        "cpd_hours": str(module.cpd_hours),
                        "learning_minutes": minutes,
                        "issued_on": timezone.localtime(issued_at).date().isoformat(),
                        "expires_on": expires_on.isoformat(),
                        "provider": learner.plan.name,
                        "issuer": signatory.issuer,
                        "signatory_name": signatory.signatory_name,
                        "signatory_role": signatory.signatory_role,
                    },
                )
                if newer is None and index in revoked:
                    certificate.status = Certificate.Status.REVOKED
                    certificate.revoked_at = min(issued_at + timedelta(days=rng.uniform(1, 90)), self.now)
                    certificate.revoked_reason = rng.choice(REVOKE_REASONS)
                certificates.append(certificate)
                newer = certificate
        Certificate.objects.bulk_create(certificates, batch_size=BATCH)

    def new_code(self, codes):
        """A code shaped as certificates.models.new_public_code makes it, from the seeded Random."""
        while True:
            raw = "".join(self.rng.choices(CODE_ALPHABET, k=12))
            code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
            if code not in codes:
                codes.add(code)
                return code

    def backdate(self, plans):
        """created_at fields are auto_now_add (bulk_create sets them to now): one UPDATE each."""
        providers = generated_providers()
        first_order = (
            SeatOrder.objects.filter(provider=OuterRef("pk"))
            .order_by()
            .values("provider")
            .annotate(t=Min("created_at"))
        )
        providers.update(created_at=Subquery(first_order.values("t")))
        seat = SeatAssignment.objects.filter(enrolment=OuterRef("pk")).values("assigned_at")[:1]
        Enrolment.objects.filter(learner__in=generated_users()).update(created_at=Subquery(seat))
        member_seat = SeatAssignment.objects.filter(provider=OuterRef("provider"), user=OuterRef("user"))
        provider_start = Provider.objects.filter(pk=OuterRef("provider")).values("created_at")[:1]
        Membership.objects.filter(provider__in=providers).update(
            created_at=Coalesce(Subquery(member_seat.values("assigned_at")[:1]), Subquery(provider_start))
        )


class QuizSitter:
    """Learners sitting the quiz: a paper drawn as start_attempt draws it, answers that pass or fail
    as planned, with some questions easier than others and some wrong answers more tempting."""

    def __init__(self, quiz, rng):
        self.quiz, self.rng = quiz, rng
        pool = list(quiz.question_pool())
        self.refs = [QuestionRef(question) for question in pool]
        # The frozen entry of each question once (statistic options computed once); each attempt
        # then shuffles the options and gives them fresh keys, as paper_entry does.
        self.entries = {question.pk: paper_entry(question, rng) for question in pool}
        self.ease = {question.pk: rng.uniform(0.35, 0.97) for question in pool}
        self.pull = {
            pk: {option["ref"]: rng.uniform(0.1, 1) ** 2 for option in entry["options"]}
            for pk, entry in self.entries.items()
        }
        self.kinds = {question.pk: question.kind for question in pool}

    @functools.cache  # noqa: B019 - one sitter per run
    def need(self, count):
        """The fewest right answers out of ``count`` that pass, as grading scores them."""
        marks = [Mark(0, {}, [], True)] * count
        return next(
            k
            for k in range(count + 1)
            if score_percent(marks[:k] + [Mark(0, {}, [], False)] * (count - k)) >= self.quiz.pass_mark
        )

    def keys(self, count):
        """``count`` different option keys shaped like secrets.token_urlsafe(6)."""
        while True:
            raw = base64.urlsafe_b64encode(self.rng.randbytes(6 * count)).decode()
            keys = [raw[i : i + 8] for i in range(0, 8 * count, 8)]
            if len(set(keys)) == count:
                return keys

    def entry(self, ref):
        entry = self.entries[ref.pk]
        options = entry["options"]
        if self.kinds[ref.pk] != Question.Kind.TRUE_FALSE:
            options = self.rng.sample(options, len(options))
        keys = self.keys(len(options))
        return {
            **entry,
            "options": [{**option, "key": key} for option, key in zip(options, keys, strict=True)],
        }

    def sit(self, passed):
        rng = self.rng
        paper = [self.entry(ref) for ref in draw_questions(self.refs, self.quiz.questions_per_attempt, rng)]
        need = self.need(len(paper))
        if passed:
            right = rng.randint(need, len(paper))
        else:
            right = need - 1 - min(int(rng.expovariate(0.7)), need - 1)
        # Weighted sampling without replacement: easier questions are more often the right ones.
        order = sorted(
            range(len(paper)),
            key=lambda i: rng.random() ** (1 / self.ease[paper[i]["question"]]),
            reverse=True,
        )
        right_positions = set(order[:right])
        answers = {str(i): self.answer(entry, i in right_positions) for i, entry in enumerate(paper)}
        return paper, answers, mark_paper(paper, answers)

    def answer(self, entry, right):
        options = entry["options"]
        correct = [o for o in options if o["correct"]]
        wrong = [o for o in options if not o["correct"]]
        pull = self.pull[entry["question"]]
        if right or (not wrong and len(correct) < 2):  # nothing wrong to choose: left blank
            chosen = correct if right else []
        elif (
            entry["kind"] == Question.Kind.MULTIPLE
            and len(correct) > 1
            and (not wrong or self.rng.random() < 0.6)
        ):
            missed = self.rng.choice(correct)
            chosen = [o for o in correct if o is not missed]
        elif entry["kind"] == Question.Kind.MULTIPLE and wrong:
            chosen = correct + self.rng.choices(wrong, weights=[pull[o["ref"]] for o in wrong])
        else:
            chosen = self.rng.choices(wrong, weights=[pull[o["ref"]] for o in wrong])
        chosen_ids = {id(o) for o in chosen}
        return [o["key"] for o in options if id(o) in chosen_ids]

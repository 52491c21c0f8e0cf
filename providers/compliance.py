"""Who in a provider is trained, due, lapsed or yet to start: the queries behind the training record.

Read-only. Every function runs a fixed number of queries however many staff a provider has (one per
table, aggregated in the database); the rows are then filtered, sorted and counted in Python."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from courses.models import Enrolment, LessonPage, ModulePage, live_children_by_parent
from quizzes.models import Attempt
from users.models import display_name

from .models import Invitation, Membership, SeatAssignment, SeatOrder

DUE_WITHIN = timedelta(days=30)

TRAINED = "trained"
DUE = "due"
EXPIRED = "expired"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
INVITED = "invited"

# The order of the summary and of the status filter.
STATUS_LABELS = {
    TRAINED: "Trained and in date",
    DUE: "Due within 30 days",
    EXPIRED: "Expired",
    IN_PROGRESS: "In progress",
    NOT_STARTED: "Not started",
    INVITED: "Invited",
}
# Sorting by status puts what needs a manager's attention first.
STATUS_URGENCY = [EXPIRED, DUE, NOT_STARTED, INVITED, IN_PROGRESS, TRAINED]

SORT_KEYS = {"name": "Name", "status": "Status (most urgent first)", "expiry": "Expiry date"}


@dataclass
class StaffRow:
    """One person (a member or an open invitation) against one of the provider's modules."""

    name: str
    email: str
    role: str
    status: str
    module: ModulePage | None = None
    user_id: int | None = None
    invitation_id: int | None = None
    lessons_done: int = 0
    lessons_total: int = 0
    learning_time: timedelta = field(default_factory=timedelta)
    best_score: int | None = None
    quiz_passed: bool | None = None
    certificate: Certificate | None = None
    issued_on: object = None  # date
    expires_on: object = None  # the effective expiry date

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def progress_text(self):
        if self.status == INVITED:
            return "Not yet joined"
        return f"{self.lessons_done} of {self.lessons_total} lesson{'' if self.lessons_total == 1 else 's'}"

    @property
    def quiz_text(self):
        if self.best_score is None:
            return "Not taken"
        return f"{self.best_score}% ({'passed' if self.quiz_passed else 'not passed'})"

    @property
    def learning_time_text(self):
        return duration_text(self.learning_time)

    @property
    def verification_url(self):
        if self.certificate is None:
            return ""
        return settings.SITE_URL.rstrip("/") + reverse(
            "certificates:verify_code", args=[self.certificate.code]
        )


def duration_text(duration):
    """A learning time in hours and minutes, for example "1 hour 5 minutes"."""
    minutes = int(duration.total_seconds() // 60) if duration else 0
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'' if hours == 1 else 's'}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'' if minutes == 1 else 's'}")
    return " ".join(parts)


def certificate_status(expires_on, today):
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + DUE_WITHIN:
        return DUE
    return TRAINED


def provider_modules(provider, now=None):
    """The modules the provider has seats for (ordered, assigned or held by an invitation): one query."""
    return list(
        ModulePage.objects.filter(
            Q(
                pk__in=SeatOrder.objects.filter(provider=provider)
                .exclude(status=SeatOrder.Status.CANCELLED)
                .values("module_id")
            )
            | Q(pk__in=SeatAssignment.objects.filter(provider=provider).values("module_id"))
            | Q(pk__in=Invitation.objects.open(now).filter(provider=provider).values("module_id"))
        ).order_by("path")
    )


def _member_ids(provider):
    return Membership.objects.filter(provider=provider).values("user_id")


def staff_rows(provider, today=None, modules=None):
    """Every member and open invitation of ``provider`` against each of its modules, with status."""
    now = timezone.now()
    today = today or timezone.localdate()
    modules = provider_modules(provider, now) if modules is None else modules
    # Plain values, not model instances: with thousands of staff, building User objects dominates.
    memberships = list(
        Membership.objects.filter(provider=provider)
        .order_by("user__email")
        .values(
            "user_id", "role", "user__email", "user__certificate_name", "user__first_name", "user__last_name"
        )
    )
    invitations = list(Invitation.objects.open(now).filter(provider=provider).order_by("email"))
    if not modules:
        return [_member_row(m, None, NOT_STARTED) for m in memberships]

    module_ids = [module.pk for module in modules]
    lessons = live_children_by_parent(LessonPage, modules)
    lesson_ids = [lesson.pk for pages in lessons.values() for lesson in pages]

    enrolments = {
        (row["learner_id"], row["module_id"]): row
        for row in Enrolment.objects.filter(module_id__in=module_ids, learner_id__in=_member_ids(provider))
        .values("id", "learner_id", "module_id", "started_at")
        .annotate(
            done=Count(
                "progress",
                filter=Q(progress__completed_at__isnull=False, progress__lesson_id__in=lesson_ids),
            ),
            time=Sum("progress__time_spent"),
        )
        .order_by()
    }
    quiz_results = {
        row["enrolment_id"]: row
        for row in Attempt.objects.filter(
            status=Attempt.Status.SUBMITTED,
            enrolment__module_id__in=module_ids,
            enrolment__learner_id__in=_member_ids(provider),
        )
        .values("enrolment_id")
        .annotate(best=Max("score"), passes=Count("pk", filter=Q(passed=True)))
        .order_by()
    }
    current, lapsed = {}, set()
    for certificate in (
        Certificate.objects.filter(module_id__in=module_ids, learner_id__in=_member_ids(provider))
        .exclude(status=Certificate.Status.REVOKED)
        .only("id", "code", "learner_id", "module_id", "status", "issued_at", "expires_on")
    ):
        key = (certificate.learner_id, certificate.module_id)
        if certificate.status == Certificate.Status.VALID:
            current[key] = certificate
        else:
            lapsed.add(key)

    member_emails = {m["user__email"].lower(): m for m in memberships}
    invited_members = set()
    rows = []
    for invitation in invitations:
        member = member_emails.get(invitation.email.lower())
        if member is not None:
            invited_members.add((member["user_id"], invitation.module_id))
            continue
        rows.append(
            StaffRow(
                name=invitation.name or invitation.email,
                email=invitation.email,
                role=Membership.Role.LEARNER.label,
                status=INVITED,
                module=next(module for module in modules if module.pk == invitation.module_id),
                invitation_id=invitation.pk,
                lessons_total=len(lessons.get(invitation.module_id, [])),
            )
        )

    for membership in memberships:
        for module in modules:
            key = (membership["user_id"], module.pk)
            enrolment = enrolments.get(key)
            certificate = current.get(key)
            row = _member_row(membership, module, NOT_STARTED)
            row.lessons_total = len(lessons.get(module.pk, []))
            if enrolment is not None:
                row.lessons_done = enrolment["done"]
                row.learning_time = enrolment["time"] or timedelta()
                result = quiz_results.get(enrolment["id"])
                if result is not None:
                    row.best_score = result["best"]
                    row.quiz_passed = result["passes"] > 0
            if certificate is not None:
                row.certificate = certificate
                row.issued_on = timezone.localdate(certificate.issued_at)
                row.expires_on = certificate.renew_by_for(provider.renewal_months)
                row.status = certificate_status(row.expires_on, today)
            elif key in lapsed:
                row.status = EXPIRED
            elif enrolment is not None and enrolment["started_at"] is not None:
                row.status = IN_PROGRESS
            elif enrolment is None and key in invited_members:
                row.status = INVITED
            rows.append(row)
    return sort_rows(rows, "name")


ROLE_LABELS = dict(Membership.Role.choices)


def _member_row(membership, module, status):
    """A row for one membership, given as a dict of values (see staff_rows)."""
    return StaffRow(
        name=display_name(
            membership["user__certificate_name"],
            membership["user__first_name"],
            membership["user__last_name"],
            membership["user__email"],
        ),
        email=membership["user__email"],
        role=ROLE_LABELS[membership["role"]],
        status=status,
        module=module,
        user_id=membership["user_id"],
    )


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Summary:
    counts: dict  # status -> number, in STATUS_LABELS order
    total: int

    @property
    def segments(self):
        """The summary as parts of a whole, for the stacked bar (its text equivalent is the list)."""
        return [
            Segment(
                status, STATUS_LABELS[status], count, round(100 * count / self.total, 2) if self.total else 0
            )
            for status, count in self.counts.items()
        ]


def summary(rows):
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for row in rows:
        counts[row.status] += 1
    return Summary(counts=counts, total=len(rows))


def filter_rows(rows, *, status="", q=""):
    """Rows with ``status`` (a key of STATUS_LABELS; anything else is ignored) whose name or email
    contains ``q`` (any case)."""
    if status in STATUS_LABELS:
        rows = [row for row in rows if row.status == status]
    needle = (q or "").strip().casefold()
    if needle:
        rows = [row for row in rows if needle in row.name.casefold() or needle in row.email.casefold()]
    return rows


def sort_rows(rows, key="name", descending=False):
    """Rows by name, status (most urgent first) or effective expiry; people without an expiry date
    come last either way. Ties go by name, then email."""

    def by_name(row):
        return (row.name.casefold(), row.email.casefold())

    rows = sorted(rows, key=by_name)
    if key == "status":
        return sorted(rows, key=lambda row: STATUS_URGENCY.index(row.status), reverse=descending)
    if key == "expiry":
        dated = sorted(
            (row for row in rows if row.expires_on), key=lambda row: row.expires_on, reverse=descending
        )
        return dated + [row for row in rows if not row.expires_on]
    return list(reversed(rows)) if descending else rows


def current_certificates(provider):
    """The valid certificates of the provider's members for its modules (what the ZIP holds)."""
    return (
        Certificate.objects.filter(
            status=Certificate.Status.VALID,
            module_id__in=[module.pk for module in provider_modules(provider)],
            learner_id__in=_member_ids(provider),
        )
        .select_related("learner")
        .order_by("learner__email", "issued_at")
    )

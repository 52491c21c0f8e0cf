from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock
from cms.page_cache import cached_content, fragment_context


def live_children_by_parent(model, parents):
    """Live, public children of type ``model`` of several pages in one query: {parent id: [pages]}."""
    parents = {parent.path: parent.pk for parent in parents}
    if not parents:
        return {}
    query = models.Q()
    for parent_path in parents:
        query |= models.Q(path__startswith=parent_path, depth=len(parent_path) // model.steplen + 1)
    grouped = {}
    for page in model.objects.live().public().filter(query).order_by("path"):
        grouped.setdefault(parents[page.path[: -model.steplen]], []).append(page)
    return grouped


def ancestors_below_home(page):
    """The pages between the home page and ``page`` (course, module), top down, for breadcrumbs.

    cms.HomePage.route leaves the pages it passed on the page it found; without them (a page
    loaded some other way), one query."""
    passed = getattr(page, "route_ancestors", None)
    if passed and passed[0].depth <= 3:
        return [ancestor for ancestor in passed if ancestor.depth > 2]
    return list(Page.objects.ancestor_of(page).filter(depth__gt=2).order_by("depth"))


class ViewRestrictionsOnceMixin:
    """Module and lesson pages answer Wagtail's check of the page itself and leave private pages
    out of their lists from one list of every page view restriction, kept in the content cache
    (cms.page_cache): no query once cached, where Wagtail's ``get_view_restrictions`` makes two and
    each ``.public()`` one."""

    @cached_property
    def all_view_restrictions(self):
        return cached_content(
            "view-restrictions", compute=lambda: list(PageViewRestriction.objects.select_related("page"))
        )

    def get_view_restrictions(self):
        """Wagtail's answer (restrictions on this page and its ancestors), from the list above when
        the route left the pages above this one and none of them is an alias."""
        passed = getattr(self, "route_ancestors", None)
        if not passed or passed[0].depth > 2 or any(page.alias_of_id for page in [*passed, self]):
            return super().get_view_restrictions()
        return [r for r in self.all_view_restrictions if self.path.startswith(r.page.path)]

    def exclude_private(self, pages):
        """``pages.public()`` without its query: drop pages in a private section."""
        private = models.Q()
        for restriction in self.all_view_restrictions:
            private |= models.Q(path__startswith=restriction.page.path, depth__gte=restriction.page.depth)
        return pages.exclude(private) if private else pages


class CoursePage(Page):
    """A course, for example Safeguarding children. Its children are modules."""

    summary = models.CharField(max_length=255, blank=True, help_text="One sentence for listings.")
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.ModulePage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = ModulePage.objects.child_of(self).live().public().order_by("path")
        return context


class ModulePage(ViewRestrictionsOnceMixin, Page):
    """A module, for example Online safety: a sequence of lessons (and later its quiz)."""

    summary = models.CharField(max_length=255, blank=True, help_text="One sentence for listings.")
    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    outcomes = StreamField(
        [("outcome", wagtail_blocks.CharBlock(max_length=255, label="Learning outcome"))],
        blank=True,
        use_json_field=True,
        help_text="What a learner will be able to do, each starting with a verb.",
    )
    duration_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(6000)],
        help_text="About how long the module takes, in minutes.",
    )

    class LessonOrder(models.TextChoices):
        IN_ORDER = "in_order", "In order: each lesson opens when the one before is done"
        FREE = "free", "Any order"

    lesson_order = models.CharField(max_length=10, choices=LessonOrder.choices, default=LessonOrder.IN_ORDER)
    certificate_valid_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a certificate for this module stays valid (24 months is the early-years "
        "renewal interval).",
    )
    cpd_hours = models.DecimalField(
        "CPD hours",
        max_digits=4,
        decimal_places=1,
        default=1,
        validators=[MinValueValidator(0)],
        help_text="One CPD hour is one hour of active learning.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("outcomes"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("cpd_hours")])],
            heading="Length and CPD",
        ),
        FieldPanel("lesson_order"),
        FieldPanel("certificate_valid_months"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage", "quizzes.QuizPage"]

    # The quiz and the lessons are the same for every learner: kept in the cache until the content
    # changes (cms.page_cache). Lists of live pages, so a preview shows the same ones.

    @cached_property
    def quiz(self):
        from quizzes.models import QuizPage

        return cached_content(
            "module-quiz",
            self.pk,
            compute=lambda: self.exclude_private(QuizPage.objects.child_of(self).live()).first(),
        )

    @cached_property
    def lessons(self):
        """The live, public lessons in order, without their bodies (lists never show them)."""
        return cached_content("module-lessons", self.pk, compute=self.find_lessons)

    def find_lessons(self):
        lessons = LessonPage.objects.child_of(self).live().defer("body").order_by("path")
        return list(self.exclude_private(lessons))

    @cached_property
    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    @cached_property
    def ancestors(self):
        """The course above this module, as a generic page (title and URL), for breadcrumbs."""
        return ancestors_below_home(self)

    def get_context(self, request, *args, **kwargs):
        from . import services
        from .access import enrolment_and_progress_rows, is_trainer

        context = super().get_context(request, *args, **kwargs)
        enrolment, rows = enrolment_and_progress_rows(request.user, self)
        progress = services.progress_for(enrolment, self.lessons, rows) if enrolment else None
        context.update(
            lessons=self.lessons,
            course=self.ancestors[0] if self.ancestors else None,
            enrolment=enrolment,
            progress=progress,
            can_open_lessons=bool(
                enrolment or is_trainer(request.user) or getattr(request, "is_preview", False)
            ),
        )
        return context


class LessonPage(ViewRestrictionsOnceMixin, RoutablePageMixin, Page):
    """One short lesson. The body is built from the blocks in cms.blocks.

    Enrolled learners and trainers see the body; courses.views decides, and records progress."""

    summary = models.CharField(max_length=255, blank=True, help_text="One sentence for listings.")
    estimated_minutes = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    sensitive = models.BooleanField(
        default=False,
        help_text="Show a content note before the lesson (for the statistics and grooming "
        "lessons, for example).",
    )
    content_note = models.TextField(
        blank=True,
        help_text="Shown before a sensitive lesson: what it covers, calmly, and that the learner "
        "can take a break.",
    )
    body = StreamField(BodyBlock(), use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("sensitive")]),
        FieldPanel("content_note"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    DEFAULT_CONTENT_NOTE = (
        "This lesson talks about the sexual abuse of children online, including figures on "
        "crimes involving images. It contains no images and no descriptions of abuse. You can "
        "stop at any time and come back later."
    )

    @property
    def content_note_text(self):
        return self.content_note or self.DEFAULT_CONTENT_NOTE

    @cached_property
    def module(self):
        return cached_content(
            "lesson-module", self.pk, compute=lambda: ModulePage.objects.ancestor_of(self).first()
        )

    @cached_property
    def ancestors(self):
        """The pages between the site root and this lesson (course, module), for breadcrumbs."""
        return ancestors_below_home(self)

    @cached_property
    def course(self):
        """The course, as a generic page (title and URL): from the breadcrumb query."""
        return self.ancestors[0] if self.ancestors else None

    @cached_property
    def module_lessons(self):
        """The live lessons of this lesson's module, in order (this one included)."""
        return self.module.lessons if self.module else []

    @path("")
    def lesson(self, request):
        from .views import serve_lesson

        return serve_lesson(request, self)

    @path("complete/", name="complete")
    def complete(self, request):
        from .views import complete_lesson

        return complete_lesson(request, self)

    @path("content-note/", name="content_note")
    def content_note_choice(self, request):
        from .views import continue_after_content_note

        return continue_after_content_note(request, self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        lessons = self.module_lessons
        # What is the same for every reader is rendered once per content version
        # (templates/courses/lesson_page.html); a preview never reads or fills those fragments.
        context.update(fragment_context(request))
        position = next((i for i, lesson in enumerate(lessons) if lesson.pk == self.pk), None)
        context.update(
            module=self.module,
            course=self.course,
            lessons=lessons,
            lesson_number=None if position is None else position + 1,
            previous_lesson=lessons[position - 1] if position else None,
            next_lesson=(
                lessons[position + 1] if position is not None and position + 1 < len(lessons) else None
            ),
        )
        return context


class Enrolment(models.Model):
    """A learner's access to a module. Created only by courses.services.enrol."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    class Source(models.TextChoices):
        SEAT = "seat", "Provider seat"
        STAFF = "staff", "Granted by staff"
        DEMO = "demo", "Demo"

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    module = models.ForeignKey(ModulePage, on_delete=models.PROTECT, related_name="enrolments")
    source = models.CharField(max_length=10, choices=Source.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True, help_text="When the learner should finish.")
    quiz_attempts_reset_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Quiz attempts submitted before this time no longer count towards the limit.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "module"], name="one_enrolment_per_module"),
        ]

    def __str__(self):
        return f"{self.learner} in {self.module.title}"


class LessonProgress(models.Model):
    """How far one enrolled learner has got with one lesson. Times come from the server."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()
    content_note_seen_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent = models.DurationField(default=timedelta)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson"),
        ]

    def __str__(self):
        return f"{self.enrolment.learner} / {self.lesson.title}"

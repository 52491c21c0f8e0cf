from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, LockableMixin, Orderable, Page, RevisionMixin, WorkflowMixin
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES
from cms.page_cache import cached_content
from courses.models import LessonPage, ModulePage, ViewRestrictionsOnceMixin, ancestors_below_home

from .forms import QuestionForm


class Question(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """One question in the bank. Its topic is the lesson it tests; quizzes draw from the live ones.

    A statistics question has no stored choices: they are computed from its statistic's current
    value when an attempt starts (see quizzes.statistic_choices)."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single answer"
        MULTIPLE = "multiple", "Select all that apply"
        TRUE_FALSE = "true_false", "True or false"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SINGLE)
    stem = models.TextField(
        "question",
        help_text="For a statistics question you can use {period}, {geography} and {label}; "
        "never type the figure itself.",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name="topic (lesson)",
        help_text="The lesson this question tests. Learners who miss it are sent back there.",
    )
    statistic = models.ForeignKey(
        "cms.Statistic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
        help_text="Makes this a statistics question: the right answer is the statistic's current "
        "value and the wrong answers are computed from it.",
    )
    true_false_answer = models.BooleanField(
        "the statement is true", null=True, blank=True, help_text="For true or false questions."
    )
    explanation = models.TextField(
        help_text="Shown after the attempt. In a statistics question you can use {value}, {period}, "
        "{geography} and {label}."
    )
    source_title = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="question")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="question",
        for_concrete_model=False,
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("lesson")]),
        FieldPanel("stem"),
        FieldPanel("statistic"),
        FieldPanel("true_false_answer"),
        InlinePanel("choices", heading="Answer choices", label="Choice"),
        FieldPanel("explanation"),
        MultiFieldPanel([FieldPanel("source_title"), FieldPanel("source_url")], heading="Source"),
    ]
    search_fields = [
        index.SearchField("stem"),
        index.AutocompleteField("stem"),
        index.FilterField("kind"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["lesson__path", "pk"]

    def __str__(self):
        return self.stem if len(self.stem) <= 80 else self.stem[:77] + "..."

    @property
    def revisions(self):
        return self._revisions

    @property
    def is_statistics_question(self):
        return self.statistic_id is not None

    base_form_class = QuestionForm


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=255)
    is_correct = models.BooleanField("correct", default=False)

    panels = [FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")])]

    def __str__(self):
        return self.text


class QuizPage(ViewRestrictionsOnceMixin, RoutablePageMixin, Page):
    """The module's quiz. Its pool is every live question whose topic is a lesson of the module.

    Like a lesson, it answers Wagtail's view-restriction check from the cached list of
    restrictions, and keeps its module (with the module's course) in the content cache: a
    submission or a result page makes no query for either."""

    intro = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        "pass mark (%)", default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Drawn from the pool so that every lesson is covered (more if there are more "
        "lessons with questions than this).",
    )
    attempt_limit = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    cooldown_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 90)],
        help_text="After the last attempt is used up, a new set of attempts opens after this long.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("questions_per_attempt")]),
                FieldRowPanel([FieldPanel("attempt_limit"), FieldPanel("cooldown_hours")]),
            ],
            heading="Rules",
        ),
    ]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    max_count_per_parent = 1

    @cached_property
    def module(self):
        """The module above this quiz, with its course already fetched (the certificate names it),
        kept in the content cache (cms.page_cache) until the content changes."""
        if self.pk is None:  # a new quiz's preview: nothing to share a cache entry with
            return self.find_module()
        return cached_content("quiz-module", self.pk, compute=self.find_module)

    def find_module(self):
        module = ModulePage.objects.ancestor_of(self).first()
        if module is not None:
            module.course  # noqa: B018 -- a cached property: fetched now, so kept with the module
        return module

    @cached_property
    def ancestors(self):
        """The course and module above this quiz, for breadcrumbs: from the route, without a query."""
        return ancestors_below_home(self)

    def question_pool(self):
        """Every live question on the module's live lessons, with its statistic and choices (a
        paper needs a question's lesson only by id, so the lessons themselves are not loaded)."""
        lessons = LessonPage.objects.child_of(self.module).live()
        return (
            Question.objects.filter(live=True, lesson__in=lessons)
            .exclude(statistic__live=False)  # a statistic not yet approved never reaches learners
            .select_related("statistic")
            .prefetch_related("choices")
        )

    def drawable_questions(self):
        """The question pool as a list, the same for every learner: kept in the content cache,
        which approving a question or a statistic, or publishing a page, empties (cms.page_cache)."""
        return cached_content("quiz-pool", self.pk, compute=lambda: list(self.question_pool()))

    @path("")
    def overview(self, request):
        from .views import quiz_overview

        return quiz_overview(request, self)

    @path("start/", name="start")
    def start(self, request):
        from .views import start_attempt

        return start_attempt(request, self)

    @re_path(r"^attempt/(\d{1,3})/$", name="attempt")
    def attempt(self, request, number):
        from .views import take_attempt

        return take_attempt(request, self, int(number))

    @re_path(r"^result/(\d{1,3})/$", name="result")
    def result(self, request, number):
        from .views import attempt_result

        return attempt_result(request, self, int(number))


class Attempt(models.Model):
    """One try at a quiz. The drawn questions, their choices and the order are frozen at start
    (``paper``), so grading happens on the server against exactly what the learner saw."""

    # A learner's record, not content: Wagtail's reference index ("where is this page used") would
    # otherwise queue a job on every save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey(QuizPage, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    paper = models.JSONField(help_text="The drawn questions as shown, with the answer key.")
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Percentage correct.")
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "quiz", "number"], name="one_attempt_number"),
            models.UniqueConstraint(
                fields=["enrolment", "quiz"],
                condition=models.Q(status="in_progress"),
                name="one_open_attempt_per_quiz",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="score_is_a_percentage",
            ),
        ]

    def __str__(self):
        return f"Attempt {self.number} by {self.enrolment.learner}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED


class Response(models.Model):
    """One graded answer, kept as rows so item analysis can aggregate in the database."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="responses")
    chosen = models.JSONField(help_text="Identifiers of the chosen options.")
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_response_per_question"),
        ]

    def __str__(self):
        return f"{self.attempt}: question {self.question_id} {'right' if self.is_correct else 'wrong'}"

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, LockableMixin, Page, RevisionMixin, WorkflowMixin
from wagtail.search import index

from . import page_cache
from .blocks import BodyBlock
from .panels import ReviewStatusPanel, StatisticUsagePanel


def format_figure(value, unit):
    """A number as learners read it: '33,000', '1,234.5' or, for percentages, '44%'."""
    whole = value == value.to_integral_value()
    text = f"{value:,.0f}" if whole else f"{value.normalize():,f}"
    return f"{text}%" if unit == Statistic.Unit.PERCENT else text


class Statistic(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, models.Model):
    """One published figure with its source. Pages and questions refer to it; none copies it.

    The row always holds the published figure: an edit waits in a revision until a lead trainer
    approves it (the "Lead trainer review" workflow), so learners never see an unapproved value."""

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENT = "percent", "Percentage"

    class Qualifier(models.TextChoices):
        EXACT = "exact", "Exact figure"
        MORE_THAN = "more_than", "More than"
        ABOUT = "about", "About"
        ALMOST = "almost", "Almost"

    label = models.CharField(max_length=160, help_text="What is counted, in plain words, without the number.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.COUNT)
    qualifier = models.CharField(
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text="How the source states the figure, for example 'more than 33,000'.",
    )
    period = models.CharField(max_length=40, help_text="For example 2022/23 or 2024.")
    geography = models.CharField(
        max_length=200, help_text="Where and who, for example 'UK, 35 police forces'."
    )
    basis_note = models.TextField(
        blank=True,
        help_text="How it was counted and what it cannot be compared with (shown to learners).",
    )
    source_title = models.CharField(max_length=255)
    source_url = models.URLField(max_length=500)
    source_published = models.DateField(null=True, blank=True)
    review_by = models.DateField(
        help_text="Check the figure against the live source by this date. After it, trainers "
        "see a warning wherever the statistic is used."
    )
    updated_at = models.DateTimeField(auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="statistic")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="statistic",
        for_concrete_model=False,
    )

    panels = [
        ReviewStatusPanel(),
        StatisticUsagePanel(heading="Where this statistic is used"),
        FieldPanel("label"),
        FieldRowPanel([FieldPanel("qualifier"), FieldPanel("value"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("period"), FieldPanel("geography")]),
        FieldPanel("basis_note"),
        MultiFieldPanel(
            [FieldPanel("source_title"), FieldPanel("source_url"), FieldPanel("source_published")],
            heading="Source",
        ),
        FieldPanel("review_by"),
    ]

    search_fields = [
        index.SearchField("label"),
        index.SearchField("source_title"),
        index.SearchField("period"),
        index.SearchField("geography"),
        index.AutocompleteField("label"),
        index.AutocompleteField("source_title"),
        index.FilterField("unit"),
        index.FilterField("review_by"),
    ]

    class Meta:
        ordering = ["label", "period"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gte=0), name="statistic_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.label} ({self.period}): {self.display_value}"

    @property
    def revisions(self):
        return self._revisions

    @property
    def number(self):
        """The value without its qualifier: '33,000' or '44%'."""
        return format_figure(self.value, self.unit)

    @property
    def display_value(self):
        if self.qualifier == self.Qualifier.EXACT:
            return self.number
        return f"{self.get_qualifier_display().lower()} {self.number}"

    @property
    def is_past_review(self):
        return self.review_by < timezone.localdate()


@register_setting(icon="help")
class SignpostingSettings(BaseGenericSetting):
    """Who to tell and how: shown on every lesson page and by the signposting block."""

    heading = models.CharField(max_length=120, default="Worried about a child?")
    intro = models.TextField(
        blank=True,
        default="If a child is in immediate danger, call 999. Otherwise tell your Designated "
        "Safeguarding Lead (DSL) straight away.",
    )
    contacts = StreamField(
        [
            (
                "contact",
                wagtail_blocks.StructBlock(
                    [
                        ("name", wagtail_blocks.CharBlock(max_length=120)),
                        ("contact", wagtail_blocks.CharBlock(max_length=200)),
                        ("when", wagtail_blocks.TextBlock(required=False)),
                        ("url", wagtail_blocks.URLBlock(required=False)),
                    ],
                    icon="user",
                ),
            )
        ],
        blank=True,
        use_json_field=True,
    )

    panels = [FieldPanel("heading"), FieldPanel("intro"), FieldPanel("contacts")]

    class Meta:
        verbose_name = "Signposting"


class HomePage(Page):
    intro = RichTextField(features=["bold", "italic", "link"], blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage", "cms.StandardPage"]
    max_count = 1

    @cached_property
    def courses(self):
        from courses.models import CoursePage

        return CoursePage.objects.child_of(self).live().public().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = self.courses
        return context

    def route(self, request, path_components):
        """Find the page at a URL below the home page without a query per URL segment.

        Wagtail's own route fetches every page on the way twice (the page, then its specific
        type): eight queries for a lesson. Each page stores its full URL path, so one query finds
        all the pages on the way and one more fetches the last one as its specific type; the
        result is kept in the cache until the content changes (cms.page_cache), a URL that finds
        nothing is not. A page type with a route of its own (a routable page: lesson, quiz) gets
        the rest of the URL, as in Wagtail's route. The page found keeps the pages above it, from
        this one down, as ``route_ancestors`` (for breadcrumbs, without another query)."""
        if not path_components:
            return super().route(request, path_components)
        above, page = page_cache.cached_content(
            "route", self.pk, *path_components, compute=lambda: self.find_below(path_components)
        )
        chain = [self]
        for ancestor in [*above, page]:
            ancestor._cached_parent_obj = chain[-1]  # treebeard's get_parent() reads it
            ancestor.route_ancestors = chain
            chain = [*chain, ancestor]
        return page.route(request, path_components[len(above) + 1 :])

    def find_below(self, path_components):
        """(the generic pages passed on the way, the specific page that routes the rest of the
        URL), in two queries; Http404 when there is no such page."""
        url_paths, prefix = [], self.url_path
        for slug in path_components:
            prefix += f"{slug}/"
            url_paths.append(prefix)
        below = Page.objects.filter(path__startswith=self.path, depth__gt=self.depth)
        found = {page.url_path: page for page in below.filter(url_path__in=url_paths)}
        chain = [self]
        for url_path in url_paths:
            page = found.get(url_path)
            parent = chain[-1]
            if page is None or page.depth != parent.depth + 1 or not page.path.startswith(parent.path):
                raise Http404
            chain.append(page)
            if getattr(page.specific_class, "route", Page.route) is not Page.route:
                break  # a routable page: the rest of the URL is its own
        return chain[1:-1], chain[-1].specific


class StandardPage(Page):
    intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]


class TaskFailure(models.Model):
    """Background work that failed (an email, a certificate PDF): one row per job until it succeeds.

    cms.background writes it; platform staff see the open ones in the admin, with the error and when
    the next attempt is due, and can retry a job that has given up."""

    task_path = models.CharField(max_length=255)
    label = models.CharField(max_length=120, help_text="What the job does, in words.")
    arguments = models.JSONField(help_text="The job's arguments, as queued.")
    # A digest of the task and its arguments, which can be long (an email's text): the key that
    # finds this job's open record, short enough for a unique index.
    job_key = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    first_failed_at = models.DateTimeField(default=timezone.now)
    last_failed_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty once every automatic retry has been used."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = "failed background job"
        constraints = [
            models.UniqueConstraint(
                fields=["job_key"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_failure_per_job",
            )
        ]
        permissions = [("retry_taskfailure", "Can retry failed background jobs")]

    def __str__(self):
        return f"{self.label} ({self.attempts} failed attempt{'s' if self.attempts != 1 else ''})"

    @property
    def gave_up(self):
        return self.resolved_at is None and self.next_attempt_at is None

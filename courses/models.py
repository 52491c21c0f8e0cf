from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from wagtail import blocks as wagtail_blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, BodyBlock


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


class ModulePage(Page):
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
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    @cached_property
    def lessons(self):
        return list(LessonPage.objects.child_of(self).live().public().order_by("path"))

    @cached_property
    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = self.lessons
        context["course"] = self.course
        return context


class LessonPage(Page):
    """One short lesson. The body is built from the blocks in cms.blocks."""

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        lessons = list(LessonPage.objects.sibling_of(self).live().public().order_by("path"))
        position = next((i for i, lesson in enumerate(lessons) if lesson.pk == self.pk), None)
        context.update(
            module=ModulePage.objects.ancestor_of(self).first(),
            course=CoursePage.objects.ancestor_of(self).first(),
            lessons=lessons,
            lesson_number=None if position is None else position + 1,
            previous_lesson=lessons[position - 1] if position else None,
            next_lesson=(
                lessons[position + 1] if position is not None and position + 1 < len(lessons) else None
            ),
        )
        return context

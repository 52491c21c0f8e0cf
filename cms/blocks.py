"""StreamField blocks for lessons and site pages. Each block has its own template in
templates/blocks/. Statistic blocks store a reference to a Statistic, never a copied number."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .charts import bar_chart

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "Section heading"), ("h3", "Sub-heading")], default="h2")

    class Meta:
        icon = "title"
        template = "blocks/heading.html"


class KeyPointBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, default="Key point")
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "pick"
        template = "blocks/key_point.html"


def publishable(statistics, parent_context):
    """The statistics a reader may see: published ones, and in a trainer's preview drafts too."""
    request = (parent_context or {}).get("request")
    in_preview = getattr(request, "is_preview", False)
    return [s for s in statistics if s and (s.live or in_preview)]


class StatisticCalloutBlock(blocks.StructBlock):
    statistic = SnippetChooserBlock("cms.Statistic")
    context = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text="Optional: what the figure means for learners. Do not repeat the number here.",
    )

    class Meta:
        icon = "table"
        template = "blocks/statistic_callout.html"
        label = "Statistic callout"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        shown = publishable([value["statistic"]], parent_context)
        context["statistic"] = shown[0] if shown else None
        return context


class StatisticChartBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=160)
    caption = blocks.TextBlock(
        required=False, help_text="What the chart shows and what it cannot be compared with."
    )
    statistics = blocks.ListBlock(SnippetChooserBlock("cms.Statistic"), min_num=2, max_num=12)

    class Meta:
        icon = "table"
        template = "blocks/statistic_chart.html"
        label = "Statistic chart"

    def clean(self, value):
        value = super().clean(value)
        units = {statistic.unit for statistic in value["statistics"] if statistic}
        if len(units) > 1:
            raise StructBlockValidationError(
                block_errors={
                    "statistics": ValidationError(
                        "Chart statistics must share one unit: do not mix counts and percentages."
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["chart"] = bar_chart(publishable(value["statistics"], parent_context))
        return context


class ContentNoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(help_text="A short, calm note on what follows and that the learner can pause.")

    class Meta:
        icon = "warning"
        template = "blocks/content_note.html"


class SignpostingBlock(blocks.StructBlock):
    """Shows the site-wide contacts from Settings > Signposting, so numbers live in one place."""

    heading = blocks.CharBlock(max_length=120, required=False)
    intro = blocks.TextBlock(required=False)

    class Meta:
        icon = "help"
        template = "blocks/signposting.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(max_length=200)
    source_url = blocks.URLBlock(required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250,
        required=False,
        help_text="Describe the image for people who cannot see it. Leave empty only if it is "
        "purely decorative.",
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "blocks/image.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, icon="pilcrow", template="blocks/paragraph.html"
    )
    key_point = KeyPointBlock()
    statistic_callout = StatisticCalloutBlock()
    statistic_chart = StatisticChartBlock()
    content_note = ContentNoteBlock()
    signposting = SignpostingBlock()
    quote = QuoteBlock()
    image = ImageBlock()

from django.utils import timezone
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Statistic


class ReviewColumn(Column):
    """The review date, with a visible warning once it has passed."""

    cell_template_name = "cms/statistic_review_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["past_review"] = instance.review_by < timezone.localdate()
        return context


class StatisticViewSet(SnippetViewSet):
    model = Statistic
    icon = "table"
    menu_label = "Statistics"
    menu_order = 200
    add_to_admin_menu = True
    list_display = [
        "label",
        Column("display_value", label="Figure"),
        "period",
        ReviewColumn("review_by", label="Review by", sort_key="review_by"),
        DateColumn("updated_at", label="Updated"),
    ]
    list_filter = ["unit"]
    ordering = ["review_by", "label"]
    copy_view_enabled = True


register_snippet(StatisticViewSet)

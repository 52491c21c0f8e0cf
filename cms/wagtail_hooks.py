from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Statistic
from .panels import StatisticsReviewHomePanel
from .reporting import ReportMenuItem, report_urls
from .reports import StatisticsReviewReportView
from .task_failures import TaskFailuresHomePanel, task_failure_viewset


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


@hooks.register("construct_homepage_panels")
def add_statistics_review_home_panel(request, panels):
    """Admin home: statistics past their review date, for those who may change statistics."""
    if StatisticsReviewHomePanel.is_shown_to(request.user):
        panels.append(StatisticsReviewHomePanel())


# Statistics due for review report (Reports menu), exportable as CSV and XLSX.


@hooks.register("register_admin_urls")
def register_statistics_review_urls():
    return report_urls("statistics-due-for-review", StatisticsReviewReportView, "cms_statistics_review")


@hooks.register("register_reports_menu_item")
def register_statistics_review_menu_item():
    return ReportMenuItem(
        "Statistics due for review",
        reverse("cms_statistics_review"),
        view_class=StatisticsReviewReportView,
        name="statistics-due-for-review",
        icon_name="table",
        order=1350,
    )


# Failed background jobs (cms/background.py): a list, each job's error and a retry, for platform staff.


@hooks.register("register_admin_viewset")
def register_task_failure_viewset():
    return task_failure_viewset


@hooks.register("construct_homepage_panels")
def add_task_failures_home_panel(request, panels):
    if TaskFailuresHomePanel.is_shown_to(request.user):
        panels.append(TaskFailuresHomePanel())


@hooks.register("on_serve_page")
def page_cache_headers(serve_page):
    """Every page Wagtail serves: cache headers, and a mark that cms.page_cache may keep it."""
    from . import page_cache

    def serve(page, request, args, kwargs):
        return page_cache.serve_page(request, serve_page(page, request, args, kwargs))

    return serve

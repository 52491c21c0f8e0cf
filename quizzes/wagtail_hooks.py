from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.reporting import ReportMenuItem, report_urls

from .models import Question
from .panels import FlaggedQuestionsHomePanel
from .reports import ItemAnalysisReportView


@hooks.register("register_log_actions")
def register_quiz_log_actions(actions):
    actions.register_action("quizzes.submit", "Submit attempt", "Submitted a quiz attempt")


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = "Questions"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["stem", "kind", Column("lesson", label="Topic"), "statistic", "live"]
    list_filter = ["kind", "live"]
    copy_view_enabled = True


register_snippet(QuestionViewSet)


# Quiz item analysis report (Reports menu), exportable as CSV and XLSX.


@hooks.register("register_admin_urls")
def register_item_analysis_urls():
    return report_urls("quiz-item-analysis", ItemAnalysisReportView, "quizzes_item_analysis")


@hooks.register("register_reports_menu_item")
def register_item_analysis_menu_item():
    return ReportMenuItem(
        "Quiz item analysis",
        reverse("quizzes_item_analysis"),
        view_class=ItemAnalysisReportView,
        name="quiz-item-analysis",
        icon_name="help",
        order=1300,
    )


@hooks.register("construct_homepage_panels")
def add_flagged_questions_home_panel(request, panels):
    """Admin home: questions flagged by item analysis, for those who may change questions."""
    if FlaggedQuestionsHomePanel.is_shown_to(request.user):
        panels.append(FlaggedQuestionsHomePanel())

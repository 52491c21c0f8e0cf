from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Question
from .panels import FlaggedQuestionsHomePanel
from .reports import ItemAnalysisMenuItem, ItemAnalysisReportView


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
    return [
        path("reports/quiz-item-analysis/", ItemAnalysisReportView.as_view(), name="quizzes_item_analysis"),
        path(
            "reports/quiz-item-analysis/results/",
            ItemAnalysisReportView.as_view(results_only=True),
            name="quizzes_item_analysis_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_item_analysis_menu_item():
    return ItemAnalysisMenuItem(
        "Quiz item analysis",
        reverse("quizzes_item_analysis"),
        name="quiz-item-analysis",
        icon_name="help",
        order=1300,
    )


@hooks.register("construct_homepage_panels")
def add_flagged_questions_home_panel(request, panels):
    """Admin home: questions flagged by item analysis, for those who may change questions."""
    if FlaggedQuestionsHomePanel.is_shown_to(request.user):
        panels.append(FlaggedQuestionsHomePanel())

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Question


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

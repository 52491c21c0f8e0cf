from django.urls import reverse
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from cms.reporting import ReportMenuItem, report_urls

from . import services
from .forms import EnrolmentEditForm, GrantEnrolmentForm
from .models import Enrolment
from .reports import EnrolmentActivityReportView


@hooks.register("register_log_actions")
def register_course_log_actions(actions):
    actions.register_action("courses.enrol", "Enrol", "Enrolled on a module")
    actions.register_action("courses.start", "Start module", "Started the module")
    actions.register_action("courses.complete_module", "Complete module", "Completed a module")
    actions.register_action(
        "courses.allow_more_attempts", "Allow more attempts", "Allowed more quiz attempts"
    )
    actions.register_action("courses.renew", "Renew", "Started a refresher")


class GrantEnrolmentView(CreateView):
    page_title = "Grant an enrolment"

    def save_instance(self):
        data = self.form.cleaned_data
        return services.enrol(
            self.form.learner,
            data["module"],
            source=Enrolment.Source.STAFF,
            granted_by=self.request.user,
            due_date=data.get("due_date"),
        )


class EditEnrolmentView(EditView):
    def save_instance(self):
        enrolment = super().save_instance()
        if self.form.cleaned_data.get("allow_more_attempts"):
            services.allow_more_quiz_attempts(enrolment, actor=self.request.user)
        return enrolment


class EnrolmentIndexView(IndexView):
    queryset = Enrolment.objects.select_related("learner", "module")


class EnrolmentViewSet(ModelViewSet):
    model = Enrolment
    icon = "user"
    menu_label = "Enrolments"
    menu_order = 300
    add_to_admin_menu = True
    add_view_class = GrantEnrolmentView
    index_view_class = EnrolmentIndexView
    edit_view_class = EditEnrolmentView
    list_display = ["learner", "module", "source", "due_date", "started_at", "completed_at"]
    list_filter = ["source", "module"]
    search_fields = ["learner__email", "learner__certificate_name"]
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return EnrolmentEditForm if for_update else GrantEnrolmentForm


hooks.register("register_admin_viewset", lambda: EnrolmentViewSet("enrolments"))


# Enrolments and completions report (Reports menu), exportable as CSV and XLSX.


@hooks.register("register_admin_urls")
def register_enrolment_activity_urls():
    return report_urls(
        "enrolments-and-completions", EnrolmentActivityReportView, "courses_enrolment_activity"
    )


@hooks.register("register_reports_menu_item")
def register_enrolment_activity_menu_item():
    return ReportMenuItem(
        "Enrolments and completions",
        reverse("courses_enrolment_activity"),
        view_class=EnrolmentActivityReportView,
        name="enrolments-and-completions",
        icon_name="user",
        order=1310,
    )

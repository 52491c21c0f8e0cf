"""Failed background jobs in the admin: a list, each job's error, a "Retry now" action and a panel on
the admin home. Platform staff see them (cms/roles.py); nobody adds, edits or deletes a record."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .background import retry_now
from .models import TaskFailure


class ViewAndRetryOnlyPolicy(ModelPermissionPolicy):
    """The records are written by cms.background alone: staff may look and retry, nothing else."""

    def user_has_permission(self, user, action):
        return action in {"view", "retry"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(TaskFailure, ViewAndRetryOnlyPolicy(TaskFailure))


def job_state(failure):
    if failure.resolved_at:
        return "Succeeded later"
    if failure.next_attempt_at:
        return "Will retry"
    return "Gave up"


class TaskFailureInspectView(InspectView):
    fields = [
        "label",
        "attempts",
        "first_failed_at",
        "last_failed_at",
        "next_attempt_at",
        "resolved_at",
        "error",
    ]

    def get_header_buttons(self):
        buttons = super().get_header_buttons()
        if self.object.resolved_at is None and self.permission_policy.user_has_permission(
            self.request.user, "retry"
        ):
            url = reverse(task_failure_viewset.get_url_name("retry"), args=[quote(self.object.pk)])
            buttons.append(HeaderButton("Retry now", url=url, icon_name="resubmit"))
        return buttons


class RetryView(PermissionCheckedMixin, WagtailAdminTemplateMixin, BaseObjectMixin, TemplateView):
    """A confirmation page (GET) and the retry itself (POST)."""

    model = TaskFailure
    permission_required = "retry"
    template_name = "cms/admin/retry_task.html"
    header_icon = "resubmit"
    page_title = "Retry now"
    viewset = None

    def get_page_subtitle(self):
        return self.object.label

    @cached_property
    def inspect_url(self):
        return reverse(self.viewset.get_url_name("inspect"), args=[quote(self.object.pk)])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": "Failed background jobs"},
            {"url": self.inspect_url, "label": self.object.label},
            {"url": "", "label": "Retry now"},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(failure=self.object, cancel_url=self.inspect_url, **kwargs)

    def post(self, request, *args, **kwargs):
        failure = self.object
        if failure.resolved_at is not None:
            messages.warning(request, "This job has already succeeded; nothing was done.")
            return redirect(self.inspect_url)
        result = retry_now(failure)
        failure.refresh_from_db()
        if failure.resolved_at is not None:
            messages.success(request, f"{failure.label}: done.")
        elif result.is_finished:
            messages.error(request, f"{failure.label}: failed again. The error below is the latest.")
        else:
            messages.success(request, f"{failure.label}: queued; a worker will run it shortly.")
        return redirect(self.inspect_url)


class TaskFailureViewSet(ModelViewSet):
    model = TaskFailure
    icon = "warning"
    menu_label = "Failed jobs"
    menu_order = 900
    add_to_admin_menu = True
    inspect_view_enabled = True
    inspect_view_class = TaskFailureInspectView
    copy_view_enabled = False
    list_display = [
        "label",
        Column("attempts", label="Failed attempts"),
        DateColumn("last_failed_at", label="Last failed"),
        Column("state", label="State", accessor=job_state),
        DateColumn("next_attempt_at", label="Next attempt"),
    ]
    list_filter = {"resolved_at": ["isnull"]}
    search_fields = ["label"]
    form_fields = []  # never edited: the index links to the inspect view

    def retry_view(self, request, pk):
        return RetryView.as_view(viewset=self)(request, pk=pk)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("retry/<str:pk>/", self.retry_view, name="retry")]


task_failure_viewset = TaskFailureViewSet("task_failures")


class TaskFailuresHomePanel(Component):
    """Admin home: background jobs that are failing or gave up, for those who may see them."""

    name = "failed_background_jobs"
    template_name = "cms/panels/home_task_failures.html"
    order = 120
    limit = 5

    @staticmethod
    def is_shown_to(user):
        return user.has_perm("cms.view_taskfailure")

    def get_context_data(self, parent_context):
        open_failures = TaskFailure.objects.filter(resolved_at__isnull=True).order_by("-last_failed_at")
        failures = list(open_failures[: self.limit])
        for failure in failures:
            failure.state = job_state(failure)
            failure.inspect_url = reverse(
                task_failure_viewset.get_url_name("inspect"), args=[quote(failure.pk)]
            )
        return {
            "failures": failures,
            "total": open_failures.count() if len(failures) == self.limit else len(failures),
            "now": timezone.now(),
            "list_url": reverse(task_failure_viewset.get_url_name("index")) + "?resolved_at__isnull=true",
        }

from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms.reporting import ReportMenuItem, report_urls

from . import services
from .forms import RevokeCertificateForm
from .models import Certificate
from .reports import CertificateReportView


@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action("certificates.issue", "Issue certificate", "Issued a certificate")
    actions.register_action("certificates.revoke", "Revoke certificate", "Revoked a certificate")
    actions.register_action(
        "certificates.retain",
        "Keep after account deletion",
        "Kept without its account after the learner deleted it, until the retention date",
    )
    actions.register_action(
        "certificates.erase", "Erase certificate", "Erased at the end of its retention period"
    )
    actions.register_action(
        "certificates.supersede", "Supersede certificate", "Replaced by a newer certificate for the module"
    )
    actions.register_action(
        "certificates.share_link_create", "Create record link", "Created a link to their certificate record"
    )
    actions.register_action(
        "certificates.share_link_revoke",
        "Withdraw record link",
        "Withdrew a link to their certificate record",
    )


class IssuedOnlyPermissionPolicy(ModelPermissionPolicy):
    """Certificates are issued by passing a module and kept as history: never added or deleted here."""

    def user_has_permission(self, user, action):
        return action not in {"add", "delete"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Certificate, IssuedOnlyPermissionPolicy(Certificate))


class CertificateIndexView(IndexView):
    queryset = Certificate.objects.select_related("learner", "module")


class RevokeCertificateView(EditView):
    page_title = "Revoke certificate"
    success_message = "Certificate %(object)s revoked."

    def save_instance(self):
        try:
            return services.revoke_certificate(
                self.object, reason=self.form.cleaned_data["reason"], actor=self.request.user
            )
        except services.CertificateError as error:
            self.form.add_error("reason", ValidationError(str(error)))
            raise

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except services.CertificateError:
            return self.form_invalid(form)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = "Certificates"
    menu_order = 310
    add_to_admin_menu = True
    index_view_class = CertificateIndexView
    edit_view_class = RevokeCertificateView
    list_display = ["code", "learner", "module", "status", "issued_at", "expires_on"]
    list_filter = ["status", "module"]
    search_fields = ["code", "learner__email", "learner__certificate_name"]
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return RevokeCertificateForm


hooks.register("register_admin_viewset", lambda: CertificateViewSet("certificates_admin"))


# Certificates report (Reports menu), exportable as CSV and XLSX.


@hooks.register("register_admin_urls")
def register_certificate_report_urls():
    return report_urls("certificates", CertificateReportView, "certificates_report")


@hooks.register("register_reports_menu_item")
def register_certificate_report_menu_item():
    return ReportMenuItem(
        "Certificates",
        reverse("certificates_report"),
        view_class=CertificateReportView,
        name="certificates-report",
        icon_name="doc-full",
        order=1320,
    )

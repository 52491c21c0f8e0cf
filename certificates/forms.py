from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Certificate


class RevokeCertificateForm(WagtailAdminModelForm):
    """The only change staff make to a certificate: revoke it, with a reason."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why the certificate is withdrawn. Kept in the audit log; not shown publicly.",
    )

    class Meta:
        model = Certificate
        fields = []

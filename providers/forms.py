from django import forms

from .models import Provider

DETAIL_FIELDS = ["name", "kind", "ofsted_urn", "billing_name", "billing_email", "billing_address"]
LOCAL_FIELDS = [
    "dsl_name",
    "dsl_contact",
    "deputy_dsl_name",
    "deputy_dsl_contact",
    "children_services_contact",
    "lado_contact",
    "renewal_months",
]


class ProviderForm(forms.ModelForm):
    """A new organisation: who it is and who pays."""

    class Meta:
        model = Provider
        fields = DETAIL_FIELDS
        labels = {"name": "Name of your setting", "kind": "Type of setting"}
        help_texts = {"name": "As your staff and an inspector know it, for example Little Acorns Nursery."}
        widgets = {"billing_address": forms.Textarea(attrs={"rows": 3})}

    def clean_ofsted_urn(self):
        return self.cleaned_data["ofsted_urn"].strip().upper().replace(" ", "")


class ProviderSettingsForm(ProviderForm):
    """Details plus local safeguarding contacts and the renewal interval."""

    class Meta(ProviderForm.Meta):
        fields = DETAIL_FIELDS + LOCAL_FIELDS

from django import forms
from django.contrib.auth import get_user_model
from wagtail.admin.forms import WagtailAdminModelForm

from .models import Enrolment


class GrantEnrolmentForm(WagtailAdminModelForm):
    """Staff grant a learner a place on a module; the learner is found by email address."""

    learner_email = forms.EmailField(
        label="Learner's email address",
        help_text="The learner must already have an account on the site.",
    )

    class Meta:
        model = Enrolment
        fields = ["module", "due_date"]

    def clean_learner_email(self):
        email = self.cleaned_data["learner_email"]
        learner = get_user_model().objects.filter(email__iexact=email).first()
        if learner is None:
            raise forms.ValidationError(
                "No account uses this email address. Ask the learner to create an account first."
            )
        self.learner = learner
        return email

    def clean(self):
        cleaned = super().clean()
        learner, module = getattr(self, "learner", None), cleaned.get("module")
        if learner and module and Enrolment.objects.filter(learner=learner, module=module).exists():
            self.add_error("learner_email", f"{learner.email} is already enrolled on {module.title}.")
        return cleaned


class EnrolmentEditForm(WagtailAdminModelForm):
    allow_more_attempts = forms.BooleanField(
        required=False,
        label="Allow a new set of quiz attempts now",
        help_text="For a learner who has used their attempts: the attempt limit starts again.",
    )

    class Meta:
        model = Enrolment
        fields = ["due_date"]

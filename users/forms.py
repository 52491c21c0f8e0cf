from django import forms


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth calls ``signup`` after creating the user."""

    certificate_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="As it should appear on your certificates.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["certificate_name", "email", "password1", "password2"]

    def clean_certificate_name(self):
        name = " ".join(self.cleaned_data["certificate_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name.")
        return name

    def signup(self, request, user):
        user.certificate_name = self.cleaned_data["certificate_name"]
        user.save(update_fields=["certificate_name"])

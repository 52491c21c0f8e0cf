from django import forms
from wagtail.users import forms as wagtail_user_forms


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


class WagtailUserCreationForm(wagtail_user_forms.UserCreationForm):
    """Wagtail's admin form for a new user, with the name printed on certificates."""

    class Meta(wagtail_user_forms.UserCreationForm.Meta):
        fields = wagtail_user_forms.UserCreationForm.Meta.fields | {"certificate_name"}


class WagtailUserEditForm(wagtail_user_forms.UserEditForm):
    class Meta(wagtail_user_forms.UserEditForm.Meta):
        fields = wagtail_user_forms.UserEditForm.Meta.fields | {"certificate_name"}


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone: the person confirms with their password."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Your account has not been deleted.")
        return password

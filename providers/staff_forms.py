"""Forms for inviting staff and moving seats. They only check input; services make the changes."""

from django import forms

from . import bulk
from .order_forms import ModuleChoiceField


class ModuleChoiceMixin:
    """A ``module`` field limited to the modules the provider has seats for (preselected if only one)."""

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules
        if len(modules) == 1:
            self.fields["module"].initial = modules[0].pk
            self.fields["module"].empty_label = None


class InviteForm(ModuleChoiceMixin, forms.Form):
    module = ModuleChoiceField(queryset=None, label="Module", empty_label="Choose a module")
    name = forms.CharField(
        label="Name",
        max_length=150,
        required=False,
        help_text="Optional. Used to greet them in the email.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The invitation goes to this address, and they accept it by signing in with it.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class BulkInviteForm(ModuleChoiceMixin, forms.Form):
    """A CSV file or a pasted list; ``rows`` holds the parsed people once the form is valid."""

    module = ModuleChoiceField(queryset=None, label="Module", empty_label="Choose a module")
    file = forms.FileField(
        label="Spreadsheet saved as CSV",
        required=False,
        help_text="A first row with the column names, for example Name and Email (any order). "
        f"Up to {bulk.MAX_ROWS} people and 1 MB. In Excel, save as “CSV UTF-8 (comma delimited)”.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt,text/plain"}),
    )
    pasted = forms.CharField(
        label="Or paste a list",
        required=False,
        help_text="One person per line: “Name, email” or just the email address. You can copy two "
        "columns straight from a spreadsheet.",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        upload, pasted = cleaned.get("file"), (cleaned.get("pasted") or "").strip()
        if self.errors:
            return cleaned
        if upload and pasted:
            raise forms.ValidationError("Upload a file or paste a list, not both.")
        if not upload and not pasted:
            raise forms.ValidationError("Choose a CSV file to upload, or paste a list of people.")
        try:
            text = bulk.read_upload(upload) if upload else pasted
            self.rows = bulk.parse(text)
        except bulk.BulkError as error:
            self.add_error("file" if upload else "pasted", str(error))
        return cleaned


class MoveSeatForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=150,
        required=False,
        help_text="Optional. Used to greet them in the email.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Email address of the person who should have the seat",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

"""The form a manager fills in to buy seats."""

from django import forms
from django.core.exceptions import ValidationError

from courses.models import ModulePage

from .models import MAX_SEATS_PER_ORDER, SeatOrder


def is_row_id(value):
    """Text that can be a database id: ASCII digits, few enough for a 64-bit integer column."""
    return value.isascii() and value.isdigit() and len(value) <= 18


class ModuleChoiceField(forms.ModelChoiceField):
    """A module chosen by id. An id no database could hold is an invalid choice, not a server error
    (SQLite raises OverflowError on a 20-digit number)."""

    def to_python(self, value):
        if value not in self.empty_values and not is_row_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BuySeatsForm(forms.Form):
    """Module, number of seats, how to pay. Card is offered only when Stripe is configured."""

    module = ModuleChoiceField(
        queryset=ModulePage.objects.none(),
        label="Module",
        empty_label="Choose a module",
        error_messages={"invalid_choice": "Choose a module from the list.", "required": "Choose a module."},
    )
    quantity = forms.IntegerField(
        label="Number of seats",
        min_value=1,
        max_value=MAX_SEATS_PER_ORDER,
        help_text=f"One seat trains one member of staff. Between 1 and {MAX_SEATS_PER_ORDER}.",
        error_messages={
            "required": "Enter the number of seats.",
            "invalid": "Enter the number of seats as a whole number, for example 12.",
            "min_value": f"Choose between 1 and {MAX_SEATS_PER_ORDER} seats.",
            "max_value": f"Choose between 1 and {MAX_SEATS_PER_ORDER} seats.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    method = forms.ChoiceField(
        label="How you will pay",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you will pay.",
            "invalid_choice": "That way of paying is not available. Choose another.",
        },
    )
    purchase_order = forms.CharField(
        label="Purchase order reference (optional)",
        max_length=50,
        required=False,
        help_text="If your organisation uses purchase orders, we print this on the invoice.",
    )

    def __init__(self, *args, card_enabled=False, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = ModulePage.objects.live().order_by("title")
        choices = [(SeatOrder.Method.INVOICE, "Invoice: pay by bank transfer within the payment terms")]
        if card_enabled:
            choices.insert(0, (SeatOrder.Method.CARD, "Card: pay now online"))
        self.fields["method"].choices = choices
        if len(choices) == 1:
            self.fields["method"].initial = choices[0][0]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("method") == SeatOrder.Method.CARD:
            cleaned["purchase_order"] = ""  # a purchase order reference only makes sense on an invoice
        return cleaned

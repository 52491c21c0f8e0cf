import string

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

STEM_PLACEHOLDERS = {"period", "geography", "label"}
EXPLANATION_PLACEHOLDERS = STEM_PLACEHOLDERS | {"value"}


def placeholder_problem(text, allowed):
    """What is wrong with the {placeholders} in ``text``, or None."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return "Unmatched { or }: use {period}, {geography}, {label} (and {value} in the explanation)."
    unknown = names - allowed
    if unknown:
        shown = ", ".join("{" + name + "}" for name in sorted(unknown))
        return f"Unknown placeholder {shown}: use " + ", ".join("{" + n + "}" for n in sorted(allowed)) + "."
    return None


class QuestionForm(WagtailAdminModelForm):
    """Checks that a question can be graded: the right number of correct choices for its kind."""

    def clean(self):
        cleaned = super().clean()
        kind, statistic = cleaned.get("kind"), cleaned.get("statistic")
        choices = [
            form.cleaned_data
            for form in self.formsets["choices"].forms
            if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(1 for choice in choices if choice.get("is_correct"))
        if statistic is not None:
            if kind != "single":
                self.add_error("kind", "A statistics question has a single answer.")
            for field, allowed in [("stem", STEM_PLACEHOLDERS), ("explanation", EXPLANATION_PLACEHOLDERS)]:
                problem = placeholder_problem(cleaned.get(field, ""), allowed)
                if problem:
                    self.add_error(field, problem)
            return cleaned
        if kind == "true_false":
            if cleaned.get("true_false_answer") is None:
                self.add_error("true_false_answer", "Say whether the statement is true or false.")
        elif kind == "single" and (len(choices) < 2 or correct != 1):
            raise forms.ValidationError(
                "A single-answer question needs at least two choices, exactly one of them correct."
            )
        elif kind == "multiple" and (len(choices) < 3 or correct < 1 or correct == len(choices)):
            raise forms.ValidationError(
                "A select-all question needs at least three choices, at least one correct and one not."
            )
        return cleaned

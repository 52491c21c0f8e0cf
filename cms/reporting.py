"""What every admin report (Reports menu) shares: spreadsheet-safe exports and a menu item that is
shown only to those who may open the report."""

from django.urls import path
from wagtail.admin.menu import MenuItem

# A spreadsheet may run a cell starting with one of these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class FormulaSafeExportMixin:
    """For a ReportView: every text cell of the CSV export goes through ``neutralise_formula``.

    Numbers are left alone (a negative number stays a number). The XLSX export needs nothing:
    Wagtail writes a cell that openpyxl would take for a formula as text."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            value = neutralise_formula(value)
        return value


def report_urls(slug, view_class, name):
    """A report's two admin URLs: the page at ``reports/<slug>/`` (``name``) and the results
    fragment its filters reload (``<name>_results``)."""
    return [
        path(f"reports/{slug}/", view_class.as_view(), name=name),
        path(f"reports/{slug}/results/", view_class.as_view(results_only=True), name=f"{name}_results"),
    ]


class ReportMenuItem(MenuItem):
    """A Reports menu entry shown to those who pass the report view's own permission check."""

    def __init__(self, label, url, *, view_class, **kwargs):
        self.view_class = view_class
        super().__init__(label, url, **kwargs)

    def is_shown(self, request):
        view = self.view_class
        return view.permission_policy.user_has_any_permission(request.user, view.any_permission_required)

"""The training matrix for an inspector as a tagged PDF (WeasyPrint), without email addresses."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from certificates.pdf import inline_only_fetcher

from .compliance import summary


def render_matrix_pdf(provider, rows, *, produced_at=None):
    """``rows`` (compliance.staff_rows) as an A4 landscape PDF/A-3a with the provider's name and URN."""
    produced_at = timezone.localtime(produced_at or timezone.now())
    modules = {row.module.pk: row.module for row in rows if row.module is not None}
    html = render_to_string(
        "providers/pdf/matrix.html",
        {
            "provider": provider,
            "rows": rows,
            "summary": summary(rows),
            "produced_at": produced_at,
            "show_module": len(modules) > 1,
            "modules": list(modules.values()),
        },
    )
    document = HTML(string=html, url_fetcher=inline_only_fetcher())
    return document.write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)

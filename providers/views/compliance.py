"""The training record (dashboard), its exports, and the inspection pack with its read-only link."""

import csv
import zipfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certificates.models import Certificate
from certificates.pdf import stored_pdf
from certificates.views import pdf_download

from .. import compliance, record_cache
from ..access import managed_provider
from ..inspection import create_inspection_link, link_for_token, revoke_inspection_link
from ..inspection_pdf import render_matrix_pdf
from ..models import InspectionLink, Membership
from ..services import seat_counts

PER_PAGE = 50
CSV_HEADER = [
    "Name",
    "Email",
    "Role",
    "Module",
    "Status",
    "Progress",
    "Quiz result",
    "Learning time",
    "Certificate code",
    "Issued on",
    "Expires on",
    "Verification URL",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters(request):
    """The choices a GET form made (status, q, sort, order), anything unknown left out."""
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "name")
    return {
        "status": status if status in compliance.STATUS_LABELS else "",
        "q": q,
        "sort": sort if sort in compliance.SORT_KEYS else "name",
        "order": "desc" if request.GET.get("order") == "desc" else "asc",
    }


def _shown(rows, filters):
    """``rows`` filtered and sorted as ``filters`` (from _filters) ask."""
    rows = compliance.filter_rows(rows, status=filters["status"], q=filters["q"])
    return compliance.sort_rows(rows, filters["sort"], filters["order"] == "desc")


def _listing(request, rows):
    """The rows a GET form asked for (status, q, sort, order), and the choices it made."""
    filters = _filters(request)
    return _shown(rows, filters), filters


@login_required
@require_GET
def dashboard(request, provider_id):
    """The training record. Below the heading it is the same for every manager, so it is kept in
    the cache until the record changes (providers.record_cache)."""
    provider = managed_provider(request.user, provider_id)
    filters = _filters(request)
    page_number = request.GET.get("page", "")[:12]
    record = record_cache.cached_record(
        provider,
        {**filters, "page": page_number},
        render=lambda: _render_record(provider, filters, page_number),
    )
    return TemplateResponse(
        request,
        "providers/dashboard.html",
        {"provider": provider, "section": "dashboard", "record": mark_safe(record)},  # noqa: S308 (our template)
    )


def _render_record(provider, filters, page_number):
    modules = compliance.provider_modules(provider)
    rows = compliance.staff_rows(provider, modules=modules)
    shown = _shown(rows, filters)
    query = QueryDict(mutable=True)
    query.update({name: value for name, value in filters.items() if value})
    context = {
        "provider": provider,
        "summary": compliance.summary(rows),
        "show_module": len(modules) > 1,
        "seats": [(module, seat_counts(provider, module)) for module in modules],
        "page_obj": Paginator(shown, PER_PAGE).get_page(page_number),
        "shown_count": len(shown),
        "filters": filters,
        "query": query,
        "filtered": bool(filters["status"] or filters["q"]),
        "status_choices": compliance.STATUS_LABELS,
        "sort_choices": compliance.SORT_KEYS,
    }
    return render_to_string("providers/_training_record.html", context)


def csv_safe(value):
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cells(row):
    return [
        row.name,
        row.email,
        row.role,
        row.module.title if row.module else "",
        row.status_label,
        row.progress_text,
        row.quiz_text,
        row.learning_time_text,
        row.certificate.code if row.certificate else "",
        row.issued_on.isoformat() if row.issued_on else "",
        row.expires_on.isoformat() if row.expires_on else "",
        row.verification_url,
    ]


@login_required
@require_GET
def staff_csv(request, provider_id):
    """The training record as CSV (UTF-8 with a byte order mark, which Excel needs), as filtered."""
    provider = managed_provider(request.user, provider_id)
    rows, _filters = _listing(request, compliance.staff_rows(provider))
    filename = f"{slugify(provider.name) or 'provider'}-training-record-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in csv_cells(row)])
    return response


def _member_certificate(provider, certificate_id):
    """A certificate of one of the provider's members; revoked ones and anyone else's are 404."""
    certificate = get_object_or_404(
        Certificate.objects.exclude(status=Certificate.Status.REVOKED),
        pk=certificate_id,
        learner__in=Membership.objects.filter(provider=provider).values("user_id"),
    )
    return certificate


@login_required
@require_GET
def certificate_download(request, provider_id, certificate_id):
    provider = managed_provider(request.user, provider_id)
    return pdf_download(_member_certificate(provider, certificate_id))


class _ChunkBuffer:
    """A write-only file for zipfile that hands over what has been written so far. It has no
    tell() or seek(), so zipfile writes a streamable archive (sizes after each file's data)."""

    def __init__(self):
        self.chunks = []

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.chunks)
        self.chunks = []
        return data


def certificate_filename(certificate):
    name = slugify(certificate.snapshot.get("name") or certificate.learner.display_name) or "certificate"
    return f"{name[:60]}-{certificate.code}.pdf"


def zip_chunks(certificates):
    """The ZIP of ``certificates`` as it is written, one chunk per file (never all in memory)."""
    buffer = _ChunkBuffer()
    with zipfile.ZipFile(buffer, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            with (
                stored_pdf(certificate).open("rb") as pdf,
                archive.open(certificate_filename(certificate), "w") as entry,
            ):
                while block := pdf.read(64 * 1024):
                    entry.write(block)
            yield buffer.take()
    yield buffer.take()


@login_required
@require_GET
def certificates_zip(request, provider_id):
    """Every current certificate of the provider's staff as one ZIP. With none, the ZIP is empty
    (still a valid archive), so a script fetching it need not treat that case apart."""
    provider = managed_provider(request.user, provider_id)
    certificates = compliance.current_certificates(provider)
    filename = f"{slugify(provider.name) or 'provider'}-certificates-{timezone.localdate():%Y-%m-%d}.zip"
    response = StreamingHttpResponse(zip_chunks(certificates.iterator()), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def public_link_url(link):
    return settings.SITE_URL.rstrip("/") + reverse("providers:inspection_public", args=[link.token])


@login_required
@require_http_methods(["GET", "POST"])
def inspection(request, provider_id):
    provider = managed_provider(request.user, provider_id)
    if request.method == "POST":
        link = create_inspection_link(provider, actor=request.user)
        messages.success(
            request,
            f"Link created. It works until {timezone.localtime(link.expires_at):%-d %B %Y at %H:%M}.",
        )
        return redirect("providers:inspection", provider.pk)
    now = timezone.now()
    links = list(InspectionLink.objects.filter(provider=provider).select_related("created_by")[:50])
    for link in links:
        link.url = public_link_url(link)
    context = {
        "provider": provider,
        "section": "inspection",
        "active_links": [link for link in links if link.revoked_at is None and link.expires_at > now],
        "past_links": [link for link in links if link.revoked_at is not None or link.expires_at <= now],
    }
    return TemplateResponse(request, "providers/inspection.html", context)


@login_required
@require_GET
def inspection_pdf(request, provider_id):
    provider = managed_provider(request.user, provider_id)
    rows = compliance.staff_rows(provider)
    filename = f"{slugify(provider.name) or 'provider'}-training-matrix-{timezone.localdate():%Y-%m-%d}.pdf"
    response = HttpResponse(render_matrix_pdf(provider, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def inspection_link_revoke(request, provider_id, link_id):
    provider = managed_provider(request.user, provider_id)
    link = get_object_or_404(InspectionLink, provider=provider, pk=link_id)
    revoke_inspection_link(link, actor=request.user)
    messages.success(request, "The link has been withdrawn: it no longer opens the training record.")
    return redirect("providers:inspection", provider.pk)


@require_GET
def inspection_public(request, token):
    """The live training matrix for an inspector, without signing in and without email addresses."""
    link, problem = link_for_token(token)
    if link is None:
        response = TemplateResponse(
            request, "providers/inspection_public.html", {"problem": problem}, status=404
        )
    else:
        rows = compliance.staff_rows(link.provider)
        modules = {row.module.pk: row.module for row in rows if row.module is not None}
        context = {
            "link": link,
            "provider": link.provider,
            "rows": rows,
            "summary": compliance.summary(rows),
            "show_module": len(modules) > 1,
            "modules": list(modules.values()),
            "produced_at": timezone.now(),
        }
        response = TemplateResponse(request, "providers/inspection_public.html", context)
    # The token is the key: keep it out of caches and out of the Referer sent to other sites.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response

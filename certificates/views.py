from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from courses.services import CourseError, start_renewal

from .models import Certificate
from .pdf import render_certificate_pdf, sample_certificate, stored_pdf

VERIFY_LIMIT = 60  # look-ups per IP address per minute


def rate_limited(request):
    key = f"verify-rate:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        count = 1
    return count > VERIFY_LIMIT


def normalise_code(code):
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


@require_GET
def verify(request):
    """The verification form: anyone types a certificate code."""
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("certificates:verify_code", code=normalise_code(code)[:14] or "-")
    return TemplateResponse(request, "certificates/verify.html", {})


@require_GET
def verify_code(request, code):
    if rate_limited(request):
        response = TemplateResponse(request, "certificates/verify_rate_limited.html", {}, status=429)
        response["Retry-After"] = "60"
        return response
    certificate = (
        Certificate.objects.select_related("superseded_by").filter(code=normalise_code(code)).first()
    )
    if certificate is None:
        return TemplateResponse(request, "certificates/verify_not_found.html", {"code": code}, status=404)
    return TemplateResponse(request, "certificates/verify_result.html", {"certificate": certificate})


@login_required
def download(request, pk):
    """A learner's own certificate PDF; anybody else's is 404."""
    certificate = get_object_or_404(Certificate, pk=pk, learner=request.user)
    if certificate.status == Certificate.Status.REVOKED:
        raise Http404("This certificate was revoked.")
    pdf = stored_pdf(certificate)
    return FileResponse(
        pdf.open("rb"),
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )


@login_required
def my_certificates(request):
    """The learner's own record: every certificate they have been issued, newest first."""
    certificates = (
        Certificate.objects.filter(learner=request.user)
        .with_provider_renewal()
        .select_related("superseded_by")
    )
    return TemplateResponse(request, "certificates/my_certificates.html", {"certificates": certificates})


def preview(request):
    """DEBUG only: a sample certificate rendered from a made-up snapshot, for designing the PDF."""
    if not settings.DEBUG:
        raise Http404("Not available.")
    return HttpResponse(render_certificate_pdf(sample_certificate()), content_type="application/pdf")


@login_required
@require_POST
def renew(request, pk):
    """The learner starts a refresher for the module of one of their certificates."""
    certificate = get_object_or_404(Certificate, pk=pk, learner=request.user, enrolment__isnull=False)
    try:
        enrolment = start_renewal(certificate.enrolment, actor=request.user)
    except CourseError as error:
        messages.error(request, str(error))
        return redirect("certificates:mine")
    quiz = enrolment.module.quiz
    messages.success(request, "Your refresher has started: pass the quiz again to renew the certificate.")
    return redirect(quiz.url if quiz else enrolment.module.url)

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from cms.prepared_queries import PreparedQuery
from courses.services import CourseError, start_renewal

from .models import SHARE_LINK_VALID_FOR, Certificate, ShareLink
from .pdf import render_certificate_pdf, sample_certificate, stored_pdf
from .sharing import SharingError, create_share_link, revoke_share_link, share_url

VERIFY_LIMIT = 60  # look-ups per IP address per minute

# A learner's certificate by id, with just what a download needs (the PDF is stored once; the
# snapshot is loaded only if it must be rendered again): compiled once (cms.prepared_queries).
OWN_CERTIFICATE = PreparedQuery(
    lambda certificate, learner: Certificate.objects.filter(pk=certificate, learner_id=learner).only(
        "id", "code", "status", "pdf"
    ),
    "learner",
    uuids=["certificate"],
)


def rate_limited(request):
    # The visitor's address as allauth sees it: behind a load balancer, from X-Forwarded-For as far as
    # TRUSTED_PROXY_COUNT allows, so one visitor cannot spend everyone's allowance.
    key = f"verify-rate:{get_account_adapter().get_client_ip(request)}"
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
    certificate = next(iter(OWN_CERTIFICATE(certificate=pk, learner=request.user.pk)), None)
    if certificate is None:
        raise Http404("No such certificate.")
    if certificate.status == Certificate.Status.REVOKED:
        raise Http404("This certificate was revoked.")
    return pdf_download(certificate)


def pdf_download(certificate):
    """The certificate's stored PDF as a download (rendered and stored first if it is missing)."""
    return FileResponse(
        stored_pdf(certificate).open("rb"),
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
    share_links = list(ShareLink.objects.filter(learner=request.user).active())
    for link in share_links:
        link.url = share_url(link)
    return TemplateResponse(
        request,
        "certificates/my_certificates.html",
        {
            "certificates": certificates,
            "share_links": share_links,
            "share_link_days": SHARE_LINK_VALID_FOR.days,
        },
    )


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


@login_required
@require_POST
def share_link_create(request):
    """The learner makes a new read-only link to their record for an employer."""
    try:
        link = create_share_link(request.user)
    except SharingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Link created. It works until {date_format(timezone.localtime(link.expires_at), 'j F Y')}: "
            "copy it from the list below and send it to your employer.",
        )
    return redirect(reverse("certificates:mine") + "#share")


@login_required
@require_POST
def share_link_revoke(request, pk):
    """The learner withdraws one of their links; anybody else's is 404."""
    link = get_object_or_404(ShareLink, pk=pk, learner=request.user)
    revoke_share_link(link, actor=request.user)
    messages.success(request, "Link withdrawn. Anyone who opens it now sees that it is no longer available.")
    return redirect(reverse("certificates:mine") + "#share")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def shared_record(request, token):
    """What an employer sees from a learner's link: every certificate, read-only, while the link lasts."""
    link = ShareLink.objects.active().select_related("learner").filter(token=token).first()
    if link is None:
        return _no_store(TemplateResponse(request, "certificates/shared_record_gone.html", {}, status=404))
    certificates = list(Certificate.objects.filter(learner=link.learner).select_related("superseded_by"))
    name = certificates[0].snapshot.get("name", "") if certificates else ""
    if "@" in name:  # a snapshot taken before the learner gave a name holds their email: never show it
        name = ""
    context = {"link": link, "certificates": certificates, "name": name or link.learner.get_full_name()}
    return _no_store(TemplateResponse(request, "certificates/shared_record.html", context))

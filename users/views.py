"""A person's own data: download it as JSON, delete the account, and the privacy page."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from certificates.models import CertificateSettings

from .forms import DeleteAccountForm
from .personal_data import AccountError, delete_account, export_personal_data


@login_required
def your_data(request):
    """What we hold and the two things a person can do with it: download it, or delete the account."""
    if request.GET.get("download"):
        data = json.dumps(
            export_personal_data(request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False
        )
        response = HttpResponse(data, content_type="application/json; charset=utf-8")
        filename = f"my-training-data-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "users/your_data.html")


@login_required
def delete_account_view(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            kept = delete_account(request.user)
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(
                request,
                "Your account is deleted."
                + (
                    f" Your {kept} certificate record(s) stay checkable by their code for now."
                    if kept
                    else ""
                ),
            )
            return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, "users/delete_account.html", {"form": form}, status=status)


@require_GET
def privacy(request):
    return render(request, "privacy.html", {"retention_months": CertificateSettings.load().retention_months})

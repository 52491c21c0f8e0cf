"""The organisations a person manages: list, set up a new one, and its settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from users import roles

from .. import services
from ..access import managed_provider
from ..forms import ProviderForm, ProviderSettingsForm
from ..models import Membership


@login_required
def provider_list(request):
    memberships = (
        Membership.objects.filter(user=request.user).select_related("provider").order_by("provider__name")
    )
    return TemplateResponse(
        request,
        "providers/provider_list.html",
        {
            "managed": [m for m in memberships if m.can_manage],
            "member_of": [m for m in memberships if not m.can_manage],
        },
    )


@login_required
def provider_create(request):
    form = ProviderForm(request.POST or None, initial={"billing_email": request.user.email})
    if request.method == "POST":
        if form.is_valid():
            provider = services.create_provider(owner=request.user, **form.cleaned_data)
            roles.forget(request)  # an owner now: two-step sign-in is required from the next page
            messages.success(request, f"{provider.name} is set up. Next, buy seats for your staff.")
            return redirect("providers:buy", provider.pk)
        return TemplateResponse(request, "providers/provider_form.html", {"form": form}, status=400)
    return TemplateResponse(request, "providers/provider_form.html", {"form": form})


@login_required
def provider_settings(request, provider_id):
    provider = managed_provider(request.user, provider_id)
    form = ProviderSettingsForm(request.POST or None, instance=provider)
    context = {"provider": provider, "section": "settings", "form": form}
    if request.method == "POST":
        if form.is_valid():
            services.update_provider(provider, form, actor=request.user)
            messages.success(request, "Settings saved.")
            return redirect("providers:settings", provider.pk)
        return TemplateResponse(request, "providers/provider_settings.html", context, status=400)
    return TemplateResponse(request, "providers/provider_settings.html", context)

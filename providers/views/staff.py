"""Staff and seats: who holds a seat, who is invited, inviting (one or many), and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import ModulePage
from users import roles

from .. import bulk, services
from ..access import managed_provider
from ..models import Invitation, SeatAssignment, SeatOrder
from ..order_forms import is_row_id
from ..services import PAID_STATUSES
from ..staff_forms import BulkInviteForm, InviteForm, MoveSeatForm


def seat_modules(provider):
    """The modules ``provider`` has bought seats for: the ones its managers can invite to."""
    bought = SeatOrder.objects.filter(provider=provider, status__in=PAID_STATUSES).values("module_id")
    return ModulePage.objects.filter(pk__in=bought).order_by("title")


def posted(request, part="POST"):
    """The submitted data for a form on a POST (even an empty one), None on a GET."""
    return getattr(request, part) if request.method == "POST" else None


def back_to_staff(provider):
    """After a POST: See Other, so a reload does not post again."""
    return HttpResponseRedirect(reverse("providers:staff", args=[provider.pk]), status=303)


@login_required
def staff(request, provider_id):
    provider = managed_provider(request.user, provider_id)
    unanswered = Invitation.objects.filter(
        provider=provider, accepted_at__isnull=True, cancelled_at__isnull=True
    )
    modules = ModulePage.objects.filter(
        Q(pk__in=SeatOrder.objects.filter(provider=provider, status__in=PAID_STATUSES).values("module_id"))
        | Q(pk__in=SeatAssignment.objects.filter(provider=provider).values("module_id"))
        | Q(pk__in=unanswered.values("module_id"))
    ).order_by("title")
    counts = services.seat_counts_by_module(provider)
    seats = SeatAssignment.objects.filter(provider=provider).select_related("user", "enrolment")
    invitations = unanswered.order_by("email")
    sections = {
        module.pk: {
            "module": module,
            "counts": counts.get(module.pk, services.SeatCounts(0, 0, 0)),
            "seats": [],
            "invitations": [],
            "own_seat": False,
        }
        for module in modules
    }
    for seat in seats.order_by("user__email"):
        section = sections[seat.module_id]
        section["seats"].append(seat)
        section["own_seat"] = section["own_seat"] or seat.user_id == request.user.pk
    for invitation in invitations:
        sections[invitation.module_id]["invitations"].append(invitation)
    return TemplateResponse(
        request,
        "providers/staff.html",
        {"provider": provider, "section": "staff", "modules": list(sections.values())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, provider_id):
    provider = managed_provider(request.user, provider_id)
    modules = seat_modules(provider)
    initial = {}
    if is_row_id(request.GET.get("module", "")):
        initial["module"] = int(request.GET["module"])
    form = InviteForm(posted(request), modules=modules, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.invite(
                    provider, data["module"], data["email"], name=data["name"], actor=request.user
                )
            except services.ProviderError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return back_to_staff(provider)
        status = 400
    context = {"provider": provider, "section": "staff", "form": form, "has_modules": bool(modules)}
    return TemplateResponse(request, "providers/invite.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def bulk_invite(request, provider_id):
    """GET: the form. POST: a preview of what would happen (nothing sent). POST with signed rows: invite."""
    provider = managed_provider(request.user, provider_id)
    modules = seat_modules(provider)
    context = {"provider": provider, "section": "staff", "has_modules": bool(modules)}
    if request.method == "POST" and "signed_rows" in request.POST:
        return _bulk_confirm(request, provider, modules, context)
    form = BulkInviteForm(posted(request), posted(request, "FILES"), modules=modules)
    context["form"] = form
    if request.method == "POST":
        if not form.is_valid():
            return TemplateResponse(request, "providers/bulk_invite.html", context, status=400)
        module = form.cleaned_data["module"]
        preview = bulk.build_preview(provider, module, form.rows)
        context.update(
            preview=preview,
            summary=preview.summary,
            module=module,
            signed_rows=bulk.sign_rows(provider, module, preview.to_invite),
        )
    return TemplateResponse(request, "providers/bulk_invite.html", context)


def _bulk_confirm(request, provider, modules, context):
    try:
        module_id, rows = bulk.unsign_rows(provider, request.POST["signed_rows"])
        module = modules.filter(pk=module_id).first()
        if module is None:
            raise bulk.BulkError(
                "This organisation no longer has seats for that module, so nothing was sent."
            )
        result = bulk.confirm_bulk_invite(provider, module, rows, actor=request.user)
    except bulk.BulkError as error:
        context["confirm_error"] = str(error)
        return TemplateResponse(request, "providers/bulk_invite.html", context, status=400)
    invited = result.to_invite
    left_out = [row for row in result.rows if not row.will_invite]
    if invited:
        messages.success(
            request, f"{len(invited)} invitation{'s' if len(invited) != 1 else ''} sent for {module.title}."
        )
    if left_out:
        details = "; ".join(
            f"row {row.number} ({row.email}): {row.reason.rstrip('.').lower()}" for row in left_out
        )
        verb = "were" if len(left_out) != 1 else "was"
        messages.warning(
            request,
            f"{len(left_out)} of the people in the preview {verb} not invited "
            f"because things changed after the preview: {details}.",
        )
    return back_to_staff(provider)


def _module_from_post(request, provider):
    module_id = request.POST.get("module", "")
    if not is_row_id(module_id):
        raise Http404
    return get_object_or_404(seat_modules(provider), pk=int(module_id))


def _act(request, provider, change, success):
    """Run a service call for a one-button action; show its result and go back to the staff page."""
    try:
        change()
    except services.ProviderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return back_to_staff(provider)


@login_required
@require_POST
def take_seat(request, provider_id):
    """A manager (or a childminder, a provider of one) takes one of the free seats for themselves."""
    provider = managed_provider(request.user, provider_id)
    module = _module_from_post(request, provider)
    return _act(
        request,
        provider,
        lambda: services.assign_seat(provider, module, request.user, actor=request.user),
        f"You have a seat for {module.title}. It is on your My learning page.",
    )


@login_required
@require_POST
def invitation_resend(request, provider_id, invitation_id):
    provider = managed_provider(request.user, provider_id)
    invitation = get_object_or_404(Invitation, provider=provider, pk=invitation_id)
    return _act(
        request,
        provider,
        lambda: services.resend_invitation(invitation, actor=request.user),
        f"Invitation sent to {invitation.email} again. It now lasts another 14 days.",
    )


@login_required
@require_POST
def invitation_cancel(request, provider_id, invitation_id):
    provider = managed_provider(request.user, provider_id)
    invitation = get_object_or_404(Invitation, provider=provider, pk=invitation_id)
    return _act(
        request,
        provider,
        lambda: services.cancel_invitation(invitation, actor=request.user),
        f"Invitation for {invitation.email} cancelled. Its seat is free again.",
    )


@login_required
@require_POST
def seat_return(request, provider_id, seat_id):
    provider = managed_provider(request.user, provider_id)
    seat = get_object_or_404(SeatAssignment.objects.select_related("user"), provider=provider, pk=seat_id)
    return _act(
        request,
        provider,
        lambda: services.return_seat(seat, actor=request.user),
        f"The seat {seat.user.email} held is back in the pool.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def seat_move(request, provider_id, seat_id):
    provider = managed_provider(request.user, provider_id)
    seat = get_object_or_404(
        SeatAssignment.objects.select_related("user", "enrolment", "module"), provider=provider, pk=seat_id
    )
    started = seat.is_started
    form = MoveSeatForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.move_seat(
                    seat, email=data["email"], name=data["name"], actor=request.user
                )
            except services.ProviderError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"{seat.user.email} no longer has the seat. Invitation sent to {invitation.email}.",
                )
                return back_to_staff(provider)
        status = 400
    context = {"provider": provider, "section": "staff", "seat": seat, "started": started, "form": form}
    return TemplateResponse(request, "providers/seat_move.html", context, status=status)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The page an invitation email links to. Anyone with the link sees it; only the invited address
    can accept it, once signed in."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("provider", "module", "invited_by"), token=token
    )
    user = request.user
    error = ""
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.accept_invitation(invitation, user)
            roles.forget(request)  # a member now: the provider's local contacts end their lessons
        except services.ProviderError as problem:
            error = str(problem)
            invitation.refresh_from_db()
        else:
            messages.success(
                request,
                f"Welcome. You have a seat for {invitation.module.title} from {invitation.provider.name}.",
            )
            return redirect(invitation.module.url or reverse("my_learning"))
    context = {
        "invitation": invitation,
        "status": invitation.status,
        "error": error,
        "wrong_account": user.is_authenticated and user.email.lower() != invitation.email.lower(),
        "accepted_by_you": bool(invitation.accepted_at) and invitation.accepted_by_id == user.pk,
    }
    return TemplateResponse(request, "providers/invitation.html", context, status=400 if error else 200)

from django.urls import path

from . import webhooks
from .views import compliance, orders, providers, staff

app_name = "providers"

urlpatterns = [
    # Providers the signed-in person manages, and a new one.
    path("providers/", providers.provider_list, name="list"),
    path("providers/new/", providers.provider_create, name="create"),
    path("providers/<int:provider_id>/settings/", providers.provider_settings, name="settings"),
    # Compliance: dashboard, exports, inspection pack.
    path("providers/<int:provider_id>/", compliance.dashboard, name="dashboard"),
    path("providers/<int:provider_id>/staff.csv", compliance.staff_csv, name="staff_csv"),
    path(
        "providers/<int:provider_id>/certificates.zip", compliance.certificates_zip, name="certificates_zip"
    ),
    path(
        "providers/<int:provider_id>/certificates/<uuid:certificate_id>.pdf",
        compliance.certificate_download,
        name="certificate_download",
    ),
    path("providers/<int:provider_id>/inspection/", compliance.inspection, name="inspection"),
    path(
        "providers/<int:provider_id>/inspection/matrix.pdf", compliance.inspection_pdf, name="inspection_pdf"
    ),
    path(
        "providers/<int:provider_id>/inspection/<int:link_id>/revoke/",
        compliance.inspection_link_revoke,
        name="inspection_link_revoke",
    ),
    path("inspection/<str:token>/", compliance.inspection_public, name="inspection_public"),
    # Buying seats and billing.
    path("providers/<int:provider_id>/buy/", orders.buy_seats, name="buy"),
    path("providers/<int:provider_id>/billing/", orders.billing, name="billing"),
    path("providers/<int:provider_id>/billing/<int:order_id>/", orders.order_detail, name="order"),
    path(
        "providers/<int:provider_id>/billing/<int:order_id>/invoice.pdf",
        orders.invoice_pdf,
        name="invoice_pdf",
    ),
    path(
        "providers/<int:provider_id>/billing/<int:order_id>/cancel/", orders.order_cancel, name="order_cancel"
    ),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    # Staff, seats and invitations.
    path("providers/<int:provider_id>/staff/", staff.staff, name="staff"),
    path("providers/<int:provider_id>/staff/invite/", staff.invite, name="invite"),
    path("providers/<int:provider_id>/staff/bulk/", staff.bulk_invite, name="bulk_invite"),
    path("providers/<int:provider_id>/staff/take-seat/", staff.take_seat, name="take_seat"),
    path(
        "providers/<int:provider_id>/invitations/<int:invitation_id>/resend/",
        staff.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "providers/<int:provider_id>/invitations/<int:invitation_id>/cancel/",
        staff.invitation_cancel,
        name="invitation_cancel",
    ),
    path("providers/<int:provider_id>/seats/<int:seat_id>/return/", staff.seat_return, name="seat_return"),
    path("providers/<int:provider_id>/seats/<int:seat_id>/move/", staff.seat_move, name="seat_move"),
    path("invitations/<str:token>/", staff.invitation, name="invitation"),
]

"""Inviting many people from a CSV file or a pasted list: reading, the preview, and confirming."""

import time
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from providers import bulk, services
from providers.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bulk_url(provider):
    return reverse("providers:bulk_invite", args=[provider.pk])


def csv_file(content, name="staff.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def post(manager_client, django_capture_on_commit_callbacks, provider, module_page):
    """POST to the bulk page as the manager, running on-commit hooks (emails) as a real request would."""

    def send(data):
        data = {"module": module_page.pk, **data}
        with django_capture_on_commit_callbacks(execute=True):
            return manager_client.post(bulk_url(provider), data)

    return send


def outcomes(response):
    return [(row.email, row.outcome) for row in response.context["preview"].rows]


# --- Reading a list --------------------------------------------------------------------------


def emails_and_names(rows):
    return [(row.number, row.name, row.email) for row in rows]


def test_header_in_any_order_any_case_with_extra_columns():
    text = "Role,E-mail Address,NAME\nPractitioner,ann@example.org,Ann Ash\nCook,bob@example.org,Bob Birch\n"
    assert emails_and_names(bulk.parse(text)) == [
        (2, "Ann Ash", "ann@example.org"),
        (3, "Bob Birch", "bob@example.org"),
    ]


def test_first_name_and_surname_columns_make_the_name():
    text = "Surname,First name,Email\nAsh,Ann,ann@example.org\n"
    assert emails_and_names(bulk.parse(text)) == [(2, "Ann Ash", "ann@example.org")]


def test_utf8_with_bom_is_read():
    upload = csv_file("\ufeffName,Email\nZoë Ng,zoe@example.org\n".encode())
    assert emails_and_names(bulk.parse(bulk.read_upload(upload))) == [(2, "Zoë Ng", "zoe@example.org")]


def test_pasted_list_name_comma_email_or_just_email():
    text = (
        "Ann Ash, ann@example.org\nbob@example.org\n\n  Cy Cole <cy@example.org>\n"
        "Smith, Dee, dee@example.org\n"
    )
    assert emails_and_names(bulk.parse(text)) == [
        (1, "Ann Ash", "ann@example.org"),
        (2, "", "bob@example.org"),
        (4, "Cy Cole", "cy@example.org"),
        (5, "Smith, Dee", "dee@example.org"),
    ]


def test_tab_separated_from_a_spreadsheet():
    text = "Name\tEmail\nAnn Ash\tann@example.org\nBob Birch\tbob@example.org"
    assert emails_and_names(bulk.parse(text)) == [
        (2, "Ann Ash", "ann@example.org"),
        (3, "Bob Birch", "bob@example.org"),
    ]
    no_header = "ann@example.org\tAnn Ash\n"
    assert emails_and_names(bulk.parse(no_header)) == [(1, "Ann Ash", "ann@example.org")]


def test_unknown_column_names_are_a_row_without_email_that_explains_itself():
    rows = bulk.check_rows(bulk.parse("Staff member,Contact\nAnn Ash,ann@example.org\n"))
    assert emails_and_names(rows) == [(1, "Staff member, Contact", ""), (2, "Ann Ash", "ann@example.org")]
    assert rows[0].outcome == bulk.INVALID
    assert rows[0].reason == (
        "No email address. If this row holds column names, call the email column “Email”."
    )
    assert rows[1].outcome == ""


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This looks like an Excel workbook"),
        ("Name,Email\nZoë Ng,zoe@example.org\n".encode("cp1252"), "Save the file as CSV UTF-8"),
    ],
)
def test_files_that_are_not_utf8_csv_are_refused(data, message):
    with pytest.raises(bulk.BulkError, match=message):
        bulk.read_upload(csv_file(data))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "The list is empty"),
        ("\n , \n\n", "The list is empty"),
        ("Name,Email\n", "nobody in it"),
        ("Name,Phone\nAnn Ash,0113 496 0000\n", "could not find an email column"),
        ("Ann Ash\nBob Birch\n", "could not find an email column"),
    ],
)
def test_lists_without_people_or_emails_are_refused(text, message):
    with pytest.raises(bulk.BulkError, match=message):
        bulk.parse(text)


def test_at_most_500_rows():
    rows = "".join(f"p{i}@example.org\n" for i in range(500))
    assert len(bulk.parse("Email\n" + rows)) == 500
    with pytest.raises(bulk.BulkError, match="501 people; the most you can invite at once is 500"):
        bulk.parse("Email\n" + rows + "one-more@example.org\n")


def test_at_most_1_mb():
    big = csv_file(b"Name,Email\n" + b"x" * bulk.MAX_BYTES)
    with pytest.raises(bulk.BulkError, match="larger than 1 MB"):
        bulk.read_upload(big)


def test_invalid_missing_and_repeated_emails_are_marked():
    rows = bulk.check_rows(
        bulk.parse("Name,Email\nAnn,ann@example.org\nBad,not-an-email\nNone,\nAgain,ANN@example.org\n")
    )
    assert [(row.number, row.outcome, row.reason) for row in rows] == [
        (2, "", ""),
        (3, bulk.INVALID, "Not a valid email address."),
        (4, bulk.INVALID, "No email address."),
        (5, bulk.INVALID, "Same email address as row 2."),
    ]


# --- The preview -----------------------------------------------------------------------------


def test_preview_from_a_csv_sends_nothing(post, provider, module_page, paid_order):
    paid_order(seats=10)
    upload = csv_file("\ufeffEmail,Name\nann@example.org,Ann Ash\nbob@example.org,Bob Birch\n")

    response = post({"file": upload})

    assert response.status_code == 200
    assert outcomes(response) == [
        ("ann@example.org", bulk.WILL_INVITE),
        ("bob@example.org", bulk.WILL_INVITE),
    ]
    html = response.content.decode()
    assert "Nothing has been sent yet" in html
    assert "Send 2 invitations" in html
    assert "Ann Ash" in html
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_preview_marks_every_outcome(post, provider, module_page, paid_order, manager):
    paid_order(seats=4)
    services.assign_seat(provider, module_page, UserFactory(email="seated@example.org"), actor=manager)
    services.invite(provider, module_page, "invited@example.org", actor=manager)
    pasted = "\n".join(
        [
            "Seated Person, Seated@example.org",
            "Invited Person, invited@example.org",
            "Bad Address, nope@",
            "Ann Ash, ann@example.org",
            "Ann Again, ann@example.org",
            "Bob Birch, bob@example.org",
            "Cy Cole, cy@example.org",
        ]
    )

    response = post({"pasted": pasted})

    assert outcomes(response) == [
        ("seated@example.org", bulk.ALREADY_SEAT),
        ("invited@example.org", bulk.ALREADY_INVITED),
        ("nope@", bulk.INVALID),
        ("ann@example.org", bulk.WILL_INVITE),
        ("ann@example.org", bulk.INVALID),
        ("bob@example.org", bulk.WILL_INVITE),
        ("cy@example.org", bulk.OVER),
    ]
    assert response.context["summary"] == {
        "total": 7,
        "will_invite": 2,
        "already": 2,
        "invalid": 2,
        "over": 1,
    }
    html = response.content.decode()
    assert "Same email address as row 4." in html
    assert "Over the seat count" in html
    assert "Send 2 invitations" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"file": b"\x00\x01\x02binary"}, "This is not a CSV file"),
        ({"file": "Name,Email\nZoë,zoe@example.org\n".encode("latin-1")}, "Save the file as CSV UTF-8"),
        ({"file": "Name,Phone\nAnn,0113\n"}, "could not find an email column"),
        ({"file": ""}, "The submitted file is empty."),
        ({"pasted": "   "}, "Choose a CSV file to upload, or paste a list"),
        ({}, "Choose a CSV file to upload, or paste a list"),
        ({"file": "Email\na@example.org\n", "pasted": "b@example.org"}, "not both"),
        ({"pasted": "Email\n" + "".join(f"p{i}@example.org\n" for i in range(501))}, "at once is 500"),
    ],
)
def test_bad_lists_are_shown_as_form_errors(post, paid_order, data, message):
    paid_order(seats=10)
    if "file" in data:
        data = {**data, "file": csv_file(data["file"])}

    response = post(data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "error-summary" in response.content.decode()
    assert "preview" not in response.context
    assert not Invitation.objects.exists()


def test_file_over_1_mb_is_refused(post, paid_order):
    paid_order(seats=10)
    response = post({"file": csv_file(b"Email\n" + b"a@example.org\n" * 80_000)})
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


def test_without_seats_the_page_points_to_buying(manager_client, provider):
    response = manager_client.get(bulk_url(provider))
    assert response.status_code == 200
    assert reverse("providers:buy", args=[provider.pk]) in response.content.decode()


# --- Confirming ------------------------------------------------------------------------------


def test_confirm_invites_only_the_rows_that_fit(post, provider, module_page, paid_order):
    paid_order(seats=2)
    preview = post({"pasted": "a@example.org\nb@example.org\nc@example.org\n"})
    assert outcomes(preview)[-1] == ("c@example.org", bulk.OVER)

    response = post({"signed_rows": preview.context["signed_rows"]})

    assert response.status_code == 303
    assert response["Location"] == reverse("providers:staff", args=[provider.pk])
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["a@example.org", "b@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert services.seat_counts(provider, module_page).available == 0


def test_confirm_keeps_names_and_shows_a_message(post, manager_client, provider, paid_order, manager):
    paid_order(seats=5)
    preview = post({"pasted": "Ann Ash\tann@example.org\n"})
    post({"signed_rows": preview.context["signed_rows"]})

    invitation = Invitation.objects.get()
    assert invitation.name == "Ann Ash" and invitation.invited_by == manager
    page = manager_client.get(reverse("providers:staff", args=[provider.pk])).content.decode()
    assert "1 invitation sent for Online safety." in page


def test_confirm_re_evaluates_what_changed_since_the_preview(
    post, manager_client, provider, module_page, paid_order, manager
):
    paid_order(seats=3)
    preview = post({"pasted": "a@example.org\nb@example.org\nc@example.org\n"})
    assert [outcome for _, outcome in outcomes(preview)] == [bulk.WILL_INVITE] * 3
    # Between the preview and the confirm another manager invites b, and someone takes a seat.
    services.invite(provider, module_page, "b@example.org", actor=manager)
    services.invite(provider, module_page, "z@example.org", actor=manager)

    response = post({"signed_rows": preview.context["signed_rows"]})

    assert response.status_code == 303
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
        "z@example.org",
    ]
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    page = manager_client.get(response["Location"]).content.decode()
    assert "1 invitation sent" in page
    assert "2 of the people in the preview were not invited" in page
    assert "row 2 (b@example.org): already has an open invitation" in page
    assert "row 3 (c@example.org): no free seat left for this row" in page


def test_confirm_is_all_or_nothing(post, provider, module_page, paid_order, monkeypatch):
    paid_order(seats=5)
    preview = post({"pasted": "a@example.org\nb@example.org\nc@example.org\n"})
    real_invite = services.invite

    def failing_invite(provider, module, email, **kwargs):
        if email == "b@example.org":
            raise services.ProviderError("Something went wrong with this one.")
        return real_invite(provider, module, email, **kwargs)

    monkeypatch.setattr(services, "invite", failing_invite)
    response = post({"signed_rows": preview.context["signed_rows"]})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 2 (b@example.org): Something went wrong with this one. No invitations were sent." in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_tampered_signed_rows_are_refused(post, paid_order):
    paid_order(seats=5)
    signed = post({"pasted": "a@example.org\n"}).context["signed_rows"]
    data = signing.loads(signed, salt=bulk.SIGNING_SALT)
    data["r"].append([2, "Extra", "extra@example.org"])
    forged = signing.dumps(data, salt="not-the-salt", compress=True)

    for value in [forged, signed[:-2] + "xx", "", "garbage"]:
        response = post({"signed_rows": value})
        assert response.status_code == 400
        assert "nothing was sent" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_expired_preview_is_refused(post, paid_order):
    paid_order(seats=5)
    two_hours_ago = time.time() - 2 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=two_hours_ago):
        signed = post({"pasted": "a@example.org\n"}).context["signed_rows"]

    response = post({"signed_rows": signed})

    assert response.status_code == 400
    assert "more than an hour old" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_preview_from_another_provider_is_refused(post, provider, other_provider, module_page, paid_order):
    paid_order(seats=5)
    paid_order(seats=5, target=other_provider)
    signed = bulk.sign_rows(other_provider, module_page, [bulk.Row(1, "", "a@example.org")])

    response = post({"signed_rows": signed})

    assert response.status_code == 400
    assert "belongs to another organisation" in response.content.decode()
    assert not Invitation.objects.exists()


def test_confirm_by_another_providers_manager_is_404(client, provider, other_provider, post, paid_order):
    paid_order(seats=5)
    signed = post({"pasted": "a@example.org\n"}).context["signed_rows"]
    client.force_login(other_provider.memberships.get().user)
    assert client.post(bulk_url(provider), {"signed_rows": signed}).status_code == 404
    assert not Invitation.objects.exists()

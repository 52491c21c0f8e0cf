"""Inviting many people at once: read a CSV file or a pasted list, show what would happen, then invite.

Nothing is sent from a preview. The rows the preview would invite travel to the confirm step in a
signed value; on confirm they are checked again with the provider locked and invited in one
transaction, so either every invitation is made or none is."""

import csv
import re
from dataclasses import dataclass

from django.core import signing
from django.db import transaction

from . import services
from .models import Invitation, SeatAssignment

MAX_BYTES = 1024 * 1024
MAX_ROWS = 500
SIGNING_SALT = "providers.bulk"
SIGNED_MAX_AGE = 60 * 60  # seconds

WILL_INVITE = "will invite"
ALREADY_SEAT = "already has a seat"
ALREADY_INVITED = "already invited"
INVALID = "invalid"
OVER = "over the seat count"

EMAIL_HEADERS = {"email", "email address", "e-mail", "e-mail address", "work email", "email addresses"}
NAME_HEADERS = {"name", "full name", "staff name", "learner name", "name of staff member"}
FIRST_NAME_HEADERS = {"first name", "forename", "given name", "first names", "forenames"}
LAST_NAME_HEADERS = {"last name", "surname", "family name"}

# "Jane Smith <jane@example.org>", as an email program copies an address.
ANGLE_ADDRESS = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")


class BulkError(Exception):
    """The whole list cannot be used (wrong format, too big, no email column); the message says why."""


class BulkRowError(BulkError):
    """Confirming failed on one row; nothing was invited."""

    def __init__(self, row, message):
        self.row = row
        super().__init__(f"Row {row.number} ({row.email}): {message} No invitations were sent.")


@dataclass
class Row:
    """One person from the list. ``number`` is the row as a spreadsheet shows it (the header is row 1)."""

    number: int
    name: str
    email: str
    outcome: str = ""
    reason: str = ""
    maybe_header: bool = False  # the first row of a list without a known email column, and no email in it

    @property
    def will_invite(self):
        return self.outcome == WILL_INVITE


@dataclass
class Preview:
    rows: list
    free_seats: int

    def _count(self, *outcomes):
        return sum(1 for row in self.rows if row.outcome in outcomes)

    @property
    def to_invite(self):
        return [row for row in self.rows if row.will_invite]

    @property
    def summary(self):
        return {
            "total": len(self.rows),
            "will_invite": self._count(WILL_INVITE),
            "already": self._count(ALREADY_SEAT, ALREADY_INVITED),
            "invalid": self._count(INVALID),
            "over": self._count(OVER),
        }


# --- Reading ----------------------------------------------------------------------------------


def read_upload(upload):
    """The text of an uploaded CSV file, or BulkError with what to do about it."""
    if upload.size > MAX_BYTES:
        raise BulkError(
            "The file is larger than 1 MB. Split it into smaller files, or paste the list instead."
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BulkError(
            "The file is larger than 1 MB. Split it into smaller files, or paste the list instead."
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BulkError(
            "This looks like an Excel workbook. In Excel choose File, Save as, "
            "“CSV UTF-8 (comma delimited)”, and upload that file."
        )
    if b"\x00" in data:
        raise BulkError("This is not a CSV file. Save the file as CSV UTF-8 and upload it again.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BulkError(
            "The file is not in UTF-8. Save the file as CSV UTF-8 (in Excel: File, Save as, "
            "“CSV UTF-8 (comma delimited)”) and upload it again."
        ) from None


def _heading(cell):
    return " ".join(cell.replace("_", " ").strip().lower().split())


def _delimiter(text):
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "\t" in first:
        return "\t"
    if ";" in first and "," not in first:
        return ";"
    return ","


def _clean_name(name):
    return " ".join(name.split())[:150]


def _split_cells(cells):
    """(name, email) from a row without known columns: the cell with an @ is the email."""
    cells = [cell.strip() for cell in cells if cell.strip()]
    if len(cells) == 1:
        match = ANGLE_ADDRESS.match(cells[0])
        if match:
            return match["name"].strip().strip('"'), match["email"].strip()
    at = next((i for i, cell in enumerate(cells) if "@" in cell), None)
    if at is None:
        return ", ".join(cells), ""
    return ", ".join(cells[:at] + cells[at + 1 :]), cells[at]


def parse(text):
    """The people in ``text`` as rows, in order, before anything is checked against the database.

    A first row naming an email column (in any order, any case) is a header. Without one, each row is
    "Name, email" or just "email" (commas, semicolons or tabs from a spreadsheet)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise BulkError("The list is larger than 1 MB. Split it into smaller lists.")
    try:
        records = list(csv.reader(text.splitlines(), delimiter=_delimiter(text)))
    except csv.Error:
        raise BulkError(
            "The list could not be read as CSV. Save the file as CSV UTF-8 and try again."
        ) from None
    numbered = [
        (number, cells) for number, cells in enumerate(records, start=1) if any(c.strip() for c in cells)
    ]
    if not numbered:
        raise BulkError("The list is empty. Add one person per row, with their email address.")

    first_number, first_cells = numbered[0]
    headings = [_heading(cell) for cell in first_cells]
    if any(heading in EMAIL_HEADERS for heading in headings):
        rows = _rows_with_header(headings, numbered[1:])
    else:
        if not any("@" in cell for _, cells in numbered for cell in cells):
            raise BulkError(
                "We could not find an email column. Put the column names in the first row (for example "
                "Name and Email), or give one person per line as “Name, email”."
            )
        rows = [Row(number, *_split_cells(cells)) for number, cells in numbered]
        for row in rows:
            row.name = _clean_name(row.name)
        rows[0].maybe_header = not rows[0].email

    if not rows:
        raise BulkError("The list has column names but nobody in it. Add one person per row.")
    if len(rows) > MAX_ROWS:
        raise BulkError(
            f"The list has {len(rows)} people; the most you can invite at once is {MAX_ROWS}. "
            "Split it into smaller lists."
        )
    return rows


def _rows_with_header(headings, records):
    def column(names):
        return next((i for i, heading in enumerate(headings) if heading in names), None)

    email_at = column(EMAIL_HEADERS)
    name_at, first_at, last_at = column(NAME_HEADERS), column(FIRST_NAME_HEADERS), column(LAST_NAME_HEADERS)

    def cell(cells, index):
        return cells[index].strip() if index is not None and index < len(cells) else ""

    rows = []
    for number, cells in records:
        name = cell(cells, name_at) or f"{cell(cells, first_at)} {cell(cells, last_at)}"
        rows.append(Row(number, _clean_name(name), cell(cells, email_at)))
    return rows


# --- Checking ---------------------------------------------------------------------------------


def check_rows(rows):
    """Mark rows without a usable email, and repeats of an earlier row, as invalid. Emails are normalised."""
    seen = {}
    for row in rows:
        row.outcome, row.reason = "", ""
        if not row.email:
            row.outcome, row.reason = INVALID, "No email address."
            if row.maybe_header:
                row.reason += " If this row holds column names, call the email column “Email”."
            continue
        try:
            email = services.normalise_email(row.email)
        except services.ProviderError:
            row.outcome, row.reason = INVALID, "Not a valid email address."
            continue
        row.email = email
        if email in seen:
            row.outcome, row.reason = INVALID, f"Same email address as row {seen[email]}."
            continue
        seen[email] = row.number
    return rows


def build_preview(provider, module, rows):
    """What inviting ``rows`` would do now. Follows services.invitation_problem, in two queries rather
    than two per row; on confirm services.invite checks each row again."""
    check_rows(rows)
    with_seat = {
        email.lower()
        for email in SeatAssignment.objects.filter(provider=provider, module=module).values_list(
            "user__email", flat=True
        )
    }
    invited = {
        email.lower()
        for email in Invitation.objects.open()
        .filter(provider=provider, module=module)
        .values_list("email", flat=True)
    }
    free = services.seat_counts(provider, module).available
    remaining = free
    for row in rows:
        if row.outcome:
            continue
        if row.email in with_seat:
            row.outcome, row.reason = ALREADY_SEAT, "Already has a seat for this module."
        elif row.email in invited:
            row.outcome, row.reason = ALREADY_INVITED, "Already has an open invitation."
        elif remaining < 1:
            row.outcome, row.reason = OVER, "No free seat left for this row."
        else:
            row.outcome = WILL_INVITE
            remaining -= 1
    return Preview(rows=rows, free_seats=free)


# --- Carrying rows to the confirm step --------------------------------------------------------


def sign_rows(provider, module, rows):
    data = {"p": provider.pk, "m": module.pk, "r": [[row.number, row.name, row.email] for row in rows]}
    return signing.dumps(data, salt=SIGNING_SALT, compress=True)


def unsign_rows(provider, value):
    """(module id, rows) from a signed value made by sign_rows for this provider, or BulkError."""
    try:
        data = signing.loads(value or "", salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.SignatureExpired:
        raise BulkError("This preview is more than an hour old. Upload or paste the list again.") from None
    except signing.BadSignature:
        raise BulkError(
            "This preview could not be checked, so nothing was sent. Upload or paste the list again."
        ) from None
    if not isinstance(data, dict) or data.get("p") != provider.pk:
        raise BulkError("This preview belongs to another organisation, so nothing was sent.")
    rows = [Row(number, name, email) for number, name, email in data["r"]]
    return data["m"], rows


def confirm_bulk_invite(provider, module, rows, *, actor):
    """Check ``rows`` again with the provider locked and invite those that still fit, all in one
    transaction. Returns the Preview made under the lock (its rows say who was invited and why others
    were not). If any invitation fails, nothing is invited and BulkRowError names the row."""
    with transaction.atomic():
        provider = services.lock_provider(provider)
        preview = build_preview(provider, module, rows)
        for row in preview.to_invite:
            try:
                services.invite(provider, module, row.email, name=row.name, actor=actor)
            except services.ProviderError as error:
                raise BulkRowError(row, str(error)) from error
    return preview

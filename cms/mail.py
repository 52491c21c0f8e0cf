"""Email through the task queue: sending never waits for, or fails with, the mail server.

`QueuedEmailBackend` is the site's EMAIL_BACKEND: each message (allauth's sign-in emails,
invitations, expiry reminders, managers' digests) becomes a `deliver_email` job, which hands it to
EMAIL_DELIVERY_BACKEND (SMTP in production). A delivery that fails is retried with backoff and,
until it succeeds, listed for platform staff (cms/background.py). Queued from inside a transaction
on the database task backend, an email is stored with the change that caused it: both or neither.
"""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from .background import retried_task


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            deliver_email.enqueue(message_to_json(message))
        return len(email_messages)


def message_to_json(message):
    """The parts of an EmailMessage a job can store (JSON); message_from_json rebuilds it."""
    attachments = []
    for filename, content, mimetype in message.attachments:
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def message_from_json(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def describe_email(data):
    return f"Email to {', '.join(data['to'] + data['cc'] + data['bcc'])}: {data['subject']}"


@retried_task(describe_email)
def deliver_email(data):
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    connection.send_messages([message_from_json(data)])

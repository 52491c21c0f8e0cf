"""Learner and provider records (enrolments, progress, responses, memberships, seats, orders,
invitations, links, webhook events, digests) are kept out of Wagtail's reference index now
(``wagtail_reference_index_ignore``): remove the rows it held for them."""

from django.db import migrations

RECORDS = {
    "courses": ["enrolment", "lessonprogress"],
    "quizzes": ["response", "attempt"],
    "certificates": ["sharelink", "certificate"],
    "providers": [
        "membership",
        "seatorder",
        "seatassignment",
        "invitation",
        "inspectionlink",
        "stripeevent",
        "managerdigest",
    ],
}


def forget_records(apps, schema_editor):
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    for app_label, models in RECORDS.items():
        ReferenceIndex.objects.filter(
            content_type__app_label=app_label, content_type__model__in=models
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_task_failures"),
        ("wagtailcore", "0078_referenceindex"),
    ]

    operations = [migrations.RunPython(forget_records, migrations.RunPython.noop)]

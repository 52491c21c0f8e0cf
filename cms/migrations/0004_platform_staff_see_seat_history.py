from django.db import migrations

from cms.roles import apply_roles


class Migration(migrations.Migration):
    """Platform staff may view seats and invitations (cms/roles.py), so their audit log entries
    show in the admin's site history."""

    dependencies = [
        ("cms", "0003_roles_and_review_workflow"),
        ("providers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]

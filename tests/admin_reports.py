"""What the admin report tests share: reading a CSV export, and signing in with named permissions."""

import csv
import io

from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def sign_in_with(client, *codenames):
    """Sign in an admin user whose only permissions are ``codenames`` (plus admin access)."""
    user = UserFactory()
    group = Group.objects.create(name="Report readers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    client.force_login(user)
    return group

"""A job for the worker tests (tests/cms/test_background.py): importable by a db_worker process."""

import time
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

from cms.background import retried_task


@retried_task(lambda name, pause_file: f"Test job {name}")
def write_two_groups(name, pause_file):
    """Writes two rows in one transaction; while `pause_file` exists it stops between them, so a
    test can kill the worker mid-job."""
    with transaction.atomic():
        Group.objects.get_or_create(name=f"{name}-first")
        pause = Path(pause_file)
        if pause.exists():
            pause.with_suffix(".started").touch()
            deadline = time.monotonic() + 60
            while pause.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        Group.objects.get_or_create(name=f"{name}-second")
    return name

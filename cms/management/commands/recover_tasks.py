from django.core.management.base import BaseCommand

from cms.background import recover_tasks


class Command(BaseCommand):
    help = (
        "Recover background jobs: queue again any job whose worker stopped mid-run (still marked running "
        "TASK_STALLED_AFTER_MINUTES after it started), and, on a task backend that cannot hold a job until "
        "later, run the retries of failed jobs that are due. Safe to run at any time and from several "
        "machines; the scheduler runs it every five minutes."
    )

    def handle(self, *args, **options):
        counts = recover_tasks()
        self.stdout.write(
            f"Queued again {counts['requeued']} stalled job(s); gave up on {counts['given_up']}; "
            f"retried {counts['retried']} failed job(s)."
        )

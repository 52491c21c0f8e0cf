from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from certificates.tasks import send_daily_reminders


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "The daily reminder job: learners' expiry reminders (30 days, 7 days, on the day) and the weekly "
        "digest for each provider's managers, then erasing the certificates of deleted accounts past their "
        "retention date. The scheduler (a cron job or systemd timer) runs it once a "
        "day; running it again the same day sends nothing twice. It enqueues the work on the task backend "
        "(settings.TASKS) and prints the counts when the result is available; --run-here does the work in "
        "this process instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--run-here",
            action="store_true",
            help="Do the work in this process, without the task backend.",
        )

    def handle(self, *args, **options):
        if options["run_here"]:
            counts = send_daily_reminders.call()
        else:
            result = send_daily_reminders.enqueue()
            if not result.is_finished:  # a queue with workers: the worker records the outcome
                self.stdout.write(f"Queued the daily reminder job as task {result.id}.")
                return
            if result.status == TaskResultStatus.FAILED:
                detail = result.errors[-1].traceback.strip().splitlines()[-1] if result.errors else ""
                raise CommandError(f"The daily reminder job failed (see the log). {detail}".strip())
            counts = result.return_value
        self.stdout.write(f"Sent {plural(counts['certificate_reminders'], 'certificate reminder')}.")
        self.stdout.write(f"Sent {plural(counts['manager_digests'], 'manager digest')}.")
        self.stdout.write(
            f"Erased {plural(counts['erased_certificates'], 'certificate')} of deleted accounts "
            "past their retention date."
        )

from django.core.management.base import BaseCommand

from certificates.reminders import send_expiry_reminders


class Command(BaseCommand):
    help = "Email expiry reminders (30 days, 7 days, on the day). Safe to run daily, and twice."

    def handle(self, *args, **options):
        sent = send_expiry_reminders()
        self.stdout.write(f"Sent {sent} certificate reminder{'s' if sent != 1 else ''}.")

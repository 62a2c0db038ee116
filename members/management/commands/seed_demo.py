from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members import demo


class Command(BaseCommand):
    help = "Load the demo schools (大坪小学 and 红岩小学) with logins; running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Seed even though DEBUG is off.")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed demo data anyway.")
        with transaction.atomic():
            committees = demo.seed_demo()
        for committee in committees:
            self.stdout.write(f"{committee.school_name} ({committee.slug}): {committee.members.count()} members")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Every demo login uses the password {demo.DEMO_PASSWORD}.")
        )

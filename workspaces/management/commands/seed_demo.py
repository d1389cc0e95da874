import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from workspaces.demo import DEMO_PASSWORD, seed_workspace_demo


class Command(BaseCommand):
    help = "Loads an idempotent demo workspace (Arabic and English names) and prints its logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Create the demo accounts (whose password is public) although DEBUG is off.",
        )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError(
                "DEBUG is off: the demo accounts' password is public, so they are not created on a server. "
                "Pass --allow-without-debug to create them anyway."
            )
        workspace, store, logins = seed_workspace_demo()
        for path in settings.DEMO_SEEDERS:  # later apps add their demo data (config wires them)
            import_string(path)(workspace=workspace, store=store)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace #{workspace.pk}: {workspace.name}"))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            self.stdout.write(f"  {role:<11} {email}")
        base = f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
        self.stdout.write(f"Admin: {base}/admin/   API docs: {base}/api/docs/")

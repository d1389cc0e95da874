from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from workspaces.demo import DEMO_PASSWORD, seed_workspace_demo


class Command(BaseCommand):
    help = "Loads an idempotent demo workspace (Arabic and English names) and prints its logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        workspace, store, logins = seed_workspace_demo()
        for path in settings.DEMO_SEEDERS:  # later apps add their demo data (config wires them)
            import_string(path)(workspace=workspace, store=store)
        self.stdout.write(self.style.SUCCESS(f"Demo workspace #{workspace.pk}: {workspace.name}"))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, role in logins:
            self.stdout.write(f"  {role:<11} {email}")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/   API docs: http://127.0.0.1:8000/api/docs/")

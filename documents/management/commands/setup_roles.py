from django.core.management.base import BaseCommand

from documents.roles import roles_set_up


class Command(BaseCommand):
    help = "Create or update the registry roles (groups and their permissions). Idempotent."

    def handle(self, *args, **options) -> None:
        for role, group in roles_set_up().items():
            self.stdout.write(f"{role}: {group.permissions.count()} permissions")

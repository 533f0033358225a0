from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from documents.demo import demo_load


class Command(BaseCommand):
    help = (
        "Load the demo register: the sample documents 5397/24 and WK 9107/2022 INIT, their "
        "procedures, bodies and meeting, the delegations and (with DEBUG on) demo users. "
        "Running it twice changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="create the demo users even with DEBUG off (their passwords are public)",
        )
        parser.add_argument("--no-users", action="store_true", help="create no demo users")

    def handle(self, *args, with_users: bool, no_users: bool, **options) -> None:
        if with_users and no_users:
            raise CommandError("--with-users and --no-users exclude each other")
        create_users = not no_users and (settings.DEBUG or with_users)
        users = demo_load(with_users=create_users)
        self.stdout.write(self.style.SUCCESS("Demo register loaded."))
        if not users and not no_users:
            self.stdout.write("No demo users: DEBUG is off (pass --with-users to force).")
        for user in users:
            self.stdout.write(f"  {user.username:12} / {user.password:26} {user.description}")

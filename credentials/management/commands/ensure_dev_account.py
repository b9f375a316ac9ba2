import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create a local development account on first run and print how to sign in. "
        "Only runs with DJANGO_DEBUG on; the password is kept in .local/dev-account.txt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="dev", help="Name of the account to create (default: dev).")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Address of the site, for the sign-in hint.")

    def handle(self, *args, username, url, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_account only runs with DJANGO_DEBUG on; use createsuperuser in production.")

        password_file = Path(settings.LOCAL_DIR) / "dev-account.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(username=username, email="", password=password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(f"{username}\n{password}\n", encoding="utf-8")
            password_file.chmod(0o600)
        elif password_file.exists():
            password = password_file.read_text(encoding="utf-8").splitlines()[1]
        else:
            self.stdout.write(f"Sign in as {username} with the password you set for it.")
            return

        self.stdout.write(self.style.SUCCESS(f"Sign in at {url} as {username} / {password}"))
        self.stdout.write("This is a local development account; the password is kept in .local/dev-account.txt.")

from django.core.management.base import BaseCommand, CommandError

from credentials.keystore import DEFAULT_BATCH_SIZE, UndecryptableKeysError, rotate_keys


class Command(BaseCommand):
    help = (
        "Encrypt every stored API key again with the first FIELD_ENCRYPTION_KEY entry. Safe to run "
        "again: rows already on that key are skipped. See the README for the whole rotation procedure."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows re-encrypted per transaction.")
        parser.add_argument(
            "--skip-undecryptable",
            action="store_true",
            help="Leave keys that do not decrypt as they are instead of stopping before any change.",
        )

    def handle(self, *args, batch_size, skip_undecryptable, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            report = rotate_keys(batch_size, skip_undecryptable)
        except UndecryptableKeysError as error:
            for pk, name in error.credentials:
                self.stdout.write(f"Credential {pk} “{name}” does not decrypt.")
            raise CommandError(
                f"Nothing was changed: {len(error.credentials)} stored keys do not decrypt with any "
                "FIELD_ENCRYPTION_KEY entry. Add the missing key, or run again with --skip-undecryptable."
            ) from None
        for pk, name in report.skipped:
            self.stdout.write(f"Skipped credential {pk} “{name}”: it does not decrypt.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {report.rotated} keys; {report.already_current} were already on the current key; "
                f"skipped {len(report.skipped)}."
            )
        )

from django.core.management.base import BaseCommand, CommandError

from credentials.keystore import DEFAULT_BATCH_SIZE, undecryptable_credentials
from credentials.models import Credential


class Command(BaseCommand):
    help = (
        "Decrypt every stored API key and list, by id and name, those that no FIELD_ENCRYPTION_KEY "
        "entry decrypts. Exits with status 1 when there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows read per query.")

    def handle(self, *args, batch_size, **options):
        total = Credential.objects.count()
        failures = 0
        for credential in undecryptable_credentials(batch_size):
            failures += 1
            self.stdout.write(f"Credential {credential.pk} “{credential.name}” does not decrypt.")
        if failures:
            raise CommandError(
                f"{failures} of {total} stored keys do not decrypt. Add the key that encrypted them to "
                "FIELD_ENCRYPTION_KEY, or have their owners re-enter them."
            )
        self.stdout.write(self.style.SUCCESS(f"All {total} stored keys decrypt."))

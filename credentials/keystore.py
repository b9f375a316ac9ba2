"""Whole-table operations on stored keys: finding rows that do not decrypt, and key rotation.

Both walk the table in primary-key order, one batch at a time, so memory stays flat however many
credentials there are.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from credentials.encryption import current_key_id
from credentials.fields import EncryptedToken
from credentials.models import Credential

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500


def batches(queryset, batch_size: int) -> Iterator[list[Credential]]:
    """Yield the queryset's rows in primary-key order, batch_size at a time."""
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def undecryptable_credentials(batch_size: int = DEFAULT_BATCH_SIZE, queryset=None) -> Iterator[Credential]:
    """Yield every credential whose key none of the configured keys decrypts. Decrypts every key."""
    queryset = Credential.objects.all() if queryset is None else queryset
    for batch in batches(queryset.only("id", "name", "api_key"), batch_size):
        for credential in batch:
            if isinstance(credential.api_key, EncryptedToken):
                yield credential


@dataclass
class RotationReport:
    rotated: int = 0
    already_current: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


class UndecryptableKeysError(Exception):
    def __init__(self, credentials: list[tuple[int, str]]):
        self.credentials = credentials
        super().__init__(f"{len(credentials)} stored keys do not decrypt")


def rotate_keys(batch_size: int = DEFAULT_BATCH_SIZE, skip_undecryptable: bool = False) -> RotationReport:
    """Encrypt every stored key again with the first FIELD_ENCRYPTION_KEY entry.

    Rows already encrypted with that key are left alone, so running it twice changes nothing.
    Raises UndecryptableKeysError before changing anything if a key does not decrypt, unless
    skip_undecryptable is set, in which case those rows are left as they are and reported.
    """
    target = current_key_id()
    report = RotationReport(already_current=Credential.objects.filter(encryption_key_id=target).count())
    pending = Credential.objects.exclude(encryption_key_id=target)

    unreadable = [(credential.pk, credential.name) for credential in undecryptable_credentials(batch_size, pending)]
    if unreadable and not skip_undecryptable:
        raise UndecryptableKeysError(unreadable)
    report.skipped = unreadable
    skipped_pks = {pk for pk, _ in unreadable}

    last_pk = 0
    while True:
        with transaction.atomic():
            # Locked until the batch is written, so a key replaced meanwhile is not overwritten.
            rows = list(
                pending.select_for_update().only("id", "api_key", "encryption_key_id").filter(pk__gt=last_pk).order_by("pk")[:batch_size]
            )
            if not rows:
                break
            last_pk = rows[-1].pk
            rows = [row for row in rows if row.pk not in skipped_pks and not isinstance(row.api_key, EncryptedToken)]
            for row in rows:
                row.encryption_key_id = target
            # Saving the decrypted value encrypts it with the first key.
            Credential.objects.bulk_update(rows, ["api_key", "encryption_key_id"])
        report.rotated += len(rows)
        logger.info("Re-encrypted %d stored keys so far", report.rotated)
    return report

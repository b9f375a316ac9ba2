"""Key rotation of many stored credentials beside a plain batched update of the same rows.

Both passes walk the table in primary-key order in batches of the same size. The plain pass writes
the ``description`` column with ``bulk_update``. The rotation calls ``credentials.keystore.rotate_keys``
after FIELD_ENCRYPTION_KEY becomes ``[new, old]``. Memory is the process's resident set size (VmRSS),
sampled after every batch, and its peak (VmHWM), reset before each pass through /proc/self/clear_refs.

    DJANGO_SETTINGS_MODULE=benchmarks.settings DATABASE_URL=... python -m benchmarks.rotation --rows 100000 --out result.json
"""

import argparse
import gc
import json
import logging
from time import perf_counter

from benchmarks.system import read_status_kib, reset_peak_rss

# Rows in the Fernet micro-benchmark that splits rotation time into cryptography and the rest.
CRYPTO_SAMPLE = 5000


class RssSampler(logging.Handler):
    """A logging handler that records VmRSS each time rotate_keys logs the end of a batch."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.samples_kib: list[int] = []

    def emit(self, record):
        self.samples_kib.append(read_status_kib("self", "VmRSS"))


def memory_summary(start_kib: int, samples_kib: list[int], peak_kib: int | None) -> dict:
    """Summarise a pass's memory: start, peak, end, and growth from the first tenth of the batches to the highest sample."""
    samples = samples_kib or [start_kib]
    early = samples[max(0, len(samples) // 10 - 1)]
    return {
        "rss_start_mib": start_kib / 1024,
        "rss_peak_mib": (peak_kib if peak_kib is not None else max(samples)) / 1024,
        "rss_end_mib": samples[-1] / 1024,
        "rss_after_first_tenth_mib": early / 1024,
        "growth_after_first_tenth_mib": (max(samples) - early) / 1024,
        "peak_growth_mib": ((peak_kib if peak_kib is not None else max(samples)) - start_kib) / 1024,
        "batches": len(samples_kib),
    }


def plain_update(batch_size: int, fields: tuple[str, ...] = ("description",)) -> tuple[int, list[int]]:
    """Rewrite text columns of every row in primary-key batches, as rotate_keys walks the table."""
    from django.db import transaction

    from credentials.models import Credential

    updated = 0
    samples = []
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Credential.objects.select_for_update().only("id", *fields).filter(pk__gt=last_pk).order_by("pk")[:batch_size]
            )
            if not rows:
                break
            last_pk = rows[-1].pk
            for row in rows:
                for name in fields:
                    setattr(row, name, f"{getattr(row, name)} (reviewed)"[:200])
            Credential.objects.bulk_update(rows, list(fields))
        updated += len(rows)
        samples.append(read_status_kib("self", "VmRSS"))
    return updated, samples


def fernet_costs(old_token: str) -> dict:
    """Time the cryptography that rotation does per row: two decryptions with [new, old] and one encryption."""
    from encrypted_model_fields import fields as encrypted_fields

    crypter = encrypted_fields.CRYPTER
    token = old_token.encode("utf-8")
    start = perf_counter()
    for _ in range(CRYPTO_SAMPLE):
        plaintext = crypter.decrypt(token)
    decrypt_seconds = (perf_counter() - start) / CRYPTO_SAMPLE
    start = perf_counter()
    for _ in range(CRYPTO_SAMPLE):
        crypter.encrypt(plaintext)
    encrypt_seconds = (perf_counter() - start) / CRYPTO_SAMPLE
    return {
        "decrypt_with_second_key_us": decrypt_seconds * 1e6,
        "encrypt_us": encrypt_seconds * 1e6,
        # The check pass decrypts every pending row once, and the rotation pass decrypts it again.
        "per_row_us": (2 * decrypt_seconds + encrypt_seconds) * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Time key rotation against a plain batched update.")
    parser.add_argument("--rows", type=int, default=100_000, help="Stored credentials to rotate (default 100000).")
    parser.add_argument("--out", required=True, help="JSON file for the results.")
    args = parser.parse_args()

    import django

    django.setup()
    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from benchmarks.seed import create_user, fill_credentials
    from benchmarks.server_time import analyze_if_postgresql, database_description
    from credentials.encryption import configured_keys, current_key_id, reload_crypter
    from credentials.keystore import DEFAULT_BATCH_SIZE, rotate_keys, undecryptable_credentials
    from credentials.models import Credential

    call_command("migrate", verbosity=0)
    owner = create_user("rotation-user")
    seed_start = perf_counter()
    fill_credentials(owner, args.rows)
    seed_seconds = perf_counter() - seed_start
    analyze_if_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM credentials_credential ORDER BY id LIMIT 1")
        old_token = cursor.fetchone()[0]
    print(f"  {database_description()}: seeded {args.rows} credentials in {seed_seconds:.1f} s", flush=True)

    gc.collect()
    peak_resets = reset_peak_rss()
    start_kib = read_status_kib("self", "VmRSS")
    start = perf_counter()
    updated, plain_samples = plain_update(DEFAULT_BATCH_SIZE)
    plain_seconds = perf_counter() - start
    plain = {"rows": updated, "seconds": plain_seconds, "rows_per_second": updated / plain_seconds}
    # Without a reset, VmHWM would be the peak of seeding, so the batch samples stand in for it.
    plain.update(memory_summary(start_kib, plain_samples, read_status_kib("self", "VmHWM") if peak_resets else None))
    print(f"  plain update: {updated} rows in {plain_seconds:.1f} s", flush=True)

    # The rotation writes two columns, api_key and encryption_key_id. The same walk writing two plain
    # text columns shows how much of the difference comes from bulk_update's work per column.
    start = perf_counter()
    updated, _ = plain_update(DEFAULT_BATCH_SIZE, ("description", "status_message"))
    two_columns_seconds = perf_counter() - start
    two_columns = {"rows": updated, "seconds": two_columns_seconds, "rows_per_second": updated / two_columns_seconds}
    print(f"  plain update of two columns: {updated} rows in {two_columns_seconds:.1f} s", flush=True)

    new_key = Fernet.generate_key().decode()
    sampler = RssSampler()
    keystore_logger = logging.getLogger("credentials.keystore")
    with override_settings(FIELD_ENCRYPTION_KEY=[new_key, *configured_keys()]):
        reload_crypter()
        # rotate_keys first reads and decrypts every pending row to find unreadable keys. Timing that
        # read-only pass on its own shows how the rotation's time splits between checking and rewriting.
        start = perf_counter()
        pending = Credential.objects.exclude(encryption_key_id=current_key_id())
        unreadable = sum(1 for _ in undecryptable_credentials(DEFAULT_BATCH_SIZE, pending))
        check_seconds = perf_counter() - start
        keystore_logger.addHandler(sampler)
        previous_level = keystore_logger.level
        keystore_logger.setLevel(logging.INFO)
        # Quiet the console: the sampler still receives each "Re-encrypted ..." record.
        previous_propagate, keystore_logger.propagate = keystore_logger.propagate, False
        try:
            gc.collect()
            peak_resets = reset_peak_rss() and peak_resets
            start_kib = read_status_kib("self", "VmRSS")
            start = perf_counter()
            report = rotate_keys(batch_size=DEFAULT_BATCH_SIZE)
            rotation_seconds = perf_counter() - start
            peak_kib = read_status_kib("self", "VmHWM") if peak_resets else None
        finally:
            keystore_logger.removeHandler(sampler)
            keystore_logger.setLevel(previous_level)
            keystore_logger.propagate = previous_propagate

        remaining = Credential.objects.exclude(encryption_key_id=current_key_id()).count()
        sample = Credential.objects.order_by("?").only("id", "api_key").first()
        costs = fernet_costs(old_token)
    reload_crypter()

    rotation = {
        "rows": report.rotated,
        "skipped": len(report.skipped),
        "seconds": rotation_seconds,
        "rows_per_second": report.rotated / rotation_seconds,
        "not_rotated_after": remaining,
        "check_pass_seconds": check_seconds,
        "unreadable_before": unreadable,
        "sample_decrypts": isinstance(sample.api_key, str) and sample.api_key.startswith("sk-or-v1-"),
    }
    rotation.update(memory_summary(start_kib, sampler.samples_kib, peak_kib))
    print(f"  rotation: {report.rotated} rows in {rotation_seconds:.1f} s", flush=True)

    results = {
        "database": database_description(),
        "rows": args.rows,
        "batch_size": DEFAULT_BATCH_SIZE,
        "seed_seconds": seed_seconds,
        "plain": plain,
        "plain_two_columns": two_columns,
        "rotation": rotation,
        "fernet": costs,
        "peak_from_vmhwm": peak_resets,
    }
    with open(args.out, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=2)


if __name__ == "__main__":
    main()

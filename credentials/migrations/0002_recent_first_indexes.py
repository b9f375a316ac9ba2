"""Indexes in the order of SORT_ORDERS["last_used"], so the first page of tiles or of the Credentials
page reads only that page instead of sorting every credential of the user.

PostgreSQL sorts NULL first in a descending index unless told otherwise. SQLite rejects NULLS LAST in
an index, but already puts NULL last when descending, so plain DESC gives the same order there.
"""

from django.db import migrations

INDEXES = {
    "credential_tiles_recent_first": "owner_id, connector, last_used_at DESC{nulls}, created_at DESC, id DESC",
    "credential_list_recent_first": "owner_id, last_used_at DESC{nulls}, created_at DESC, id DESC",
}


def create_indexes(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON credentials_credential ({columns.format(nulls=nulls)})")


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX {name}")


class Migration(migrations.Migration):
    dependencies = [("credentials", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

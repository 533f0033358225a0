"""GIN index for full-text search over subjects (PostgreSQL only; SQLite has no such index).

The expression is the one ``documents.search.SUBJECT_VECTOR`` compiles to, so the planner uses it.
"""

from django.db import migrations

INDEX = "documents_document_subject_fts_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON documents_document USING gin "
            "(to_tsvector('english'::regconfig, COALESCE(subject, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""The audit trail counts reads per (user, document, Brussels day, door) instead of a row each.

1. New columns (``day`` nullable for now, ``count``, ``last_at``).
2. Existing rows are folded: every row gets its Brussels day; the read rows of one user,
   document, day and door become their oldest row, with the number of rows as ``count``, the
   first and last times, and the address of the latest. Downloads are left one row each.
3. ``day`` becomes required; the unique index the upsert counts into, and the checks.

Not reversible past step 2 in content: unfolding would invent times. Reversing keeps the
folded rows (one per day, their ``count`` dropped with the column).
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BRUSSELS = "Europe/Brussels"

_FOLD_POSTGRESQL = [
    # Deferred foreign-key checks would block the ALTER TABLEs of step 3 in this transaction.
    "SET CONSTRAINTS ALL IMMEDIATE",
    f"""UPDATE documents_documentread
        SET day = (at AT TIME ZONE '{BRUSSELS}')::date, last_at = at, count = 1""",
    """UPDATE documents_documentread AS r
        SET count = g.n, at = g.first_at, last_at = g.last_at, address = g.address
        FROM (
            SELECT DISTINCT ON (user_id, document_id, day, via)
                   MIN(id) OVER w AS keep, COUNT(*) OVER w AS n, MIN(at) OVER w AS first_at,
                   MAX(at) OVER w AS last_at, address
            FROM documents_documentread
            WHERE kind = 'read'
            WINDOW w AS (PARTITION BY user_id, document_id, day, via)
            ORDER BY user_id, document_id, day, via, at DESC, id DESC
        ) AS g
        WHERE r.id = g.keep AND g.n > 1""",
    """DELETE FROM documents_documentread AS d
        USING documents_documentread AS k
        WHERE d.kind = 'read' AND k.kind = 'read' AND d.user_id = k.user_id
          AND d.document_id = k.document_id AND d.day = k.day AND d.via = k.via
          AND d.id > k.id""",
]


def fold(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in _FOLD_POSTGRESQL:
                cursor.execute(statement)
        return
    _fold_in_python(apps.get_model("documents", "DocumentRead"))


def _fold_in_python(DocumentRead):
    """The same fold for the demo's SQLite (small tables), row by row."""
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo(BRUSSELS)
    kept = {}
    for row in DocumentRead.objects.order_by("at", "id"):
        row.day = row.at.astimezone(brussels).date()
        row.last_at = row.at
        key = (row.user_id, row.document_id, row.day, row.via)
        if row.kind != "read":
            row.save(update_fields=["day", "last_at"])
        elif key not in kept:
            kept[key] = row
            row.count = 1
            row.save(update_fields=["day", "last_at", "count"])
        else:
            first = kept[key]
            first.count += 1
            first.last_at, first.address = row.at, row.address
            first.save(update_fields=["count", "last_at", "address"])
            row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0008_subject_code_year_and_orderings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="documentread",
            name="count",
            field=models.PositiveIntegerField(default=1, help_text="reads that day (downloads: 1)"),
        ),
        migrations.AddField(
            model_name="documentread",
            name="day",
            field=models.DateField(null=True, help_text="calendar day in Brussels"),
        ),
        migrations.AddField(
            model_name="documentread",
            name="last_at",
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="latest read"),
        ),
        migrations.AlterField(
            model_name="documentread",
            name="address",
            field=models.GenericIPAddressField(
                blank=True, help_text="client address (of the latest read of the day)", null=True
            ),
        ),
        migrations.AlterField(
            model_name="documentread",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, help_text="first read"
            ),
        ),
        migrations.RunPython(fold, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="documentread",
            name="day",
            field=models.DateField(help_text="calendar day in Brussels"),
        ),
        migrations.AddIndex(
            model_name="documentread",
            index=models.Index(fields=["day"], name="documents_documentread_day_idx"),
        ),
        migrations.AddConstraint(
            model_name="documentread",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "read")),
                fields=("user", "document", "day", "via"),
                name="documents_documentread_one_row_per_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentread",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "download"), ("user__isnull", False), _connector="OR"),
                name="documents_documentread_read_has_reader",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentread",
            constraint=models.CheckConstraint(
                condition=models.Q(("count__gte", 1)),
                name="documents_documentread_count_positive",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentread",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "read"), ("count", 1), _connector="OR"),
                name="documents_documentread_download_counted_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentread",
            constraint=models.CheckConstraint(
                condition=models.Q(("last_at__gte", models.F("at"))),
                name="documents_documentread_last_after_first",
            ),
        ),
    ]

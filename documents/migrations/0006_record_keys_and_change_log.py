"""Stable keys for bodies and meetings; a change log of every record kind with visibility states.

Existing change rows are kept: each becomes a document change whose state after is its old
snapshot and whose state before is the snapshot of the document's previous change.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models
from django.utils.text import slugify

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _unique(base: str, taken: set[str]) -> str:
    base = slugify(base).strip("-")[:70].strip("-") or "record"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    taken.add(key)
    return key


def keys_fill(apps, schema_editor):
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    Body = apps.get_model("documents", "Body")
    Meeting = apps.get_model("documents", "Meeting")
    HistoricalMeeting = apps.get_model("documents", "HistoricalMeeting")
    taken: set[str] = set()
    slugs = {}
    for body in Body.objects.order_by("pk"):
        body.slug = _unique(body.abbreviation or body.name, taken)
        body.save(update_fields=["slug"])
        slugs[body.pk] = body.slug
    taken = set()
    for meeting in Meeting.objects.order_by("starts_at", "pk"):
        day = meeting.starts_at.astimezone(brussels).date().isoformat()
        meeting.key = _unique(f"{slugs[meeting.body_id]} {day}", taken)
        meeting.save(update_fields=["key"])
        HistoricalMeeting.objects.filter(id=meeting.pk).update(key=meeting.key)


def changes_convert(apps, schema_editor):
    Change = apps.get_model("documents", "Change")
    State = apps.get_model("documents", "VisibilityState")
    Distribution = apps.get_model("documents", "DocumentDistribution")
    HistoricalDocument = apps.get_model("documents", "HistoricalDocument")
    slugs = dict(HistoricalDocument.objects.values_list("id", "slug"))
    distributed: dict[int, list[int]] = {}
    for document_id, delegation_id in Distribution.objects.values_list(
        "document_id", "delegation_id"
    ):
        distributed.setdefault(document_id, []).append(delegation_id)
    states: dict[tuple, int] = {}

    def state(change) -> int:
        ids = sorted(distributed.get(change.document_id, []))
        facts = (
            change.series, change.classification, change.distribution,
            change.released_at is not None, f",{','.join(map(str, ids))}," if ids else "",
        )  # fmt: skip
        if facts not in states:
            states[facts] = State.objects.get_or_create(
                record=False, series=facts[0], classification=facts[1], distribution=facts[2],
                released=facts[3], distributed=facts[4],
            )[0].pk  # fmt: skip
        return states[facts]

    before: dict[int, int | None] = {}
    for change in Change.objects.order_by("document_id", "id").iterator():
        now = None if change.kind == "deleted" else state(change)
        change.record = "document"
        change.record_id = change.document_id
        change.key = slugs.get(change.document_id) or f"document-{change.document_id}"
        change.scope = "listing"
        change.was_id = before.get(change.document_id)
        change.now_id = now
        if change.was_id is None and change.now_id is None:
            change.now_id = state(change)
        change.save()
        before[change.document_id] = now


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_change_snapshot")]

    operations = [
        # --- keys of bodies and meetings ---------------------------------------------------
        migrations.AddField(
            model_name="body",
            name="slug",
            field=models.SlugField(max_length=80, null=True, editable=False, db_index=False),
        ),
        migrations.AddField(
            model_name="meeting",
            name="key",
            field=models.SlugField(max_length=100, null=True, editable=False, db_index=False),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="key",
            field=models.SlugField(max_length=100, null=True, editable=False, db_index=False),
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="body",
            name="slug",
            field=models.SlugField(editable=False, max_length=80, unique=True),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="key",
            field=models.SlugField(editable=False, max_length=100, unique=True),
        ),
        migrations.AlterField(
            model_name="historicalmeeting",
            name="key",
            field=models.SlugField(db_index=True, editable=False, max_length=100, default=""),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="body",
            constraint=models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN), name="documents_body_slug_form"
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(key__regex=SLUG_PATTERN), name="documents_meeting_key_form"
            ),
        ),
        # --- indexes of the lists' keysets -------------------------------------------------
        migrations.RemoveIndex(model_name="document", name="documents_document_date_idx"),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["date", "id"], name="documents_document_date_idx"),
        ),
        migrations.RemoveIndex(model_name="meeting", name="documents_meeting_starts_idx"),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["starts_at", "id"], name="documents_meeting_starts_idx"),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                fields=["body", "starts_at", "id"], name="documents_meeting_body_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(fields=["updated_at", "id"], name="documents_meeting_updated_idx"),
        ),
        # --- visibility states and the change log of every record kind -----------------------
        migrations.CreateModel(
            name="VisibilityState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("record", models.BooleanField(default=False)),
                ("series", models.CharField(blank=True, max_length=8)),
                ("classification", models.PositiveSmallIntegerField(default=0)),
                ("distribution", models.CharField(blank=True, max_length=10)),
                ("released", models.BooleanField(default=False)),
                ("distributed", models.CharField(blank=True, max_length=500)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "record", "series", "classification", "distribution", "released",
                            "distributed",
                        ),
                        name="documents_visibilitystate_unique",
                    ),  # fmt: skip
                    models.CheckConstraint(
                        condition=models.Q(("distributed", ""))
                        | models.Q(("distributed__regex", "^,([0-9]+,)+$")),
                        name="documents_visibilitystate_distributed_list",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("record", False))
                        | models.Q(
                            ("classification", 0), ("distributed", ""), ("distribution", ""),
                            ("released", False), ("series", ""),
                        ),
                        name="documents_visibilitystate_record_has_no_facts",
                    ),  # fmt: skip
                    models.CheckConstraint(
                        condition=models.Q(("record", True)) | models.Q(("series", ""), _negated=True),
                        name="documents_visibilitystate_document_has_series",
                    ),
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="change", name="documents_change_kind_known"),
        migrations.AddField(
            model_name="change",
            name="record",
            field=models.CharField(
                choices=[
                    ("document", "Document"), ("procedure", "Procedure"), ("meeting", "Meeting"),
                    ("body", "Body"), ("subject-code", "Subject Code"),
                    ("delegation", "Delegation"),
                ],
                default="document",
                max_length=20,
            ),  # fmt: skip
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change", name="record_id", field=models.BigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="change",
            name="key",
            field=models.CharField(default="", max_length=80),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change",
            name="scope",
            field=models.CharField(
                choices=[
                    ("listing", "what everyone who sees the record sees"),
                    ("full", "what only readers of the whole record see"),
                    ("link", "a link to a document, shown according to that document's visibility"),
                ],
                default="listing",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change",
            name="fields",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="change",
            name="link_level",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        *[
            migrations.AddField(
                model_name="change",
                name=name,
                field=models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to="documents.visibilitystate",
                ),
            )
            for name in ("was", "now", "link_was", "link_now")
        ],
        migrations.RunPython(changes_convert, migrations.RunPython.noop),
        migrations.RemoveField(model_name="change", name="document_id"),
        migrations.RemoveField(model_name="change", name="series"),
        migrations.RemoveField(model_name="change", name="classification"),
        migrations.RemoveField(model_name="change", name="distribution"),
        migrations.RemoveField(model_name="change", name="released_at"),
        migrations.AlterField(
            model_name="change", name="record_id", field=models.BigIntegerField()
        ),
        migrations.AlterField(
            model_name="change",
            name="changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="change",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Created"), ("updated", "Updated"), ("released", "Released"),
                    ("withdrawn", "Withdrawn"), ("classified", "Classified"), ("moved", "Moved"),
                    ("cancelled", "Cancelled"), ("deleted", "Deleted"),
                ],
                max_length=20,
            ),  # fmt: skip
        ),
        migrations.AddIndex(
            model_name="change",
            index=models.Index(
                fields=["record", "record_id", "position"], name="documents_change_record_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="change",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "created", "updated", "released", "withdrawn", "classified", "moved",
                            "cancelled", "deleted",
                        ],
                    )
                ),
                name="documents_change_kind_known",
            ),  # fmt: skip
        ),
        migrations.AddConstraint(
            model_name="change",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "record__in",
                        ["document", "procedure", "meeting", "body", "subject-code", "delegation"],
                    ),
                    ("scope__in", ["listing", "full", "link"]),
                ),
                name="documents_change_vocabularies",
            ),
        ),
        migrations.AddConstraint(
            model_name="change",
            constraint=models.CheckConstraint(
                condition=models.Q(("was__isnull", False), ("now__isnull", False), _connector="OR"),
                name="documents_change_of_something",
            ),
        ),
        migrations.AddConstraint(
            model_name="change",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("link_level__isnull", False),
                        ("scope", "link"),
                        ("link_level__in", [1, 2]),
                        models.Q(
                            ("link_was__isnull", False), ("link_now__isnull", False), _connector="OR"
                        ),
                    ),
                    models.Q(
                        models.Q(("scope", "link"), _negated=True),
                        ("link_level__isnull", True),
                        ("link_now__isnull", True),
                        ("link_was__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="documents_change_link_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="change",
            constraint=models.CheckConstraint(
                condition=models.Q(("key", ""), _negated=True), name="documents_change_key_given"
            ),
        ),
    ]

"""The document's year beside each of its subject codes (one index range for "JAI documents of
2024"), and orderings by column rather than by relation (a prefetch no longer joins documents to
sort)."""

from django.db import migrations, models


def years_fill(apps, schema_editor):
    for name in ("DocumentSubjectCode", "HistoricalDocumentSubjectCode"):
        model = apps.get_model("documents", name)
        document = apps.get_model("documents", "Document")
        model.objects.update(
            year=models.Subquery(
                document.objects.filter(pk=models.OuterRef("document_id")).values("year")[:1]
            )
        )
    # History rows of documents deleted since keep a year of their own history row.
    historical = apps.get_model("documents", "HistoricalDocumentSubjectCode")
    past = apps.get_model("documents", "HistoricalDocument")
    historical.objects.filter(year__isnull=True).update(
        year=models.Subquery(
            past.objects.filter(id=models.OuterRef("document_id")).values("year")[:1]
        )
    )
    historical.objects.filter(year__isnull=True).update(year=1952)


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_reminders")]

    operations = [
        migrations.AddField(
            model_name="documentsubjectcode",
            name="year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="historicaldocumentsubjectcode",
            name="year",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(years_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="documentsubjectcode",
            name="year",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AlterField(
            model_name="historicaldocumentsubjectcode",
            name="year",
            field=models.PositiveSmallIntegerField(),
        ),
        migrations.AddIndex(
            model_name="documentsubjectcode",
            index=models.Index(
                fields=["subject_code", "year", "document"], name="documents_dsc_code_year_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                condition=models.Q(("comments_due__isnull", False)),
                fields=["comments_due"],
                name="documents_document_due_idx",
            ),
        ),
        migrations.AlterModelOptions(
            name="document",
            options={
                "ordering": ["-date", "-id"],
                "permissions": [
                    ("release_document", "Can release LIMITE documents and undo a release"),
                    ("classify_document", "Can set the EU classification of documents"),
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="documentsubjectcode",
            options={"ordering": ["document_id", "order", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="citation",
            options={"ordering": ["document_id", "order", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="documentfile",
            options={"ordering": ["document_id", "language"]},
        ),
        migrations.AlterModelOptions(
            name="agendaitem",
            options={"ordering": ["meeting_id", "order"]},
        ),
        migrations.AlterModelOptions(
            name="procedureevent",
            options={"ordering": ["procedure_id", "date", "order", "pk"]},
        ),
    ]

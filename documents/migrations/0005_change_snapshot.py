from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_document_read")]

    # The snapshot of a change: what decided who could see the document just after it.
    operations = [
        migrations.AddField(
            model_name="change",
            name="series",
            field=models.CharField(default="ST", max_length=8),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change",
            name="classification",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change",
            name="distribution",
            field=models.CharField(default="PUBLIC", max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="change",
            name="released_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

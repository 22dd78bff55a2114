"""A product's embedding holds one vector per indexed photo, tied to all of those photos."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_productembedding"),
    ]

    operations = [
        migrations.RenameField(model_name="productembedding", old_name="image_sha256", new_name="photos_sha256"),
        migrations.AlterField(
            model_name="productembedding",
            name="photos_sha256",
            field=models.CharField(help_text="sha256 of the embedded photos' sha256s, in order.", max_length=64),
        ),
        migrations.AddField(
            model_name="productembedding",
            name="photos",
            field=models.PositiveSmallIntegerField(default=1, help_text="How many photos (and so vectors) are stored."),
        ),
        migrations.AlterField(
            model_name="productembedding",
            name="vector",
            field=models.BinaryField(help_text="photos x dim float32, little-endian, rows of unit length."),
        ),
    ]

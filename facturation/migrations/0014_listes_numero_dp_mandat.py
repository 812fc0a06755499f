from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facturation", "0013_apir_facture_telechargee_le"),
    ]

    operations = [
        migrations.AddField(
            model_name="facture",
            name="numero_dp_mandat",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=50, verbose_name="numéro DP mandat"
            ),
        ),
    ]

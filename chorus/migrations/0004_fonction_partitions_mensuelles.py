from django.db import migrations

from chorus.partitions import FONCTION_SQL, FONCTION_SQL_INVERSE


class Migration(migrations.Migration):
    dependencies = [("chorus", "0003_messages")]

    operations = [migrations.RunSQL(FONCTION_SQL, FONCTION_SQL_INVERSE)]

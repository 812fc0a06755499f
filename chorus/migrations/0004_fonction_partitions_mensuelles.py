from django.db import migrations

from chorus.partitions import BORNE_SQL, FONCTION_SQL, FONCTION_SQL_INVERSE


class Migration(migrations.Migration):
    dependencies = [("chorus", "0003_messages")]

    operations = [migrations.RunSQL(BORNE_SQL + FONCTION_SQL, FONCTION_SQL_INVERSE)]

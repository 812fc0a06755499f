"""Technical accounts process the invoices their structure receives (``traiter/recue``): those created before hold
« Factures reçues » in consultation only, and move to modification, as ``PROFILS_COMPTE_TECHNIQUE`` now gives."""

from django.db import migrations


def factures_recues_en_modification(apps, schema_editor):
    CompteTechnique = apps.get_model("organisation", "CompteTechnique")
    Habilitation = apps.get_model("organisation", "StructureUserObjectPermission")
    Permission = apps.get_model("auth", "Permission")
    modification = Permission.objects.filter(
        codename="factures_recues_modification", content_type__app_label="organisation"
    ).first()
    if modification is None:  # a new database: permissions come after migrate, and there is no account yet
        return
    consultations = Habilitation.objects.filter(
        permission__codename="factures_recues_consultation",
        user_id__in=CompteTechnique.objects.values("utilisateur_id"),
    )
    Habilitation.objects.bulk_create(
        [
            Habilitation(user_id=user_id, content_object_id=structure_id, permission=modification)
            for user_id, structure_id in consultations.values_list("user_id", "content_object_id")
        ],
        ignore_conflicts=True,
    )
    consultations.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("organisation", "0005_identifiants_siret_diffusion"),
    ]

    operations = [migrations.RunPython(factures_recues_en_modification, migrations.RunPython.noop)]

import django.db.models.deletion
from django.db import migrations, models

# The piece now carries all five of its dossier's actors, so that the perimeter (``PieceQuerySet.visibles_par``) is
# read on the piece alone, without the dossier join. Migration 0003's triggers copy the two new ones as well.
DERIVEES = """
CREATE OR REPLACE FUNCTION travaux_piece_derivees() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.fournisseur_id, d.validateur_id, d.moe_id, d.moa_id, d.destinataire_id
    INTO NEW.dossier_fournisseur_id, NEW.dossier_validateur_id, NEW.dossier_moe_id, NEW.dossier_moa_id,
        NEW.dossier_destinataire_id
    FROM travaux_dossierfacturation d WHERE d.id = NEW.dossier_id;
    NEW.etat_courant := COALESCE((SELECT f.statut FROM facturation_facture f WHERE f.id = NEW.facture_id), NEW.statut);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION travaux_dossier_acteurs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE travaux_piecetravaux SET dossier_fournisseur_id = NEW.fournisseur_id,
        dossier_validateur_id = NEW.validateur_id, dossier_moe_id = NEW.moe_id, dossier_moa_id = NEW.moa_id,
        dossier_destinataire_id = NEW.destinataire_id
    WHERE dossier_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER travaux_dossier_acteurs ON travaux_dossierfacturation;
CREATE TRIGGER travaux_dossier_acteurs
    AFTER UPDATE OF fournisseur_id, validateur_id, moe_id, moa_id, destinataire_id ON travaux_dossierfacturation
    FOR EACH ROW WHEN (OLD.fournisseur_id IS DISTINCT FROM NEW.fournisseur_id
        OR OLD.validateur_id IS DISTINCT FROM NEW.validateur_id OR OLD.moe_id IS DISTINCT FROM NEW.moe_id
        OR OLD.moa_id IS DISTINCT FROM NEW.moa_id OR OLD.destinataire_id IS DISTINCT FROM NEW.destinataire_id)
    EXECUTE FUNCTION travaux_dossier_acteurs();

-- Yesterday's pieces: the BEFORE UPDATE trigger fills the new columns.
UPDATE travaux_piecetravaux SET statut = statut;
"""
# Back to migration 0003's triggers.
SANS_DERIVEES = """
CREATE OR REPLACE FUNCTION travaux_piece_derivees() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.fournisseur_id, d.moe_id, d.moa_id INTO NEW.dossier_fournisseur_id, NEW.dossier_moe_id, NEW.dossier_moa_id
    FROM travaux_dossierfacturation d WHERE d.id = NEW.dossier_id;
    NEW.etat_courant := COALESCE((SELECT f.statut FROM facturation_facture f WHERE f.id = NEW.facture_id), NEW.statut);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION travaux_dossier_acteurs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE travaux_piecetravaux SET dossier_fournisseur_id = NEW.fournisseur_id, dossier_moe_id = NEW.moe_id,
        dossier_moa_id = NEW.moa_id
    WHERE dossier_id = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER travaux_dossier_acteurs ON travaux_dossierfacturation;
CREATE TRIGGER travaux_dossier_acteurs AFTER UPDATE OF fournisseur_id, moe_id, moa_id ON travaux_dossierfacturation
    FOR EACH ROW WHEN (OLD.fournisseur_id IS DISTINCT FROM NEW.fournisseur_id OR OLD.moe_id IS DISTINCT FROM NEW.moe_id
        OR OLD.moa_id IS DISTINCT FROM NEW.moa_id)
    EXECUTE FUNCTION travaux_dossier_acteurs();
"""


def _copie_acteur():
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to="organisation.structure",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0008_merge_comptes_raccordements"),
        ("travaux", "0003_perf_tableau_de_bord"),
    ]

    operations = [
        migrations.AddField(model_name="piecetravaux", name="dossier_validateur", field=_copie_acteur()),
        migrations.AddField(model_name="piecetravaux", name="dossier_destinataire", field=_copie_acteur()),
        # The triggers fill the new columns before their indexes are built (one pass over the pieces).
        migrations.RunSQL(DERIVEES, SANS_DERIVEES),
        migrations.AddIndex(
            model_name="piecetravaux",
            index=models.Index(
                condition=models.Q(("dossier_validateur__isnull", False)),
                fields=["dossier_validateur"],
                name="piece_validateur_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="piecetravaux",
            index=models.Index(
                condition=models.Q(("dossier_destinataire__isnull", False)),
                fields=["dossier_destinataire"],
                name="piece_destinataire_idx",
            ),
        ),
    ]

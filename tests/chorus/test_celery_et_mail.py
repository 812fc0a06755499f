from pathlib import Path

from celery.schedules import crontab
from django.core.mail import EmailMessage

from chorus.celery import app
from chorus.mail import DevEmailBackend


def test_configuration_celery_ne_perd_pas_de_travail():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    app.loader.import_default_modules()
    assert {"chorus.tasks.sweep_outbox", "organisation.tasks.appliquer_modifications_differees"} <= set(app.tasks)


def test_beat_balaye_la_boite_d_envoi_et_les_modifications_chaque_minute():
    schedule = app.conf.beat_schedule
    by_task = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    for task in ("chorus.tasks.sweep_outbox", "organisation.tasks.appliquer_modifications_differees"):
        assert by_task[task] == crontab()  # every minute
        assert task in app.tasks
    # Nothing is scheduled far ahead with a countdown: every periodic entry runs at least every minute.
    assert by_task["chorus.tasks.heartbeat"] <= 60


def test_courriels_de_developpement_dans_des_fichiers_et_la_console(settings, tmp_path, capsys):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    backend = DevEmailBackend()
    sent = backend.send_messages([EmailMessage("Sujet de test", "Corps du message", to=["x@exemple.fr"])])
    assert sent == 1
    files = list(Path(tmp_path).iterdir())
    assert len(files) == 1
    assert "Corps du message" in files[0].read_text()
    assert "Sujet de test" in capsys.readouterr().out

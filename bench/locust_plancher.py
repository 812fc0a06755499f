"""The HTTP floor for ``bench/charge.py``: the anchors' ``http/djapp.py`` (Django, two middlewares, one indexed
SELECT of 50 rows answered as JSON) loaded by the same locust, the same number of users and no think time. What
the portal serves per second next to this is the portal's own cost per request on this machine, in this minute."""

import random

from locust import HttpUser, task


class Plancher(HttpUser):
    @task
    def synthese(self):
        self.client.get(f"/synthese?r={random.randint(1, 5000)}", name="plancher: Django + SELECT")

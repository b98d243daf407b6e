"""The Celery application: settings come from Django's (``CELERY_`` prefix), tasks from each app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorat.settings")

app = Celery("mentorat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _make_filesystem_queue(sender, **kwargs):
    """The embedded ``filesystem://`` broker needs its folders before the first message."""
    # Read Django's settings, not ``sender.conf``: the latter is what is being configured here,
    # and reading it re-enters this signal (a RecursionError that Celery only logs).
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)

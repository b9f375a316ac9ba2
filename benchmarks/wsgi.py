"""WSGI entry point for gunicorn in benchmark runs: the app's pages plus the minimal page."""

import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"

application = get_wsgi_application()

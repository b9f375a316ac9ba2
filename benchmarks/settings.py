"""The project's settings for benchmark runs: the same middleware, with the minimal page's urlconf.

The environment is set by benchmarks/run.py: production mode (DJANGO_DEBUG=false), secrets generated
for the run, a throwaway DATABASE_URL and BENCHMARK_STATIC_ROOT for collectstatic's output.
"""

import os

from nexlacreds.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# Production serves the hashed files written by collectstatic; each run collects into a temporary folder.
STATIC_ROOT = os.environ.get("BENCHMARK_STATIC_ROOT") or STATIC_ROOT  # noqa: F405

"""gunicorn reads this file from the working directory: the registry's settings, which
ship inside the package (``registry/gunicorn_conf.py``; installed elsewhere, name them
with ``-c python:registry.gunicorn_conf``)."""
from registry.gunicorn_conf import *  # noqa: F403

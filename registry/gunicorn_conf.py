"""gunicorn settings the registry is run and measured with: ``gunicorn -c
python:registry.gunicorn_conf`` where the package is installed; from a checkout,
``./gunicorn.conf.py`` (read by gunicorn from the working directory) loads this module.

Only process-level tuning lives here; addresses, worker counts and timeouts are given
on the command line (README, "Running in production").
"""
import gc

# Threads per worker: the worker's main loop keeps telling the arbiter it is alive while
# a request thread sends a large label file to a slow phone (a sync worker is killed at
# the timeout, 30 s, in the middle of such a download).
worker_class = "gthread"
threads = 4

# gunicorn 25.1+ runs a control-socket server in a thread of the arbiter, which then
# forks workers while that thread may hold a lock (its log line races the fork): a
# worker could start with the logging lock taken and hang at its first log call, as a
# test run did. Every instance also shares one socket path (~/.gunicorn/gunicorn.ctl).
# The registry does not use gunicornc: no control socket (older gunicorns ignore this).
control_socket_disable = True


def post_worker_init(worker):  # noqa: ARG001 - gunicorn's hook signature
    """Once the app is loaded in a worker, move everything alive into the permanent
    generation: the collector then stops walking the app's long-lived objects (models,
    templates, the route map) at every collection, which measured as about a tenth of a
    scan's CPU time (benchmarks/README.md)."""
    gc.collect()
    gc.freeze()

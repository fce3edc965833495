"""gunicorn's settings for an app host: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`
(deploy/web.sh). The multi-host proof (tests/deploy/test_multi_host.py) starts its two app
hosts with this file.

Threads, because checkout and the payment notification wait on Midtrans (up to
MIDTRANS_TIMEOUT_SECONDS): a sync worker would sit idle through every call.

The app is built before the port is bound (preload): a host coming back refuses
connections until it can serve, so the proxy moves on to the other host at once, instead
of queueing requests on a socket that answers only once the app has booted (the proof saw
such a request wait 10 s and fail). Each worker drops the database connections the master
opened while building it (post_fork), so no connection is shared between processes.
"""

import gc
import multiprocessing
import os

# The host's private address, reached by the proxy only (firewall the port to it).
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# A request longer than this is a stuck worker (Midtrans's calls time out after 13 s).
timeout = 60
# On SIGTERM (a deploy), requests in flight get this long to finish before the worker goes.
graceful_timeout = 30
# Longer than the proxy keeps a client connection waiting on nothing, never the bottleneck.
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # the proxy's log is the one read
errorlog = "-"
preload_app = True
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def pre_fork(server, worker):
    # The app the master built is moved out of the garbage collector's reach: a collection
    # in a worker would otherwise write to every object's header and so copy nearly every
    # page the workers share (measured: a worker's private memory 58 -> 31 MB, bench/README.md).
    gc.freeze()


def post_fork(server, worker):
    from shop.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)  # the master's pooled connections stay the master's

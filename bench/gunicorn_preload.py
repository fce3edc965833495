"""gunicorn settings for storefront_ratios.py --preload: the app built once in the master and
shared by the workers copy-on-write, as deploy/gunicorn.conf.py runs it in production.

Each worker drops the database connections the master opened while building the app (a
connection must never be shared between processes); any Flask-SQLAlchemy app, so the
minimal catalog too.
"""

import gc

preload_app = True


def pre_fork(server, worker):
    # What the master built is kept out of the collector's reach, so that a collection in a
    # worker does not write to (and so copy) every page of it: as deploy/gunicorn.conf.py.
    gc.freeze()


def post_fork(server, worker):
    app = server.app.wsgi()
    extension = getattr(app, "extensions", {}).get("sqlalchemy")
    if extension is None:  # the bare Flask page
        return
    with app.app_context():
        for engine in extension.engines.values():
            engine.dispose(close=False)  # the master's pooled connections stay the master's

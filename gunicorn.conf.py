"""Gunicorn settings, read by `gunicorn wsgi:app` started in this folder (docs/operations.md).

The application is loaded once in the master and the workers are forked from it, so the code,
templates and translations they all use are shared copy-on-write instead of being loaded again
by each worker. Command-line options (--workers, --bind) still apply on top of these.
"""

from __future__ import annotations

import gc

preload_app = True


def when_ready(server: object) -> None:
    """What the workers would each build on their first requests is built once here
    (lms.preload). Then everything loaded so far is kept out of the garbage collector's passes:
    a pass writes to each object it scans, which would copy the shared pages into every worker."""
    app = _lms_app(server)
    if app is not None:
        from lms.preload import warm_up

        warm_up(app)
    gc.freeze()


def post_fork(server: object, worker: object) -> None:
    """No worker uses a database connection the master opened."""
    app = _lms_app(server)
    if app is not None:
        from lms.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)


def _lms_app(server: object) -> object | None:
    """The application the master loaded, when it is this LMS (gunicorn also serves other
    apps from this folder: bench/bare.py)."""
    app = getattr(server.app, "callable", None)
    return app if getattr(app, "import_name", None) == "lms" else None

"""Work done once in gunicorn's master before it forks the workers (gunicorn.conf.py).

What every worker would otherwise build for itself on its first requests (the ORM's mapper
configuration, the compiled templates, the translations) is built once here and shared
copy-on-write by all workers.
"""

from __future__ import annotations

from flask import Flask

from lms.extensions import db


def warm_up(app: Flask) -> None:
    """Configure the mappers, compile every template, load each language's translations."""
    from flask import session
    from flask_babel import get_translations, refresh
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml", "svg")):
        app.jinja_env.get_template(name)
    for language in app.config["LANGUAGES"]:
        with app.test_request_context("/"):
            session["lang"] = language
            refresh()
            get_translations()
    # A few requests that every worker would otherwise answer first: they build the URL
    # map's matcher, the database dialect's first-connection state and the per-process caches.
    client = app.test_client()
    for path in ("/healthz", "/login", "/"):
        client.get(path)
    with app.app_context():
        db.engine.dispose()  # no connection of the master's is inherited

"""Training platform for community digital technology teams."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from lms.config import Config, engine_options


class _Flask(Flask):
    """Flask, asking once per function whether it is a coroutine: Flask asks for every
    request hook and view on every request (a dozen `inspect` calls each), and none is."""

    _SYNC_KEPT = 512  # functions made per request (`after_this_request`) must not pile up

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        kept = self.__dict__.setdefault("_sync_functions", {})
        found = kept.get(func)
        if found is None:
            if len(kept) >= self._SYNC_KEPT:
                kept.clear()
            found = kept[func] = super().ensure_sync(func)
        return found


def create_app(config: type[Config] = Config) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI."""
    config.check()
    app = _Flask(__name__, instance_path=str(config.INSTANCE_DIR.resolve()))
    app.config.from_object(config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if reports_url := app.config.get("REPORTS_DATABASE_URL"):
        # lms/reports_db.py: the officers' reports read from this bind, nothing writes to it.
        app.config.setdefault("SQLALCHEMY_BINDS", {})["reports"] = {
            "url": reports_url, **engine_options(reports_url)}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        config.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    from lms import cli, i18n, navigation, public_url, security, sqlite, template_helpers
    from lms.api.account_views import bp as tokens_bp
    from lms.api.views import bp as api_bp
    from lms.audit.views import bp as audit_bp
    from lms.auth import init_auth
    from lms.authoring.views import bp as authoring_bp
    from lms.certification.views import bp as certification_bp
    from lms.classes.views import bp as classes_bp
    from lms.courses.views import bp as courses_bp
    from lms.credentials.views import bp as credentials_bp
    from lms.dashboards.views import bp as dashboards_bp
    from lms.error_pages import register_error_handlers
    from lms.extensions import csrf, db, login_manager, migrate
    from lms.fieldlog import routes as fieldlog_routes
    from lms.jobs.views import bp as jobs_bp
    from lms.main.views import bp as main_bp
    from lms.offline.views import bp as offline_bp
    from lms.people.areas.views import bp as units_bp
    from lms.people.roster.views import bp as roster_bp
    from lms.people.views import bp as people_bp
    from lms.quizzes.views import bp as quizzes_bp
    from lms.static_files import init_app as init_static_files

    init_static_files(app)  # first: its compression runs after every other handler
    sqlite.enable_foreign_keys()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    init_auth(app)
    navigation.init_app(app)
    template_helpers.init_app(app)
    register_error_handlers(app)
    security.init_app(app)
    public_url.init_app(app)
    app.register_blueprint(main_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(units_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(credentials_bp)  # before /verify/<code>: it owns /verify/<code>.json
    app.register_blueprint(certification_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(classes_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(offline_bp)
    fieldlog_routes.init_app(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(jobs_bp)
    cli.init_app(app)
    return app

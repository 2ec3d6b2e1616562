"""Language choice: Vietnamese by default, English on request."""

from __future__ import annotations

from flask import Flask, current_app, request, session

from lms.extensions import babel


def wants_english() -> bool:
    """The API's language rule: `lang` first, then Accept-Language; Vietnamese by default."""
    asked = request.args.get("lang", "")
    if asked in ("vi", "en"):
        return asked == "en"
    return request.accept_languages.best_match(["vi", "en"], default="vi") == "en"


def select_locale() -> str:
    """The language chosen in this session, else Vietnamese. API calls carry no session:
    `lang` or Accept-Language chooses (wants_english)."""
    if request and request.path.startswith("/api/"):
        return "en" if wants_english() else "vi"
    chosen = session.get("lang") if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(app.root_path) + "/translations")

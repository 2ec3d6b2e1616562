"""Language choice: Vietnamese by default, English on request."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from werkzeug.wrappers import Response

from lms.extensions import babel

# The choice lives in a cookie of its own, written only by the language switch. Kept in the
# session, it could be lost: every response rewrites the session cookie, so a request still in
# flight from the page before the switch (the offline worker fetching pages, say) could answer
# last and put back the old session without the new language.
COOKIE = "lms_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def wants_english() -> bool:
    """The API's language rule: `lang` first, then Accept-Language; Vietnamese by default."""
    asked = request.args.get("lang", "")
    if asked in ("vi", "en"):
        return asked == "en"
    return request.accept_languages.best_match(["vi", "en"], default="vi") == "en"


def select_locale() -> str:
    """The language chosen on this browser (its cookie, else the session), else Vietnamese.
    API calls carry neither: `lang` or Accept-Language chooses (wants_english)."""
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        return "en" if wants_english() else "vi"
    for chosen in (request.cookies.get(COOKIE), session.get("lang")):
        if chosen in current_app.config["LANGUAGES"]:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_language(response: Response, language: str, *, secure: bool) -> Response:
    """Keep the chosen `language` in this browser's cookie for a year; it also holds after
    logging in or out."""
    response.set_cookie(COOKIE, language, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=secure)
    return response


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector."""
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(app.root_path) + "/translations")

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from lms.i18n import select_locale
from tests.conftest import post_form

CATALOGUE = Path(__file__).parent.parent / "lms/translations/vi/LC_MESSAGES/messages.po"


def test_vietnamese_is_the_default_and_english_is_one_tap_away(client, db):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page
    response = post_form(client, "/language", {"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Log in" in page and "Đăng nhập" not in page


def test_the_language_is_kept_in_a_cookie_only_the_switch_writes(app, client, db):
    """Every response rewrites the session cookie, so a request still in flight from the page
    before the switch could answer last and put back a session without the new language:
    the choice lives in a cookie of its own, and that cookie decides over the session."""
    response = post_form(client, "/language", {"lang": "en", "next": "/login"})
    assert "lms_lang=en" in response.headers["Set-Cookie"]
    assert "lms_lang" not in client.get("/login").headers.get("Set-Cookie", "")
    with app.test_request_context("/login", headers={"Cookie": "lms_lang=en"}):
        assert select_locale() == "en"  # an older session without the choice changes nothing
    with app.test_request_context("/login", headers={"Cookie": "lms_lang=xx"}):
        assert select_locale() == "vi"
    with app.test_request_context("/api/v1/courses", headers={"Cookie": "lms_lang=en"}):
        assert select_locale() == "vi"  # the API follows `lang` and Accept-Language only


def test_language_switch_ignores_unknown_languages_and_foreign_next(client, db):
    response = post_form(client, "/language", {"lang": "xx", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    assert 'lang="vi"' in client.get("/").get_data(as_text=True)


def test_error_pages_are_friendly_in_both_languages(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.get_data(as_text=True)
    post_form(client, "/language", {"lang": "en", "next": "/"})
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_every_message_in_the_code_has_a_vietnamese_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id and (
        m.string if isinstance(m.string, str) else all(m.string))}
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    in_code = {message[2] if isinstance(message[2], str) else message[2][0]
               for message in extract_from_dir(CATALOGUE.parents[3], method_map,
                                               keywords=keywords)}
    assert sorted(in_code - translated) == []


def test_compiled_catalogue_matches_the_source():
    def entries(catalogue) -> dict:  # noqa: ANN001
        def text(value: object) -> str:
            return value if isinstance(value, str) else str(tuple(value))

        return {text(m.id): text(m.string) for m in catalogue if m.id}

    with CATALOGUE.open("rb") as handle:
        source = entries(read_po(handle))
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = entries(read_mo(handle))
    assert compiled == source

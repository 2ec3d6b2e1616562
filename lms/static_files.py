"""Static files for slow links: content-fingerprinted names cached for a year, compressed
responses (brotli or gzip) for text, and a safe cache policy for pages (docs/operations.md).

Every `url_for("static", filename=...)` names the file with a digest of its content
(`css/app.css` becomes `css/app.<12 hex>.css`), served with `Cache-Control: public,
max-age=31536000, immutable`: a browser never asks for it again, and a new version has a new
name. The plain name, and a name with an older digest (a page kept from before a deploy),
still answer with the current file, cached for a short while only. The files are read and
their digests made once, when the app starts; each is compressed once per encoding
(Flask-Compress's cache), and pages, JSON and SVG are compressed as they are sent.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, Request, abort, current_app, request, session
from flask_compress import Compress
from werkzeug.wrappers import Response

IMMUTABLE = "public, max-age=31536000, immutable"
# The plain name (and an outdated digest): the current file, checked again after 5 minutes.
SHORT = "public, max-age=300"
# Pages hold personal data: kept only by the person's own browser, and checked on every view.
PAGES = "private, no-cache"
DIGEST_LENGTH = 12
_FINGERPRINTED = re.compile(
    rf"^(?P<stem>.+)\.[0-9a-f]{{{DIGEST_LENGTH}}}(?P<suffix>\.[A-Za-z0-9]+)$")
# Text worth compressing; images (PNG, JPEG), PDF, XLSX, ZIP and audio are compressed already.
COMPRESSED_TYPES = ("text/html", "text/css", "text/javascript", "application/javascript",
                    "application/json", "application/manifest+json", "application/ld+json",
                    "application/problem+json", "image/svg+xml")
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class StaticFile:
    """One file of lms/static, read into memory."""

    name: str  # as url_for names it: "css/app.css"
    data: bytes
    digest: str
    media_type: str

    @property
    def fingerprinted(self) -> str:
        """The name with the digest before the suffix: "css/app.1a2b3c4d5e6f.css"."""
        stem, dot, suffix = self.name.rpartition(".")
        if not dot or "/" in suffix:
            return f"{self.name}.{self.digest}"
        return f"{stem}.{self.digest}.{suffix}"


class StaticFiles:
    """The files of a folder (the whole of lms/static is under 100 KB), read once."""

    def __init__(self, folder: Path) -> None:
        self.by_name: dict[str, StaticFile] = {}
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            name = path.relative_to(folder).as_posix()
            data = path.read_bytes()
            media_type = (_MEDIA_TYPES.get(path.suffix)
                          or mimetypes.guess_type(name)[0] or "application/octet-stream")
            self.by_name[name] = StaticFile(name, data, hashlib.sha256(data).hexdigest()
                                            [:DIGEST_LENGTH], media_type)
        self.by_fingerprinted = {file.fingerprinted: file for file in self.by_name.values()}
        self.by_digest = {file.digest: file for file in self.by_name.values()}

    def url_name(self, name: str) -> str:
        """The fingerprinted name of `name` (unchanged when there is no such file)."""
        found = self.by_name.get(name)
        return found.fingerprinted if found else name

    def find(self, name: str) -> tuple[StaticFile, bool] | None:
        """The file a URL names, and whether the URL names this very content (immutable)."""
        if (found := self.by_fingerprinted.get(name)) is not None:
            return found, True
        if (found := self.by_name.get(name)) is not None:
            return found, False
        if (match := _FINGERPRINTED.match(name)) is not None:  # an older version's name
            found = self.by_name.get(match.group("stem") + match.group("suffix"))
            if found is not None:
                return found, False
        return None


def _files() -> StaticFiles:
    return current_app.extensions["lms_static"]


def serve(filename: str) -> Response:
    """A static file: a year's cache under its fingerprinted name, 5 minutes under others."""
    found = _files().find(filename)
    if found is None:
        abort(404)
    file, immutable = found
    response = current_app.response_class(file.data, mimetype=file.media_type)
    response.set_etag(file.digest)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else SHORT
    return response.make_conditional(request)


def _fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = _files().url_name(values["filename"])


def _compression_key(req: Request) -> str:
    """Static files are compressed once per encoding (keyed by their digest); nothing else is
    kept (see _StaticOnly)."""
    if req.endpoint == "static" and req.view_args:
        found = _files().find(req.view_args.get("filename", ""))
        if found is not None:
            return f"static:{found[0].digest}"
    return ""


class _StaticOnly:
    """Flask-Compress's cache backend. Its keys are "<encoding>;<our key>": a static file is
    compressed the first time it is asked for, at the smallest size (brotli 11, gzip 9: once,
    so the time does not matter), and kept. Any other key (every other response has an empty
    key of ours) is neither read nor kept: were the library to change its keys, it would
    compress each static file on each request, at its own level: slower, never wrong."""

    _KEY = re.compile(r"^(br|gzip);static:([0-9a-f]+)$")

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        if (match := self._KEY.match(key)) is None:
            return None
        if (kept := self.data.get(key)) is None:
            file = _files().by_digest.get(match.group(2))
            if file is None:
                return None
            kept = self.data[key] = _SMALLEST[match.group(1)](file.data)
        return kept

    def set(self, key: str, value: bytes) -> None:
        if self._KEY.match(key) and key not in self.data:
            self.data[key] = value


_SMALLEST = {"br": lambda data: brotli.compress(data, quality=11),
             "gzip": lambda data: gzip.compress(data, 9, mtime=0)}


def init_app(app: Flask) -> None:
    """Read the static files, fingerprint their URLs, and compress responses. Called before
    any other after-request function is registered, so that compression runs last."""
    app.extensions["lms_static"] = StaticFiles(Path(app.static_folder))
    app.view_functions["static"] = serve
    app.url_defaults(_fingerprint)
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed responses (downloads sent as they are made) go out as they are.
    app.config.setdefault("COMPRESS_STREAMS", False)
    # Pages are compressed as they are sent: brotli 5 takes no longer than 4 (the library's
    # default) and is 6-9 % smaller, smaller than gzip 6 too (docs/benchmarks.md).
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)  # smaller bodies fit one packet anyway
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _StaticOnly)
    app.config.setdefault("COMPRESS_CACHE_KEY", _compression_key)
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress(app)

    enabled = app.config.get("COMPRESS_RESPONSES", True)

    @app.after_request
    def compressed(response: Response) -> Response:
        if request.endpoint == "static" and not session.modified:
            # Flask-Login's remember-cookie check reads the session on every request, which
            # would add `Vary: Cookie`: a browser would then fetch the file again whenever
            # its session cookie changes. Static files are the same for everyone.
            session.accessed = False
        if not enabled or response.status_code == 206 or "Content-Range" in response.headers:
            return response  # (a part of a file: its byte ranges are of the file as stored)
        return compress.after_request(response)

    app.after_request(_page_cache_policy)


def _page_cache_policy(response: Response) -> Response:
    """A page that says nothing of caching is private and checked on every view."""
    if (response.status_code == 200 and response.mimetype == "text/html"
            and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = PAGES
    return response

"""The platform's public address: every link it prints or encodes, and the hosts it answers to.

A link built from the request (`url_for(..., _external=True)`) takes the request's Host header,
which the client chooses: a forged Host would put someone else's address into a certificate's QR
code or PDF. Such links are built from LMS_PUBLIC_URL instead, and production refuses requests
for any other host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response


def public_base(config: Any) -> str:
    """The configured public address (the development address when none is set)."""
    return config.get("PUBLIC_URL") or config["DEVELOPMENT_PUBLIC_URL"]


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` at the public address, whatever the request's Host."""
    base = urlsplit(public_base(current_app.config))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def trusted_hosts(config: Any) -> list[str]:
    """The host names a production server answers to: the public address's and the extra ones
    (a health check by address, a second name)."""
    hosts = [urlsplit(public_base(config)).hostname or ""]
    return [*hosts, *(h for h in config.get("EXTRA_TRUSTED_HOSTS", ()) if h not in hosts)]


def _unknown_host(error: SecurityError) -> Response:
    # Plain text: the request has no URL adapter, so no page template can build its links.
    return Response(_("This server does not answer to that address."), 400,
                    mimetype="text/plain")


def init_app(app: Flask) -> None:
    """In production, refuse requests whose Host is not a trusted one (400)."""
    if app.config["ENV_NAME"] == "production":
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    app.register_error_handler(SecurityError, _unknown_host)

"""The baseline: a bare Flask app whose one route renders a template as large as a lesson page.

Served by the same gunicorn settings as the LMS in the same benchmark run; the LMS's throughput
is reported as a share of this one's. BENCH_BARE_HTML names the HTML file to render.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template_string

app = Flask(__name__)
_SOURCE = Path(os.environ.get("BENCH_BARE_HTML", "")).read_text(encoding="utf-8") \
    if os.environ.get("BENCH_BARE_HTML") else "<p>bare</p>"
# The page's own text between raw markers: Jinja parses and renders it like any template.
_TEMPLATE = "{{ title }}{% raw %}" + _SOURCE.replace("{% endraw %}", "") + "{% endraw %}"


@app.get("/bare")
def bare() -> str:
    """The same bytes as the lesson page, rendered through Jinja."""
    return render_template_string(_TEMPLATE, title="")

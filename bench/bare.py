"""The baseline: a bare Flask app whose one route renders a template as large as a lesson page.

Served by the same gunicorn settings as the LMS in the same benchmark run; the LMS's throughput
is reported as a share of this one's. BENCH_BARE_HTML names the HTML file to render.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from jinja2 import DictLoader

app = Flask(__name__)
_SOURCE = Path(os.environ.get("BENCH_BARE_HTML", "")).read_text(encoding="utf-8") \
    if os.environ.get("BENCH_BARE_HTML") else "<p>bare</p>"
# The page's own text between raw markers: Jinja parses and renders it like any template. It is
# loaded and compiled once, as Flask does with every template file: render_template_string
# would compile it again on every request, which costs several times the rendering.
app.jinja_loader = DictLoader({"bare.html": "{{ title }}{% raw %}"
                               + _SOURCE.replace("{% endraw %}", "") + "{% endraw %}"})


@app.get("/bare")
def bare() -> str:
    """The same bytes as the lesson page, rendered through Jinja."""
    return render_template("bare.html", title="")

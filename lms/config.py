"""Configuration: the only module that reads the environment."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

INSTANCE_DIR = Path(os.environ.get("LMS_INSTANCE_DIR", Path.cwd() / "instance"))
PROJECT_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _database_url(default: str) -> str:
    return os.environ.get("LMS_DATABASE_URL") or default


def _words(value: str | None) -> tuple[str, ...]:
    return tuple(word for word in (value or "").replace(",", " ").split())


def public_url_problem(url: str) -> str | None:
    """Why `url` cannot be the platform's public address (None when it can)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http:// or https:// address, e.g. https://lms.example.vn"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "must not carry a query, a fragment or a user name"
    return None


def engine_options(url: str) -> dict:
    """Engine settings for the database at `url` (create_app applies them)."""
    options: dict = {}
    if url.startswith("postgresql"):
        # A connection to a server can die while idle in the pool (a restart, a failover):
        # each checkout tests it first. A SQLite file cannot, and the test cost every request
        # a statement.
        options["pool_pre_ping"] = True
        # The officers' reports are short analytical queries: JIT compilation costs more than
        # it saves (about 40 ms a query, measured nationally), and with the default 4 MB of
        # work memory their grouping spills to disk (bench/, docs/benchmarks.md).
        options["connect_args"] = {"options": "-c jit=off -c work_mem=32MB"}
    return options


class Config:
    """Settings read from LMS_* environment variables."""

    ENV_NAME = os.environ.get("LMS_ENV", "development")
    INSTANCE_DIR = INSTANCE_DIR
    SECRET_KEY = os.environ.get("LMS_SECRET_KEY") or "dev-only-not-secret"
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}")
    # The officers' reports may read from a streaming replica of the database (lms/reports_db.py);
    # unset, they read from LMS_DATABASE_URL like everything else.
    REPORTS_DATABASE_URL = os.environ.get("LMS_REPORTS_DATABASE_URL") or None
    REDIS_URL = os.environ.get("LMS_REDIS_URL") or None
    # process-memory:// is lms.extensions.ProcessMemoryStorage (counters in this process).
    RATELIMIT_STORAGE_URI = REDIS_URL or "process-memory://"
    # Production without Redis only when this says that limits counted per process are accepted.
    RATELIMIT_PER_PROCESS = os.environ.get("LMS_RATELIMIT_PER_PROCESS") == "1"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # Number of reverse proxies in front of the app (their X-Forwarded-For is trusted).
    PROXY_COUNT = int(os.environ.get("LMS_PROXY_COUNT", "0"))
    # The address every printed or encoded link uses (QR codes, certificate PDFs), never the
    # request's Host. Production requires it and answers only to its host and LMS_TRUSTED_HOSTS.
    PUBLIC_URL = (os.environ.get("LMS_PUBLIC_URL") or "").strip().rstrip("/") or None
    DEVELOPMENT_PUBLIC_URL = "http://127.0.0.1:5000"  # `make run`'s address
    EXTRA_TRUSTED_HOSTS = _words(os.environ.get("LMS_TRUSTED_HOSTS"))
    # The largest request body, checked from Content-Length before anything is read: a course
    # zip may hold 30 MB (lms/authoring/zipfiles.py); every other upload has a smaller limit
    # of its own (images 2 MB, rosters 8 MB, Markdown 200 KB).
    MAX_CONTENT_LENGTH = int(os.environ.get("LMS_MAX_REQUEST_MB", "32")) * 1024 * 1024
    # `0` when a reverse proxy compresses responses instead of the app (docs/operations.md).
    COMPRESS_RESPONSES = os.environ.get("LMS_COMPRESS", "1") != "0"
    STORAGE_DIR = Path(os.environ.get("LMS_STORAGE_DIR", INSTANCE_DIR / "storage"))
    # A roster's confirm form carries its rows, compressed: 50 000 rows need about 2 MB.
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    # Background jobs (lms/jobs): their result files, and the RQ queue a worker listens to.
    # Without LMS_REDIS_URL a job runs in the web request that starts it.
    JOBS_DIR = Path(os.environ.get("LMS_JOBS_DIR", INSTANCE_DIR / "jobs"))
    JOBS_QUEUE = os.environ.get("LMS_JOBS_QUEUE") or "lms"
    # An officer's export (target list, team scorecard) with more rows than this is made by a
    # background job, then downloaded from its page; a smaller one downloads at once.
    EXPORT_JOB_ROWS = int(os.environ.get("LMS_EXPORT_JOB_ROWS", "5000"))
    # A job on a worker without a sign of life for this long is failed: its worker died
    # (lms/jobs/heartbeat.py).
    JOB_LOST_AFTER_SECONDS = int(os.environ.get("LMS_JOB_LOST_AFTER_SECONDS", "60"))
    MIGRATIONS_DIR = PROJECT_DIR / "migrations"

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = ENV_NAME == "production"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = ENV_NAME == "production"
    WTF_CSRF_TIME_LIMIT = None  # the session cookie bounds the token's life

    # Credentials (Open Badges 3.0) are signed with this Ed25519 key: a PEM, or the path of one.
    # Unset: a key created on first use in CREDENTIAL_KEY_DIR (docs/operations.md).
    CREDENTIAL_KEY = os.environ.get("LMS_CREDENTIAL_KEY") or None
    CREDENTIAL_KEY_DIR = Path(os.environ.get("LMS_CREDENTIAL_KEY_DIR",
                                             INSTANCE_DIR / "credential-keys"))

    # Calls one API token may make (Flask-Limiter's notation); CI's schemathesis run raises it.
    API_RATE_LIMIT = os.environ.get("LMS_API_RATE_LIMIT") or "300 per minute"

    PEOPLE_PER_PAGE = 25
    # A certificate this close to its end date counts as expiring.
    EXPIRING_DAYS = int(os.environ.get("LMS_EXPIRING_DAYS", "60"))

    @classmethod
    def check(cls) -> None:
        """Refuse to run production with settings that are only safe for development."""
        if cls.ENV_NAME == "production" and not os.environ.get("LMS_SECRET_KEY"):
            raise ConfigurationError("LMS_SECRET_KEY must be set when LMS_ENV=production")
        if cls.ENV_NAME == "production" and not cls.PUBLIC_URL:
            raise ConfigurationError("LMS_PUBLIC_URL must be set when LMS_ENV=production: "
                                     "the address printed on certificates and in QR codes")
        if cls.PUBLIC_URL and (problem := public_url_problem(cls.PUBLIC_URL)):
            raise ConfigurationError(f"LMS_PUBLIC_URL {problem}")
        if cls.ENV_NAME == "production" and not cls.REDIS_URL and not cls.RATELIMIT_PER_PROCESS:
            raise ConfigurationError(
                "LMS_REDIS_URL must be set when LMS_ENV=production, so that all processes count "
                "one rate limit (or set LMS_RATELIMIT_PER_PROCESS=1 to accept limits counted "
                "by each process on its own)")


class TestConfig(Config):
    """Settings for the test suite: SQLite in a temporary file unless LMS_TEST_DATABASE_URL."""

    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("LMS_TEST_DATABASE_URL") or "sqlite://"
    REPORTS_DATABASE_URL = None
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_STORAGE_URI = "process-memory://"
    REDIS_URL = None  # jobs run inline; the job tests point this at Redis themselves

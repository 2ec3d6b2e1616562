#!/usr/bin/env bash
# Schemathesis against the REST API's own OpenAPI document: a throwaway SQLite site with the
# demo data, an officer's write token, a bounded number of examples per operation. It fails on
# any server error or any response the document does not describe (docs/api.md).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${SCHEMATHESIS_PORT:-5097}"
examples="${SCHEMATHESIS_EXAMPLES:-10}"
work="$(mktemp -d)"
export LMS_INSTANCE_DIR="$work" LMS_DATABASE_URL="sqlite:///$work/api.sqlite3"
export LMS_PUBLIC_URL="http://127.0.0.1:$port" LMS_API_RATE_LIMIT="100000 per minute"
flask() { .venv/bin/flask --app wsgi "$@"; }

flask db upgrade >/dev/null
flask lms import-content course_content >/dev/null
flask lms demo >/dev/null
# The demo's district officer (0900000002), with a write token: reads and writes are tested.
token="$(flask lms create-api-token --phone 0900000002 --name schemathesis --scope write)"

# No request-line limit: schemathesis sends very long query strings on purpose, and gunicorn's
# own 4 KB limit would answer them before the application could.
.venv/bin/gunicorn --workers 2 --limit-request-line 0 --bind "127.0.0.1:$port" wsgi:app >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

.venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "$examples" --phases examples,coverage,fuzzing --seed 2026 \
  --generation-database none --no-color --request-timeout 30 --workers 1 \
  || { echo "--- server log"; tail -n 50 "$work/server.log"; exit 1; }

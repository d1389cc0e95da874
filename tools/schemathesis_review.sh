#!/usr/bin/env bash
# Schemathesis with ALL its default checks against the product as deployed: gunicorn (2 workers, DEBUG off) on
# PostgreSQL, authenticated as a workspace owner whose workspace has real rows. By hand, never in CI: it prints a
# summary per check (server errors first) and leaves the full report in var/schemathesis/.
#   tools/schemathesis_review.sh [max-examples per operation, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-10}"
PORT="${ST_PORT:-8765}"
DB="invoicing_st_review"
PY=.venv/bin/python
OUT=var/schemathesis
mkdir -p "$OUT"

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB" >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0
export DJANGO_SECRET_KEY="review-only-secret-key-of-at-least-32-bytes" JWT_SIGNING_KEY="review-only-jwt-key-of-at-least-32-bytes"
$PY manage.py migrate --noinput -v 0
TOKEN=$($PY manage.py shell -c "
from tests.factories import ClientFactory
from tests.invoicing.factories import ProductFactory, TaxFactory
from workspaces.models import Membership, Store, User, Workspace
from workspaces.services import tokens_for
ws = Workspace.objects.create(name='Review')
Store.objects.create(workspace=ws, name='Main')
user = User.objects.create_user(email='owner@review.example', password='review-pass-2026', name='Owner')
Membership.objects.create(workspace=ws, user=user, role=Membership.Role.OWNER, admin_access=True)
tax = TaxFactory(workspace=ws)
ProductFactory(workspace=ws, taxes=[tax])
ClientFactory(workspace=ws, pos_discount_type='percent', pos_discount_value=5)
print(tokens_for(user=user)['access'])
" | tail -1)

.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$PORT/api/schema/" -o /dev/null && break; sleep 1; done

set +e
.venv/bin/st run "http://127.0.0.1:$PORT/api/schema/?format=json" \
  -H "Authorization: Bearer $TOKEN" --checks all --max-examples "$EXAMPLES" --seed 1 \
  --request-timeout 30 --report ndjson --report-dir "$OUT" --continue-on-failure --workers 1 \
  >"$OUT/run.txt" 2>&1
STATUS=$?
set -e
tail -n 40 "$OUT/run.txt"
echo "schemathesis exit status: $STATUS (full output: $OUT/run.txt)"

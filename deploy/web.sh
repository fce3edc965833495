#!/bin/sh
# An app host: gunicorn with deploy/gunicorn.conf.py, from the repository's folder (where
# wsgi.py reads .env). PASAR_WSGI_APP names another app object (the multi-host proof's).
set -eu
cd "$(dirname "$0")/.."
exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py "${PASAR_WSGI_APP:-wsgi:app}"

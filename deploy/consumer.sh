#!/bin/sh
# The job consumer host: `flask jobs work` takes the tasks the app hosts queue in Redis
# (TASK_QUEUE=redis, REDIS_URL) and runs the periodic jobs. Run the periodic jobs on one
# consumer only: start any others with --no-periodic. FLASK_APP names another app (the
# multi-host proof's); extra arguments go to `flask jobs work`.
set -eu
cd "$(dirname "$0")/.."
export FLASK_APP="${FLASK_APP:-wsgi.py}"
exec .venv/bin/flask jobs work --workers "${CONSUMER_WORKERS:-4}" "$@"

"""A web worker loads only what serving pages needs: the heavy libraries of the back office,
the command line and the payment calls are imported where they are used (each worker's
memory is the issue: tens of MB per process)."""

import os
import subprocess
import sys
from pathlib import Path

# Imported on first use: Alembic (flask db), openpyxl (spreadsheets), Pillow (photo uploads
# and renditions), segno (QR codes), midtransclient and requests (calls to Midtrans).
LOADED_ON_FIRST_USE = ("alembic", "openpyxl", "PIL", "segno", "midtransclient", "requests")
REPOSITORY = Path(__file__).resolve().parent.parent


def test_building_the_app_imports_none_of_the_libraries_loaded_on_first_use(tmp_path):
    program = (
        "import sys, wsgi; "
        f"print(' '.join(name for name in {LOADED_ON_FIRST_USE!r} if name in sys.modules))"
    )
    env = {
        **os.environ,
        "APP_CONFIG": "default",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}",
        "REDIS_URL": "",
    }
    result = subprocess.run(  # noqa: S603  (this interpreter, a fixed program)
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == []


def test_flask_migrate_is_set_up_when_first_used(app):
    """upgrade() and the like (and `flask db`) find Flask-Migrate's settings on first use."""
    with app.app_context():
        settings = app.extensions["migrate"]
        assert {
            "render_as_batch": True,
            "compare_type": True,
        }.items() <= settings.configure_args.items()
        assert settings.directory.endswith("migrations")
        assert settings.db.metadata is not None

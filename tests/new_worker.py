"""A program run in a new interpreter, as a web worker starts: what a worker imports and does
on its own, away from the test process (which has imported everything)."""

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def in_a_new_worker(program: str, tmp_path: Path, **environ: str) -> subprocess.CompletedProcess:
    """Run `program` as a worker starts: the embedded default configuration on a database of
    its own, no Redis unless `environ` names one (it overrides the rest too); its output."""
    env = {
        **os.environ,
        "APP_CONFIG": "default",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}",
        "REDIS_URL": "",
        **environ,
    }
    return subprocess.run(  # noqa: S603  (this interpreter, a fixed program)
        [sys.executable, "-c", program],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

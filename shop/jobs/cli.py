"""`flask jobs work` runs a queue consumer in this process (what `make run` starts beside the
web server); production may run `huey_consumer shop.jobs.worker.huey` instead."""

import click
from flask import current_app
from flask.cli import AppGroup

from shop.jobs.queue import huey
from shop.jobs.runner import use_app

jobs_cli = AppGroup("jobs", help="The background task queue.")


@jobs_cli.command("work")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@click.option("--no-periodic", is_flag=True, help="Leave the scheduled jobs to another consumer.")
def work_command(workers: int, no_periodic: bool) -> None:
    """Run a consumer: queued tasks and, unless told not to, the periodic jobs."""
    use_app(current_app._get_current_object())
    # An idle consumer polls the SQLite queue at most a second apart (Huey's default backs
    # off to 10 s), so a mail queued by the web server goes out at once.
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=not no_periodic,
        check_worker_health=True,
        max_delay=1.0,
    )
    consumer.run()

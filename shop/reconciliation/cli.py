"""`flask reconciliation run`: the daily reconciliation by hand (or from cron)."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from shop.coops.models import Cooperative
from shop.extensions import db
from shop.reconciliation.services import reconcile_all, reconcile_cooperative

reconciliation_cli = AppGroup("reconciliation", help="The ledger against the gateway.")


@reconciliation_cli.command("run")
@click.option("--coop", "coop_slug", help="Only this cooperative (its slug).")
def run_command(coop_slug: str | None) -> None:
    """Reconcile every active cooperative (or one) and print what each run found."""
    if coop_slug:
        coop = db.session.scalar(select(Cooperative).where(Cooperative.slug == coop_slug))
        if coop is None:
            raise click.UsageError(f"no cooperative {coop_slug!r}")
        results = {coop.id: reconcile_cooperative(coop)}
    else:
        results = reconcile_all()
    slugs = dict(db.session.execute(select(Cooperative.id, Cooperative.slug)).all())
    for coop_id, result in results.items():
        click.echo(
            f"{slugs[coop_id]}: {result.opened} new, {result.still_open} still open, "
            f"{result.resolved} resolved"
        )

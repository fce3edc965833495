"""`flask iris banks`: do Iris's banks still include every bank we send payouts to?

Our bank names map to Iris's bank codes (shop/payouts/iris.py IRIS_BANK_CODES). Iris's list
(GET /beneficiary_banks) can change; a code it no longer knows would refuse every payout to
that bank at approval time. Run it after deploying with PAYOUT_ADAPTER=iris, or from cron.
"""

import click
from flask import current_app
from flask.cli import AppGroup

from shop.payouts.iris import IRIS_BANK_CODES, IrisError, iris_client

iris_cli = AppGroup("iris", help="Midtrans Iris, which transfers payouts.")


@iris_cli.command("banks")
def banks_command() -> None:
    """Check each of our banks' Iris code against Iris's list. Exits 1 when one is missing
    there, 2 when Iris cannot be asked."""
    try:
        known = iris_client(current_app.config).beneficiary_banks()
    except IrisError as error:
        click.echo(f"Iris could not be asked: {error.detail or error.message}", err=True)
        raise SystemExit(2) from error
    missing = []
    for bank, code in IRIS_BANK_CODES.items():
        if code in known:
            click.echo(f"{bank}: {code} ({known[code]})")
        else:
            click.echo(f"{bank}: {code} is NOT among Iris's banks")
            missing.append(bank)
    if missing:
        click.echo(f"{len(missing)} bank(s) Iris does not know: {', '.join(missing)}", err=True)
        raise SystemExit(1)

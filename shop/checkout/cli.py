"""`flask orders expire` closes unpaid orders past their deadline; `flask orders complete-due`
completes delivered parts past their cooperative's hold period. Both for cron."""

import click
from flask import current_app
from flask.cli import AppGroup

from shop.fulfilment.services import complete_due_shipments
from shop.payments.expiry import expire_overdue_orders
from shop.payments.gateway import gateway_from_config

orders_cli = AppGroup("orders", help="Jobs on orders, to run from cron.")


@orders_cli.command("expire")
def expire_command() -> None:
    """Close unpaid orders past their deadline (asking Midtrans first) and release their stock."""
    report = expire_overdue_orders(gateway_from_config(current_app.config))
    click.echo(
        f"Expired {len(report.expired)}, found paid {len(report.paid)}, "
        f"left for the next run {len(report.left_for_later)}."
    )
    for number in report.left_for_later:
        click.echo(f"  still pending: {number}")


@orders_cli.command("complete-due")
def complete_due_command() -> None:
    """Complete delivered order parts past the hold period: members' earnings become available."""
    click.echo(f"Completed {complete_due_shipments()} order part(s).")

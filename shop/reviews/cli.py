"""`flask reviews recount`: compute the products' sold and rating counts from the rows."""

import click
from flask.cli import AppGroup

from shop.reviews.aggregates import recount_all

reviews_cli = AppGroup("reviews", help="Ratings, reviews and sold counts.")


@reviews_cli.command("recount")
def recount_command() -> None:
    """Compute every product's sold count and rating from orders, refunds and reviews."""
    changed = recount_all()
    click.echo(f"Recounted: {changed} product(s) changed.")

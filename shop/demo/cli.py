import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first, then seed.")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Seed only when the database has no cooperative; else do nothing.",
)
@with_appcontext
def seed_demo_command(reset: bool, if_empty: bool) -> None:
    """Fill the database with demo cooperatives, members, products and sign-ins."""
    from shop.demo.seed import seed_demo_cli

    seed_demo_cli(reset=reset, if_empty=if_empty)

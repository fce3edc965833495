import click
from flask.cli import with_appcontext

from shop.accounts.services import register_user
from shop.errors import ShopError


@click.command("create-operator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_operator_command(email: str, name: str, password: str) -> None:
    """Create a platform operator account (onboards cooperatives, sees platform figures)."""
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    try:
        user = register_user(email, name, password, is_operator=True)
    except ShopError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Operator {user.email} created.")

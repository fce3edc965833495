import click
from flask.cli import AppGroup

from shop.checkout.regions import PROVINCES, province_named
from shop.coops.services import CoopDetails, create_cooperative
from shop.errors import ShopError
from shop.money import parse_percent_to_bp

coop_cli = AppGroup("coop", help="Manage cooperatives.")


@coop_cli.command("create")
@click.option("--name", required=True, help="Cooperative name, e.g. 'Koperasi Mlijo Sejahtera'.")
@click.option("--city", required=True, help="City or regency (kota/kabupaten).")
@click.option("--province", required=True, help="One of Indonesia's 38, e.g. 'DI Yogyakarta'.")
@click.option("--registration-number", default="", help="Nomor badan hukum (AHU).")
@click.option("--fee", "fee_percent", default="5", show_default=True, help="Cooperative fee in %.")
@click.option(
    "--admin-email", required=True, help="The first admin; an existing account or a new one."
)
@click.option("--admin-name", default="", help="Name for a new admin account.")
@click.option("--admin-password", default=None, help="Password for a new admin account (min. 8).")
def create_coop_command(
    name, city, province, registration_number, fee_percent, admin_email, admin_name, admin_password
):
    """Onboard a cooperative and its first admin."""
    try:
        fee_bp = parse_percent_to_bp(fee_percent)
    except ValueError:
        raise click.BadParameter(
            "a percentage between 0 and 100, e.g. 2.5", param_hint="--fee"
        ) from None
    if province_named(province) is None:
        raise click.BadParameter(
            f"{province!r} is not one of Indonesia's 38 provinces: {', '.join(PROVINCES)}",
            param_hint="--province",
        )
    if admin_password is not None and len(admin_password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--admin-password")
    details = CoopDetails(
        name=name,
        city=city,
        province=province,
        registration_number=registration_number,
        fee_bp=fee_bp,
    )
    try:
        coop, membership = create_cooperative(
            details, admin_email, admin_name or admin_email, admin_password
        )
    except ShopError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Cooperative '{coop.name}' created, admin {membership.user.email}.")
    click.echo(f"Console: /koperasi/{coop.slug}/kelola/")

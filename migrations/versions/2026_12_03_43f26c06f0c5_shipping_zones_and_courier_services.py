"""shipping zones and courier services: courier fees by destination

A cooperative's courier was one step table of weights and fees, the same to every address.
Now it has destination zones (its own city, province or island group, listed provinces, or
anywhere) and courier services priced per zone: a first-kilogram fee, a fee per further
kilogram and an estimated delivery time. Each shipment keeps the service, zone and estimate
it was quoted.

Upgrading turns each cooperative's step table into one service (its courier name) with one
zone, "Seluruh Indonesia": the first kilogram at the fee of the first step that takes 1 kg,
each further kilogram at the average slope up to the heaviest step, no rounding tolerance
(a step table had none), and 2-7 days, an estimate the admin should correct. Courier
shipments already placed are given the cooperative's courier name, as their packing slip
showed it. Downgrading keeps each cooperative's first service: its courier name, and a step
table of 1 to 20 kg priced by its farthest zone's rate.

Revision ID: 43f26c06f0c5
Revises: b0d92d51b99a
Create Date: 2026-12-03 12:11:04.354539

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "43f26c06f0c5"
down_revision = "b0d92d51b99a"
branch_labels = None
depends_on = None

CONVERTED_ZONE = "Seluruh Indonesia"
CONVERTED_ETA_DAYS = (2, 7)
DOWNGRADED_STEPS_KG = range(1, 21)

zones_table = sa.table(
    "shipping_zones",
    sa.column("cooperative_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("provinces", sa.JSON),
)


def upgrade():
    op.create_table(
        "courier_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("rounding_tolerance_grams", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rounding_tolerance_grams >= 0 AND rounding_tolerance_grams < 1000",
            name=op.f("ck_courier_services_rounding_tolerance_range"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["shipping_settings.cooperative_id"],
            name=op.f("fk_courier_services_cooperative_id_shipping_settings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_services")),
        sa.UniqueConstraint(
            "cooperative_id", "position", name=op.f("uq_courier_services_cooperative_id_position")
        ),
    )
    with op.batch_alter_table("courier_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_courier_services_cooperative_id"), ["cooperative_id"], unique=False
        )

    op.create_table(
        "shipping_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "same_city",
                "same_province",
                "same_island_group",
                "provinces",
                "everywhere",
                name="zonekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("provinces", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["shipping_settings.cooperative_id"],
            name=op.f("fk_shipping_zones_cooperative_id_shipping_settings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_zones")),
        sa.UniqueConstraint(
            "cooperative_id", "name", name=op.f("uq_shipping_zones_cooperative_id_name")
        ),
        sa.UniqueConstraint(
            "cooperative_id", "position", name=op.f("uq_shipping_zones_cooperative_id_position")
        ),
    )
    with op.batch_alter_table("shipping_zones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipping_zones_cooperative_id"), ["cooperative_id"], unique=False
        )

    op.create_table(
        "courier_zone_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("first_kg_fee", sa.BigInteger(), nullable=False),
        sa.Column("next_kg_fee", sa.BigInteger(), nullable=False),
        sa.Column("eta_min_days", sa.Integer(), nullable=False),
        sa.Column("eta_max_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "eta_min_days > 0 AND eta_max_days >= eta_min_days",
            name=op.f("ck_courier_zone_rates_eta_range"),
        ),
        sa.CheckConstraint(
            "first_kg_fee >= 0 AND next_kg_fee >= 0",
            name=op.f("ck_courier_zone_rates_fees_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["courier_services.id"],
            name=op.f("fk_courier_zone_rates_service_id_courier_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zones.id"],
            name=op.f("fk_courier_zone_rates_zone_id_shipping_zones"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_zone_rates")),
        sa.UniqueConstraint(
            "service_id", "zone_id", name=op.f("uq_courier_zone_rates_service_id_zone_id")
        ),
    )
    with op.batch_alter_table("courier_zone_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_courier_zone_rates_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_courier_zone_rates_zone_id"), ["zone_id"], unique=False
        )

    # Read before any table is rebuilt: on SQLite, batch mode rebuilds shipping_settings by
    # dropping it, and the drop cascades to the rows that refer to it.
    converted = _converted_step_tables()

    with op.batch_alter_table("courier_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courier_rates_cooperative_id"))

    op.drop_table("courier_rates")
    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("courier_service", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("shipping_zone", sa.String(length=60), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("eta_min_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("eta_max_days", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE order_shipments SET courier_service = (SELECT s.courier_name FROM "
        "shipping_settings s WHERE s.cooperative_id = order_shipments.cooperative_id) "
        "WHERE method = 'courier' AND cooperative_id IN (SELECT cooperative_id FROM "
        "shipping_settings)"
    )

    with op.batch_alter_table("shipping_settings", schema=None) as batch_op:
        batch_op.drop_column("courier_name")
    _write_services(converted)


def downgrade():
    first_services = _first_services()  # read first, as in upgrade()
    with op.batch_alter_table("shipping_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("courier_name", sa.VARCHAR(length=60), server_default="", nullable=False)
        )

    with op.batch_alter_table("order_shipments", schema=None) as batch_op:
        batch_op.drop_column("eta_max_days")
        batch_op.drop_column("eta_min_days")
        batch_op.drop_column("shipping_zone")
        batch_op.drop_column("courier_service")

    op.create_table(
        "courier_rates",
        sa.Column("id", sa.INTEGER(), nullable=False),
        sa.Column("cooperative_id", sa.INTEGER(), nullable=False),
        sa.Column("max_weight_grams", sa.INTEGER(), nullable=False),
        sa.Column("fee", sa.BIGINT(), nullable=False),
        sa.CheckConstraint("fee >= 0", name=op.f("ck_courier_rates_fee_not_negative")),
        sa.CheckConstraint(
            "max_weight_grams > 0", name=op.f("ck_courier_rates_max_weight_positive")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["shipping_settings.cooperative_id"],
            name=op.f("fk_courier_rates_cooperative_id_shipping_settings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courier_rates")),
        sa.UniqueConstraint(
            "cooperative_id",
            "max_weight_grams",
            name=op.f("uq_courier_rates_cooperative_id_max_weight_grams"),
        ),
    )
    with op.batch_alter_table("courier_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_courier_rates_cooperative_id"), ["cooperative_id"], unique=False
        )
    _write_step_tables(first_services)

    with op.batch_alter_table("courier_zone_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courier_zone_rates_zone_id"))
        batch_op.drop_index(batch_op.f("ix_courier_zone_rates_service_id"))

    op.drop_table("courier_zone_rates")
    with op.batch_alter_table("shipping_zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_zones_cooperative_id"))

    op.drop_table("shipping_zones")
    with op.batch_alter_table("courier_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courier_services_cooperative_id"))

    op.drop_table("courier_services")


def _converted_step_tables() -> list[tuple[int, str, int, int]]:
    """(cooperative id, courier name, first kg fee, further kg fee) per step table."""
    connection = op.get_bind()
    settings = connection.execute(
        sa.text("SELECT cooperative_id, courier_name FROM shipping_settings ORDER BY 1")
    ).all()
    converted = []
    for cooperative_id, courier_name in settings:
        steps = connection.execute(
            sa.text(
                "SELECT max_weight_grams, fee FROM courier_rates WHERE cooperative_id = :id "
                "ORDER BY max_weight_grams"
            ),
            {"id": cooperative_id},
        ).all()
        if steps:
            name = (courier_name or "").strip() or "Kurir"
            converted.append((cooperative_id, name, *_per_kg(steps)))
    return converted


def _per_kg(steps) -> tuple[int, int]:
    """(first kg fee, further kg fee) of a step table sorted by weight."""
    first_kg_fee = next((fee for grams, fee in steps if grams >= 1000), steps[-1][1])
    heaviest_grams, heaviest_fee = steps[-1]
    further_kg = -(-heaviest_grams // 1000) - 1
    if further_kg <= 0:
        return first_kg_fee, 0
    return first_kg_fee, max(0, -(-(heaviest_fee - first_kg_fee) // further_kg))


def _write_services(converted: list[tuple[int, str, int, int]]) -> None:
    connection = op.get_bind()
    for cooperative_id, name, first_kg_fee, next_kg_fee in converted:
        connection.execute(
            zones_table.insert().values(
                cooperative_id=cooperative_id,
                position=0,
                name=CONVERTED_ZONE,
                kind="everywhere",
                provinces=[],
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO courier_services (cooperative_id, position, name, "
                "rounding_tolerance_grams) VALUES (:id, 0, :name, 0)"
            ),
            {"id": cooperative_id, "name": name},
        )
        connection.execute(
            sa.text(
                "INSERT INTO courier_zone_rates (service_id, zone_id, first_kg_fee, "
                "next_kg_fee, eta_min_days, eta_max_days) "
                "SELECT c.id, z.id, :first, :next, :eta_min, :eta_max "
                "FROM courier_services c JOIN shipping_zones z "
                "ON z.cooperative_id = c.cooperative_id AND z.position = 0 "
                "WHERE c.cooperative_id = :id AND c.position = 0"
            ),
            {
                "id": cooperative_id,
                "first": first_kg_fee,
                "next": next_kg_fee,
                "eta_min": CONVERTED_ETA_DAYS[0],
                "eta_max": CONVERTED_ETA_DAYS[1],
            },
        )


def _first_services() -> list[tuple[int, str, int, int]]:
    """(cooperative id, name, first kg fee, further kg fee) of each cooperative's first
    service, priced by its farthest zone (the last it has a rate to)."""
    rates = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT c.cooperative_id, c.name, r.first_kg_fee, r.next_kg_fee "
                "FROM courier_services c JOIN courier_zone_rates r ON r.service_id = c.id "
                "JOIN shipping_zones z ON z.id = r.zone_id "
                "WHERE c.position = 0 ORDER BY c.cooperative_id, z.position DESC"
            )
        )
        .all()
    )
    farthest = {}
    for cooperative_id, name, first_kg_fee, next_kg_fee in rates:
        farthest.setdefault(cooperative_id, (cooperative_id, name, first_kg_fee, next_kg_fee))
    return list(farthest.values())


def _write_step_tables(first_services: list[tuple[int, str, int, int]]) -> None:
    connection = op.get_bind()
    for cooperative_id, name, first_kg_fee, next_kg_fee in first_services:
        connection.execute(
            sa.text("UPDATE shipping_settings SET courier_name = :name WHERE cooperative_id = :id"),
            {"id": cooperative_id, "name": name},
        )
        for kilograms in DOWNGRADED_STEPS_KG:
            connection.execute(
                sa.text(
                    "INSERT INTO courier_rates (cooperative_id, max_weight_grams, fee) "
                    "VALUES (:id, :grams, :fee)"
                ),
                {
                    "id": cooperative_id,
                    "grams": kilograms * 1000,
                    "fee": first_kg_fee + next_kg_fee * (kilograms - 1),
                },
            )

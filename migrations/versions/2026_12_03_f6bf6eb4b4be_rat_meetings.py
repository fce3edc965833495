"""rat meetings: the RAT that closed each financial year of a cooperative

One row per cooperative and year: when it was held, attendance, the SHU decision, where paid
SHU goes, and the statutes' percentages it ratified (basis points, held to 100 % by a check).
Downgrading drops the table.

Revision ID: f6bf6eb4b4be
Revises: 4d873d4a9949
Create Date: 2026-12-03 16:15:35.109966

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f6bf6eb4b4be"
down_revision = "4d873d4a9949"
branch_labels = None
depends_on = None

PARTS = (
    "reserve",
    "jasa_anggota",
    "pengurus",
    "karyawan",
    "pendidikan",
    "sosial",
    "pembangunan_daerah_kerja",
)


def upgrade():
    op.create_table(
        "rat_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("members_present", sa.Integer(), nullable=False),
        sa.Column("members_total", sa.Integer(), nullable=False),
        sa.Column("shu_decision", sa.Text(), nullable=False),
        sa.Column(
            "paid_shu_to",
            sa.Enum("available", "sukarela", name="paidshuto", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("reserve_bp", sa.Integer(), nullable=False),
        sa.Column("jasa_anggota_bp", sa.Integer(), nullable=False),
        sa.Column("pengurus_bp", sa.Integer(), nullable=False),
        sa.Column("karyawan_bp", sa.Integer(), nullable=False),
        sa.Column("pendidikan_bp", sa.Integer(), nullable=False),
        sa.Column("sosial_bp", sa.Integer(), nullable=False),
        sa.Column("pembangunan_daerah_kerja_bp", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "financial_year BETWEEN 2000 AND 2100", name=op.f("ck_rat_meetings_year_in_range")
        ),
        sa.CheckConstraint(
            "members_present >= 0 AND members_present <= members_total",
            name=op.f("ck_rat_meetings_attendance"),
        ),
        sa.CheckConstraint(
            " + ".join(f"{part}_bp" for part in PARTS) + " = 10000",
            name=op.f("ck_rat_meetings_parts_sum_to_100"),
        ),
        sa.CheckConstraint(
            " AND ".join(f"{part}_bp >= 0" for part in PARTS),
            name=op.f("ck_rat_meetings_parts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_rat_meetings_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_rat_meetings_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rat_meetings")),
        sa.UniqueConstraint(
            "cooperative_id",
            "financial_year",
            name=op.f("uq_rat_meetings_cooperative_id_financial_year"),
        ),
    )


def downgrade():
    op.drop_table("rat_meetings")

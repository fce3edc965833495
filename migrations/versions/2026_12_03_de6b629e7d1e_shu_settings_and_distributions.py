"""shu: settings, distributions and shares

Each cooperative's SHU percentages (shu_settings: the seven parts of its statutes, summing to
100 %, and jasa anggota's split between jasa usaha and jasa modal), and each year's SHU once
an admin confirmed it (shu_distributions, one per cooperative and year, with the percentages
used) with every member's basis and share (shu_shares). The money is the ledger's: the new
account (shu_shared) and entry kind (shu_distribution) are strings, no schema change.

Revision ID: de6b629e7d1e
Revises: 7c1a9e4b2d60
Create Date: 2026-12-03 16:16:02.813779

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "de6b629e7d1e"
down_revision = "7c1a9e4b2d60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shu_settings",
        sa.Column("cooperative_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reserve_bp", sa.Integer(), nullable=False),
        sa.Column("jasa_anggota_bp", sa.Integer(), nullable=False),
        sa.Column("pengurus_bp", sa.Integer(), nullable=False),
        sa.Column("karyawan_bp", sa.Integer(), nullable=False),
        sa.Column("pendidikan_bp", sa.Integer(), nullable=False),
        sa.Column("sosial_bp", sa.Integer(), nullable=False),
        sa.Column("pembangunan_daerah_kerja_bp", sa.Integer(), nullable=False),
        sa.Column("jasa_usaha_bp", sa.Integer(), nullable=False),
        sa.Column("counts_purchases", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "jasa_usaha_bp BETWEEN 0 AND 10000", name=op.f("ck_shu_settings_jasa_usaha_within")
        ),
        sa.CheckConstraint(
            "reserve_bp + jasa_anggota_bp + pengurus_bp + karyawan_bp + pendidikan_bp"
            " + sosial_bp + pembangunan_daerah_kerja_bp = 10000",
            name=op.f("ck_shu_settings_parts_make_100"),
        ),
        sa.CheckConstraint(
            "reserve_bp >= 0 AND jasa_anggota_bp >= 0 AND pengurus_bp >= 0 AND karyawan_bp >= 0"
            " AND pendidikan_bp >= 0 AND sosial_bp >= 0 AND pembangunan_daerah_kerja_bp >= 0",
            name=op.f("ck_shu_settings_parts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_shu_settings_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_shu_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("cooperative_id", name=op.f("pk_shu_settings")),
    )
    op.create_table(
        "shu_distributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("parts_bp", sa.JSON(), nullable=False),
        sa.Column("jasa_usaha_bp", sa.Integer(), nullable=False),
        sa.Column("counts_purchases", sa.Boolean(), nullable=False),
        sa.Column("jasa_usaha", sa.BigInteger(), nullable=False),
        sa.Column("jasa_modal", sa.BigInteger(), nullable=False),
        sa.Column(
            "destination",
            sa.Enum("available", "sukarela", name="shudestination", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("journal_entry_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_shu_distributions_amount_positive")),
        sa.CheckConstraint(
            "jasa_usaha >= 0 AND jasa_modal >= 0",
            name=op.f("ck_shu_distributions_services_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_shu_distributions_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_shu_distributions_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_shu_distributions_journal_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shu_distributions")),
        sa.UniqueConstraint(
            "cooperative_id", "year", name=op.f("uq_shu_distributions_cooperative_id_year")
        ),
    )
    op.create_table(
        "shu_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("distribution_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sales", sa.BigInteger(), nullable=False),
        sa.Column("purchases", sa.BigInteger(), nullable=False),
        sa.Column("capital", sa.BigInteger(), nullable=False),
        sa.Column("usaha_share", sa.BigInteger(), nullable=False),
        sa.Column("modal_share", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "sales >= 0 AND purchases >= 0 AND capital >= 0 AND usaha_share >= 0"
            " AND modal_share >= 0",
            name=op.f("ck_shu_shares_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["distribution_id"],
            ["shu_distributions.id"],
            name=op.f("fk_shu_shares_distribution_id_shu_distributions"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["memberships.id"], name=op.f("fk_shu_shares_member_id_memberships")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shu_shares")),
        sa.UniqueConstraint(
            "distribution_id", "member_id", name=op.f("uq_shu_shares_distribution_id_member_id")
        ),
    )
    with op.batch_alter_table("shu_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shu_shares_distribution_id"), ["distribution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_shu_shares_member_id"), ["member_id"], unique=False)


def downgrade():
    _refuse_downgrade_if(
        "SELECT 1 FROM journal_entries WHERE kind = 'shu_distribution'",
        "an SHU has been distributed; the older code cannot read its journal entry.",
    )
    with op.batch_alter_table("shu_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shu_shares_member_id"))
        batch_op.drop_index(batch_op.f("ix_shu_shares_distribution_id"))

    op.drop_table("shu_shares")
    op.drop_table("shu_distributions")
    op.drop_table("shu_settings")


def _refuse_downgrade_if(sql: str, why: str) -> None:
    """Refused rather than lose, or misread, what only the newer code understands."""
    if op.get_bind().execute(sa.text(sql)).first():
        raise RuntimeError(f"Cannot downgrade: {why}")

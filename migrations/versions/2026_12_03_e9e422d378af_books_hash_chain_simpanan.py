"""books: journal hash chain; simpanan

Journal hash chain: each entry hashed with the one before it, per cooperative.

Journal entries gain content_hash and previous_hash (hex SHA-256), and each cooperative a
chain head row (its last entry and hash), which add_entry() locks so entries of one
cooperative are chained one at a time. Upgrading seals the entries already written, in id
order per cooperative, with the serialisation of shop/ledger/chain.py as it is today (copied
here so that a later change there cannot change what this migration did). Downgrading drops
the hashes and the heads.

Simpanan: each cooperative's amounts (savings_settings) and the deposits and withdrawals an
admin records (savings_movements); the balances are the ledger's.

Revision ID: e9e422d378af
Revises: 43f26c06f0c5
Create Date: 2026-12-03 12:47:42.615043

"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e9e422d378af"
down_revision = "43f26c06f0c5"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

entries_table = sa.table(
    "journal_entries",
    sa.column("id", sa.Integer),
    sa.column("idempotency_key", sa.String),
    sa.column("kind", sa.String),
    sa.column("cooperative_id", sa.Integer),
    sa.column("order_id", sa.Integer),
    sa.column("payout_id", sa.Integer),
    sa.column("refund_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("memo", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("content_hash", sa.String),
    sa.column("previous_hash", sa.String),
)
postings_table = sa.table(
    "postings",
    sa.column("id", sa.Integer),
    sa.column("entry_id", sa.Integer),
    sa.column("account", sa.String),
    sa.column("member_id", sa.Integer),
    sa.column("amount", sa.BigInteger),
)
heads_table = sa.table(
    "ledger_chain_heads",
    sa.column("cooperative_id", sa.Integer),
    sa.column("last_entry_id", sa.Integer),
    sa.column("last_hash", sa.String),
)


def upgrade():
    op.create_table(
        "ledger_chain_heads",
        sa.Column("cooperative_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_entry_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_ledger_chain_heads_cooperative_id_cooperatives"),
        ),
        sa.PrimaryKeyConstraint("cooperative_id", name=op.f("pk_ledger_chain_heads")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
    _seal_existing_entries(op.get_bind())
    _create_savings_tables()


def _create_savings_tables():
    op.create_table(
        "savings_settings",
        sa.Column("cooperative_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pokok_amount", sa.BigInteger(), nullable=False),
        sa.Column("wajib_amount", sa.BigInteger(), nullable=False),
        sa.Column("wajib_starts_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "pokok_amount >= 0 AND wajib_amount >= 0",
            name=op.f("ck_savings_settings_amounts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_savings_settings_cooperative_id_cooperatives"),
        ),
        sa.PrimaryKeyConstraint("cooperative_id", name=op.f("pk_savings_settings")),
    )
    op.create_table(
        "savings_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("pokok", "wajib", "sukarela", name="savingskind", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("is_withdrawal", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("cash", "transfer", name="paymentmethod", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "is_withdrawal = false OR kind = 'sukarela'",
            name=op.f("ck_savings_movements_only_sukarela_out"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_savings_movements_amount_positive")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_savings_movements_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["memberships.id"],
            name=op.f("fk_savings_movements_member_id_memberships"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_savings_movements_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_savings_movements")),
    )
    with op.batch_alter_table("savings_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_savings_movements_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_savings_movements_member_id"), ["member_id"], unique=False
        )


def _seal_existing_entries(connection) -> None:
    postings: dict[int, list] = {}
    for row in connection.execute(sa.select(postings_table).order_by(postings_table.c.id)):
        postings.setdefault(row.entry_id, []).append([row.account, row.member_id, row.amount])
    heads: dict[int, tuple[int, str]] = {}
    entries = connection.execute(
        sa.select(entries_table).order_by(entries_table.c.cooperative_id, entries_table.c.id)
    ).all()
    for entry in entries:
        previous = heads.get(entry.cooperative_id, (None, GENESIS_HASH))[1]
        content = {
            "id": entry.id,
            "key": entry.idempotency_key,
            "kind": entry.kind,
            "cooperative": entry.cooperative_id,
            "order": entry.order_id,
            "payout": entry.payout_id,
            "refund": entry.refund_id,
            "actor": entry.actor_id,
            "memo": entry.memo,
            "created_at": entry.created_at.replace(tzinfo=UTC).isoformat(timespec="microseconds"),
            "postings": postings.get(entry.id, []),
            "previous": previous,
        }
        digest = hashlib.sha256(
            json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        connection.execute(
            entries_table.update()
            .where(entries_table.c.id == entry.id)
            .values(content_hash=digest, previous_hash=previous)
        )
        heads[entry.cooperative_id] = (entry.id, digest)
    if heads:
        connection.execute(
            heads_table.insert(),
            [
                {"cooperative_id": coop, "last_entry_id": last_id, "last_hash": last_hash}
                for coop, (last_id, last_hash) in heads.items()
            ],
        )


def downgrade():
    with op.batch_alter_table("savings_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savings_movements_member_id"))
        batch_op.drop_index(batch_op.f("ix_savings_movements_cooperative_id"))

    op.drop_table("savings_movements")
    op.drop_table("savings_settings")
    # SQLite drops a column by copying the table; with postings pointing at its rows, the
    # foreign keys must rest meanwhile (the copy keeps every id, so they hold again after).
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("content_hash")
    if is_sqlite:
        op.execute("PRAGMA foreign_keys=ON")
    op.drop_table("ledger_chain_heads")

"""The SHU basis from the ledger, its preview and its confirmation, on Koperasi Mlijo's 2025
(tests/shu/conftest.py)."""

import pytest
from sqlalchemy import func, select

from shop.audit.models import AuditEntry
from shop.extensions import db
from shop.ledger.checks import check_ledger
from shop.ledger.journal import balance
from shop.ledger.models import Account, EntryKind, JournalEntry
from shop.notifications.models import Notification
from shop.shu.models import ShuDestination, ShuDistribution, ShuSettings, ShuShare
from shop.shu.services import (
    ShuAlreadyConfirmed,
    ShuError,
    ShuPercentages,
    confirm_shu,
    distribution_of,
    preview_shu,
    save_settings,
    shares_of_member,
    shu_basis,
)
from tests.shu.conftest import PARTS_BP

SHU = 12_345_678
pytestmark = pytest.mark.usefixtures("in_english")  # the errors' words, whatever the catalog


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def figures(mlijo, year=2025):
    return [(row.member.id, row.sales, row.purchases, row.capital)
            for row in shu_basis(mlijo.coop, year)]  # fmt: skip


def test_the_basis_is_the_years_ledger_net_of_refunds_with_simpanan_at_its_end(mlijo):
    assert figures(mlijo) == [
        (mlijo.admin_member.id, 0, 0, 0),
        (mlijo.siti.id, 57_000 - 19_000, 0, 125_000),
        (mlijo.budi.id, 95_000, 60_000 - 20_000, 100_000),
    ]


def test_the_year_before_sees_only_its_own_sale_and_no_simpanan(mlijo):
    assert figures(mlijo, 2024) == [
        (mlijo.admin_member.id, 0, 0, 0),
        (mlijo.siti.id, 19_000, 0, 0),
        (mlijo.budi.id, 0, 0, 0),
    ]


def test_the_basis_takes_one_query_per_figure(mlijo, count_queries):
    assert mlijo.coop.id  # loaded before counting
    with count_queries() as queries:
        shu_basis(mlijo.coop, 2025)

    assert len(queries) == 4  # sales, purchases, capital, the members


def test_the_preview_splits_by_the_statutes_and_sums_exactly(mlijo):
    """Parts as in test_calculator: jasa anggota 4.320.987 = usaha 3.024.691 + modal
    1.296.296. Usaha by sales 38.000 : 95.000 (of 133.000): Siti 864.197,43, Budi
    2.160.493,57 -> 1 Rupiah left to Budi. Modal by 125.000 : 100.000 (of 225.000): Siti
    720.164,44, Budi 576.131,56 -> 1 Rupiah left to Budi."""
    preview = preview_shu(mlijo.coop, 2025, SHU)

    assert preview.split.parts["jasa_anggota"] == 4_320_987
    assert sum(preview.split.parts.values()) == SHU
    shares = [(row.member.id, row.usaha_share, row.modal_share) for row in preview.rows]
    assert shares == [
        (mlijo.admin_member.id, 0, 0),
        (mlijo.siti.id, 864_197, 720_164),
        (mlijo.budi.id, 2_160_494, 576_132),
    ]
    assert preview.paid_to_members == 4_320_987
    assert preview.problems == []
    assert count(ShuDistribution) == 0 and count(ShuShare) == 0


def test_purchases_count_in_jasa_usaha_when_the_statutes_say_so(mlijo):
    """Usaha weights 38.000 : 95.000 + 40.000 (of 173.000): Siti 664.382,99, Budi
    2.360.308,01 -> 1 Rupiah left to Siti."""
    save_settings(mlijo.coop, ShuPercentages(PARTS_BP, 7000, True), mlijo.admin)

    preview = preview_shu(mlijo.coop, 2025, SHU)

    usaha = [row.usaha_share for row in preview.rows]
    assert usaha == [0, 664_383, 2_360_308]
    assert sum(usaha) == preview.split.jasa_usaha


def confirm(mlijo, destination=ShuDestination.AVAILABLE, amount=SHU, year=2025):
    preview = preview_shu(mlijo.coop, year, amount)
    return confirm_shu(mlijo.coop, year, amount, destination, preview.token, mlijo.admin)


def test_confirming_posts_one_entry_to_available_and_records_every_share(mlijo):
    distribution = confirm(mlijo)

    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.siti.id) == 1_584_361
    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.budi.id) == 2_736_626
    assert balance(mlijo.coop.id, Account.SIMPANAN_SUKARELA, mlijo.siti.id) == 70_000
    assert balance(mlijo.coop.id, Account.SHU_SHARED) == 4_320_987
    entry = db.session.get(JournalEntry, distribution.journal_entry_id)
    assert (entry.kind, entry.idempotency_key) == (
        EntryKind.SHU_DISTRIBUTION,
        f"shu:{mlijo.coop.id}:2025",
    )
    assert distribution_of(mlijo.coop, 2025) == distribution
    assert (distribution.amount, distribution.parts_bp, distribution.confirmed_by_id) == (
        SHU,
        PARTS_BP,
        mlijo.admin.id,
    )
    assert [share.total for share in distribution.shares] == [0, 1_584_361, 2_736_626]
    assert check_ledger() == []


def test_confirming_to_simpanan_sukarela_leaves_available_alone(mlijo):
    confirm(mlijo, ShuDestination.SUKARELA)

    assert balance(mlijo.coop.id, Account.SIMPANAN_SUKARELA, mlijo.siti.id) == 70_000 + 1_584_361
    assert balance(mlijo.coop.id, Account.SIMPANAN_SUKARELA, mlijo.budi.id) == 2_736_626
    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.budi.id) == 0
    assert check_ledger() == []


def test_a_second_confirmation_posts_nothing_and_says_so(mlijo):
    confirm(mlijo)
    entries = count(JournalEntry)

    with pytest.raises(ShuAlreadyConfirmed, match="confirmed already"):
        confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.SUKARELA, "whatever", mlijo.admin)

    assert count(JournalEntry) == entries
    assert count(ShuDistribution) == 1
    assert balance(mlijo.coop.id, Account.MEMBER_AVAILABLE, mlijo.siti.id) == 1_584_361


def test_confirming_audits_and_tells_each_member_with_a_share(mlijo):
    confirm(mlijo)

    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "shu.confirmed"))
    assert audit.details["paid_to_members"] == 4_320_987
    told = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "member_shu_shared")
    ).all()
    assert sorted(told) == sorted([mlijo.siti.user_id, mlijo.budi.user_id])


def test_the_member_sees_their_shares(mlijo):
    confirm(mlijo)

    assert [share.total for share in shares_of_member(mlijo.budi)] == [2_736_626]


@pytest.mark.parametrize(
    ("year", "amount", "message"),
    [
        (2025, 0, "above Rp 0"),
        (2025, -5, "above Rp 0"),
        (1999, SHU, "Choose a year from 2000"),
        (3000, SHU, "Choose a year from 2000"),
    ],
)
def test_bad_figures_are_refused_and_change_nothing(mlijo, year, amount, message):
    with pytest.raises(ShuError, match=message):
        confirm_shu(mlijo.coop, year, amount, ShuDestination.AVAILABLE, "x", mlijo.admin)

    assert count(ShuDistribution) == 0
    assert balance(mlijo.coop.id, Account.SHU_SHARED) == 0


def test_the_current_year_can_be_previewed_but_not_confirmed(mlijo):
    from shop.reports.period import today_in_jakarta

    year = today_in_jakarta().year
    preview = preview_shu(mlijo.coop, year, SHU)

    assert "is not over" in preview.problems[0]
    with pytest.raises(ShuError, match="is not over"):
        confirm_shu(mlijo.coop, year, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    assert count(ShuDistribution) == 0


def test_a_confirmation_of_other_figures_than_previewed_is_refused(mlijo):
    preview = preview_shu(mlijo.coop, 2025, SHU)
    save_settings(mlijo.coop, ShuPercentages(PARTS_BP, 6000, False), mlijo.admin)

    with pytest.raises(ShuError, match="changed since you looked"):
        confirm_shu(mlijo.coop, 2025, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    assert count(ShuDistribution) == 0


def test_a_part_with_nobody_to_share_it_is_refused(mlijo):
    """2024: nobody had simpanan at its end, so jasa modal has no basis."""
    preview = preview_shu(mlijo.coop, 2024, SHU)

    assert "jasa modal cannot be shared" in preview.problems[0]
    with pytest.raises(ShuError):
        confirm_shu(mlijo.coop, 2024, SHU, ShuDestination.AVAILABLE, preview.token, mlijo.admin)
    assert count(JournalEntry.__table__) and count(ShuDistribution) == 0


@pytest.mark.parametrize(
    ("jasa_anggota", "amount"), [(0, SHU), (2500, 1)]
)  # 0 %, or an SHU so small that 25 % of it rounds to Rp 0
def test_an_shu_with_nothing_for_the_members_is_refused(mlijo, jasa_anggota, amount):
    """Found by tests/ledger/test_properties.py: it posted an entry with no postings (500)."""
    parts = dict.fromkeys(PARTS_BP, 0) | {"jasa_anggota": jasa_anggota,
                                          "reserve": 10_000 - jasa_anggota}  # fmt: skip
    save_settings(mlijo.coop, ShuPercentages(parts, 7000, False), mlijo.admin)
    entries = count(JournalEntry.__table__)

    with pytest.raises(ShuError, match="nothing to share"):
        confirm(mlijo, amount=amount)
    assert count(JournalEntry.__table__) == entries and count(ShuDistribution) == 0


@pytest.mark.parametrize(
    "parts",
    [PARTS_BP | {"reserve": 4500}, PARTS_BP | {"reserve": 3000}, PARTS_BP | {"sosial": -500,
                                                                             "reserve": 5000}],
)  # fmt: skip
def test_percentages_that_do_not_make_100_are_refused(mlijo, parts):
    before = db.session.get(ShuSettings, mlijo.coop.id).parts_bp

    with pytest.raises(ShuError):
        save_settings(mlijo.coop, ShuPercentages(parts, 7000, False), mlijo.admin)

    db.session.expire_all()
    assert db.session.get(ShuSettings, mlijo.coop.id).parts_bp == before

"""Who may open which cooperative page, and that a refused request changes nothing."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.checkout.models import CourierService, CourierZoneRate, ShippingSettings, ShippingZone
from shop.coops.models import Cooperative, Invitation, Membership, Role
from shop.coops.services import invite_member
from shop.extensions import db
from shop.ledger.models import ExternalRefund, JournalEntry, Payout
from shop.payments.gateway import gateway_from_config
from shop.payouts.batches import prepare_batch
from shop.payouts.models import PayoutBatch
from shop.rat.models import RatMeeting
from shop.reviews.models import Review
from shop.savings.models import PaymentMethod, SavingsKind, SavingsMovement, SavingsSettings
from shop.savings.services import SavingsRecord, record_deposit
from shop.savings.services import save_settings as save_savings_settings
from shop.shu.models import ShuDestination, ShuDistribution, ShuSettings
from shop.shu.services import ShuPercentages, preview_shu
from shop.shu.services import save_settings as save_shu_settings
from shop.supervision.models import ReportPeriod, SupervisionReport
from shop.supervision.services import ReportText, write_report
from tests.coops import count
from tests.factories import (
    DEFAULT_PASSWORD,
    make_coop,
    make_membership,
    make_user,
    reseal_hash_chains,
)
from tests.fulfilment.conftest import paid_order_of
from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)
from tests.payouts.conftest import earn

# A RAT as an admin records it: valid, so a refused request that got through would write it.
RAT_RECORD = {
    "held_on": "2026-03-14",
    "members_present": "20",
    "members_total": "30",
    "shu_decision": "Dibagi",
    "paid_shu_to": "sukarela",
    "reserve": "40",
    "jasa_anggota": "40",
    **dict.fromkeys(("pengurus", "karyawan", "pendidikan"), "5"),
    **dict.fromkeys(("sosial", "pembangunan_daerah_kerja"), "2,5"),
}

# Every page under /koperasi/<slug>/: who may use it, and what a POST to it sends. The
# POST data is valid, so a request that got through would change the cooperative.
COOP_PAGES = {
    "kelola/": ("admin", None),
    "kelola/undang": ("admin", {"email": "penyusup@example.com", "role": "admin"}),
    "kelola/profil": (
        "admin",
        {
            "name": "Diambil Alih",
            "city": "Sleman",
            "province": "DI Yogyakarta",
            "fee_percent": "0",
            "hold_days": "0",
            "min_payout": "1",
        },  # fmt: skip
    ),
    "kelola/pengiriman": (
        "admin",
        {
            "offers_pickup": "y",
            "offers_courier": "y",
            "zones-0-name": "Seluruh Indonesia",
            "zones-0-kind": "everywhere",
            "services-0-name": "Kurir Penyusup",
            "services-0-rates-0-first_kg_fee": "1",
            "services-0-rates-0-next_kg_fee": "1",
            "services-0-rates-0-eta_min_days": "1",
            "services-0-rates-0-eta_max_days": "2",
        },
    ),
    "kelola/anggota": ("admin", None),
    "kelola/anggota/<int:membership_id>": ("admin", None),
    "kelola/anggota/<int:membership_id>/peran": ("admin", {"role": "admin"}),
    "kelola/anggota/<int:membership_id>/nonaktifkan": ("admin", {}),
    "kelola/anggota/<int:membership_id>/aktifkan": ("admin", {}),
    "kelola/undangan/<int:invitation_id>/kirim-ulang": ("admin", {}),
    "kelola/undangan/<int:invitation_id>/cabut": ("admin", {}),
    "kelola/audit": ("admin", None),
    "kelola/laporan": ("admin", None),
    "kelola/laporan/<report>": ("admin", None),
    "kelola/rekonsiliasi/pengecualian": ("admin", None),
    # Names no payout, except where payout_waiting_in_coop_a makes one and points it there.
    "kelola/pencairan": (
        "admin",
        {"payout": "0", "action": "reject", "reject-0-reason": "Diambil alih"},
    ),
    "kelola/pesanan": ("admin", None),
    "kelola/pesanan/<number>": ("admin", None),
    "kelola/pesanan/<number>/status": ("admin", {"to": "packed"}),
    "kelola/pesanan/<number>/pengembalian": ("admin", {"quantity_0": "1", "reason": "Rusak"}),
    "kelola/pesanan/<number>/slip": ("admin", None),
    "kelola/pesanan/<number>/pengembalian-manual": (
        "admin",
        {"manual-quantity_0": "1", "manual-reason": "Rusak", "manual-bank_reference": "BCA-1"},
    ),
    "kelola/pesanan/<number>/alokasi-pengembalian/<int:refund_id>": (
        "admin",
        {"allocate-quantity_0": "1", "allocate-reason": "Dari dashboard"},
    ),
    # Names no order, except where order_to_pack_in_coop_a makes one and points it there.
    "kelola/pesanan/kemas": ("admin", {"orders": "PK-20260101-ABCDEF"}),
    "kelola/ulasan": ("admin", None),
    "kelola/ulasan/<int:review_id>/sembunyikan": ("admin", {"reason": "Kata-kata kasar"}),
    "kelola/ulasan/<int:review_id>/tampilkan": ("admin", {}),
    "anggota/ulasan": ("member", None),
    "anggota/ulasan/<int:review_id>/balas": ("member", {"text": "Diambil alih"}),
    "anggota/profil": (
        "member",
        {
            "business_name": "Diambil Alih",
            "bank_name": "BCA",
            "bank_account_number": "9999999999",
            "bank_account_holder": "Penyusup",
        },
    ),
    "anggota/": ("member", None),
    "anggota/mutasi": ("member", None),
    "anggota/penjualan": ("member", None),
    "anggota/saldo": ("member", {"amount": "50000"}),
    "kelola/simpanan": ("admin", None),
    # Names no member (a refused request must not reach the form's checks anyway).
    **{
        f"kelola/simpanan/{page}": (
            "admin",
            {
                "member": "0",
                "kind": "sukarela",
                "amount": "50000",
                "method": "cash",
                "reference": "",
                "paid_on": "2026-12-01",
            },
        )
        for page in ("setoran", "penarikan")
    },  # fmt: skip
    "kelola/simpanan/pengaturan": ("admin", {"pokok_amount": "1", "wajib_amount": "1"}),
    "anggota/simpanan": ("member", None),
    "kelola/shu": ("admin", None),
    "kelola/shu/pengaturan": (
        "admin",
        {
            "reserve": "40",
            "jasa_anggota": "35",
            "pengurus": "5",
            "karyawan": "5",
            "pendidikan": "5",
            "sosial": "5",
            "pembangunan_daerah_kerja": "5",
            "jasa_usaha": "70",
        },
    ),  # fmt: skip
    # The token names no preview, except where shu_year_in_coop_a makes one.
    "kelola/shu/<int:year>": (
        "admin",
        {"amount": "1000000", "token": "x", "destination": "available"},
    ),  # fmt: skip
    "kelola/shu/anggota/<int:membership_id>": ("admin", None),
    "anggota/shu": ("member", None),
    "anggota/shu/<int:year>": ("member", None),
    "kelola/rat": ("admin", None),
    "kelola/rat/<int:year>": ("admin", RAT_RECORD),
    "kelola/rat/<int:year>/paket.xlsx": ("admin", None),
    "kelola/rat/<int:year>/cetak": ("admin", None),
    "kelola/pencairan/batch": ("admin", None),
    # Names no payout, except where payout_batches_in_coop_a makes them and points it there.
    "kelola/pencairan/batch/baru": ("admin", {"payouts": "999999"}),
    "kelola/pencairan/batch/<int:batch_id>": ("admin", None),
    "kelola/pencairan/batch/<int:batch_id>/setujui": ("admin", {}),
    "kelola/pencairan/batch/<int:batch_id>/batalkan": ("admin", {}),
    "kelola/pencairan/batch/<int:batch_id>/keluarkan": ("admin", {"payout": "999999"}),
    # The books: the admins', and the pengawas's to read (BOOKS_PAGES).
    "kelola/anggota/<int:membership_id>/mutasi": ("admin", None),
    "kelola/jurnal": ("admin", None),
    "kelola/pengawasan": ("admin", None),
    "kelola/pengawasan/<int:report_id>": ("admin", None),
    # The pengawas's own: their home and the supervision report they write.
    "pengawas": ("pengawas", None),
    "pengawas/laporan/baru": (
        "pengawas",
        {"year": "2026", "period": "year", "title": "Diambil alih", "findings": "Palsu"},
    ),
    "pengawas/laporan/<int:report_id>": (
        "pengawas",
        {"year": "2026", "period": "q1", "title": "Diambil alih", "findings": "Palsu"},
    ),
    "pengawas/laporan/<int:report_id>/kirim": ("pengawas", {}),
}
# What the pengawas reads (GET only): every page of the cooperative's books. The rule
# require_books_reader marks exactly these (test_books_pages_are_the_books_readers).
BOOKS_PAGES = {
    "kelola/laporan", "kelola/laporan/<report>", "kelola/audit", "kelola/pencairan",
    "kelola/anggota", "kelola/anggota/<int:membership_id>",
    "kelola/anggota/<int:membership_id>/mutasi", "kelola/simpanan", "kelola/pesanan",
    "kelola/pesanan/<number>", "kelola/pesanan/<number>/slip", "kelola/jurnal",
    "kelola/pengawasan", "kelola/pengawasan/<int:report_id>",
    "kelola/rat", "kelola/rat/<int:year>", "kelola/rat/<int:year>/paket.xlsx",
    "kelola/rat/<int:year>/cetak", "kelola/shu", "kelola/shu/<int:year>",
    "kelola/shu/anggota/<int:membership_id>", "kelola/pencairan/batch",
    "kelola/pencairan/batch/<int:batch_id>", "kelola/rekonsiliasi/pengecualian",
}  # fmt: skip
ALLOCATION = "kelola/pesanan/<number>/alokasi-pengembalian/<int:refund_id>"
# Pages whose route has a variable part, and the page the tests open for it.
EXAMPLE_PATHS = {"kelola/laporan/<report>": "kelola/laporan/members"}
EXAMPLE_PATHS |= {
    page: page.replace("<number>", "PK-20260101-ABCDEF")
    for page in COOP_PAGES
    if "<number>" in page
}
EXAMPLE_PATHS |= {
    page: re.sub(r"<int:\w+>", "999999", page) for page in COOP_PAGES if "<int:" in page
}
# A financial year that can have its RAT recorded (held in 2026).
EXAMPLE_PATHS |= {
    page: page.replace("<int:year>", "2025") for page in COOP_PAGES if "<int:year>" in page
}

# Pages an admin can only use on a record of their cooperative: the fixture that makes one
# (and points EXAMPLE_PATHS at it).
PAGE_FIXTURES = {page: "paid_order_in_coop_a" for page in COOP_PAGES if "<number>" in page}
MEMBER_PAGES_FIXTURE = "member_and_invitation_in_coop_a"
PAGE_FIXTURES |= {
    page: MEMBER_PAGES_FIXTURE
    for page in COOP_PAGES
    if "<int:" in page and "<int:year>" not in page
}
PAGE_FIXTURES["kelola/pencairan"] = "payout_waiting_in_coop_a"
PAGE_FIXTURES["kelola/pesanan/kemas"] = "order_to_pack_in_coop_a"
PAGE_FIXTURES["kelola/pesanan/<number>/pengembalian-manual"] = "va_order_in_coop_a"
PAGE_FIXTURES["anggota/saldo"] = "earnings_of_coop_a_admin"
PAGE_FIXTURES[ALLOCATION] = "refund_to_allocate_in_coop_a"
PAGE_FIXTURES["kelola/simpanan/setoran"] = "saver_in_coop_a"
PAGE_FIXTURES["kelola/simpanan/penarikan"] = "saver_in_coop_a"
PAGE_FIXTURES |= {page: "reviews_in_coop_a" for page in COOP_PAGES if "<int:review_id>" in page}
# A past financial year (one ended, so that its SHU can be confirmed).
SHU_YEAR = 2025
EXAMPLE_PATHS |= {page: page.replace("<int:year>", str(SHU_YEAR)) for page in COOP_PAGES
                  if "<int:year>" in page}  # fmt: skip
PAGE_FIXTURES["kelola/shu/<int:year>"] = "shu_year_in_coop_a"
PAGE_FIXTURES |= {
    page: "payout_batches_in_coop_a" for page in COOP_PAGES if page.startswith("kelola/pencairan/")
}
PAGE_FIXTURES |= {
    page: "supervision_report_in_coop_a" for page in COOP_PAGES if "<int:report_id>" in page
}
# Buttons: a POST, never a page of their own.
POST_ONLY = {
    page
    for page in COOP_PAGES
    if page.endswith(
        (
            "/peran",
            "/nonaktifkan",
            "/aktifkan",
            "/kirim-ulang",
            "/cabut",
            "/sembunyikan",
            "/tampilkan",
            "/balas",
            "/setujui",
            "/batalkan",
            "/keluarkan",
            "/kirim",
        )
    )  # fmt: skip
}
REQUESTS = [("GET", page) for page in COOP_PAGES if page not in POST_ONLY] + [
    ("POST", page) for page, (_, data) in COOP_PAGES.items() if data is not None
]
ADMIN_REQUESTS = [(method, page) for method, page in REQUESTS if COOP_PAGES[page][0] == "admin"]
MEMBER_REQUESTS = [(method, page) for method, page in REQUESTS if COOP_PAGES[page][0] == "member"]
PENGAWAS_REQUESTS = [(m, page) for m, page in REQUESTS if COOP_PAGES[page][0] == "pengawas"]


def send(client, method: str, coop_slug: str, page: str):
    data = COOP_PAGES[page][1] if method == "POST" else None
    return client.open(f"/koperasi/{coop_slug}/{path_of(page)}", method=method, data=data)


def path_of(page: str) -> str:
    return EXAMPLE_PATHS.get(page, page)


def coop_state(coop: Cooperative) -> tuple:
    """Everything a cooperative page could write, read back from the database."""
    return (
        db.session.execute(select(*Cooperative.__table__.c).where(Cooperative.id == coop.id)).one(),
        db.session.execute(
            select(*Membership.__table__.c)
            .where(Membership.cooperative_id == coop.id)
            .order_by(Membership.id)
        ).all(),
        count(Invitation, Invitation.cooperative_id == coop.id),
        count(AuditEntry, AuditEntry.cooperative_id == coop.id),
        db.session.execute(
            select(*ShippingSettings.__table__.c).where(ShippingSettings.cooperative_id == coop.id)
        ).all(),
        db.session.execute(
            select(CourierService.name, CourierZoneRate.first_kg_fee)
            .join(CourierZoneRate.service)
            .where(CourierService.cooperative_id == coop.id)
            .order_by(CourierZoneRate.id)
        ).all(),
        count(ShippingZone, ShippingZone.cooperative_id == coop.id),
        db.session.execute(
            select(Payout.id, Payout.status, Payout.amount, Payout.batch_id)
            .where(Payout.cooperative_id == coop.id)
            .order_by(Payout.id)
        ).all(),
        count(SavingsMovement, SavingsMovement.cooperative_id == coop.id),
        db.session.execute(
            select(PayoutBatch.id, PayoutBatch.status)
            .where(PayoutBatch.cooperative_id == coop.id)
            .order_by(PayoutBatch.id)
        ).all(),
        db.session.execute(
            select(*SavingsSettings.__table__.c).where(SavingsSettings.cooperative_id == coop.id)
        ).all(),
        db.session.execute(
            select(*RatMeeting.__table__.c).where(RatMeeting.cooperative_id == coop.id)
        ).all(),
        db.session.execute(
            select(Review.id, Review.reply_text, Review.hidden_at)
            .where(Review.cooperative_id == coop.id)
            .order_by(Review.id)
        ).all(),
        db.session.execute(
            select(*ShuSettings.__table__.c).where(ShuSettings.cooperative_id == coop.id)
        ).all(),
        count(ShuDistribution, ShuDistribution.cooperative_id == coop.id),
        count(JournalEntry, JournalEntry.cooperative_id == coop.id),
        db.session.execute(
            select(*SupervisionReport.__table__.c)
            .where(SupervisionReport.cooperative_id == coop.id)
            .order_by(SupervisionReport.id)
        ).all(),
    )


@pytest.fixture
def coop_a():
    return make_coop(name="Koperasi Mlijo Sejahtera", fee_bp=500)


@pytest.fixture
def coop_b():
    """The other cooperative, with an admin and a member who has filled in a profile."""
    coop = make_coop(name="Koperasi Batik Lestari", fee_bp=750)
    make_membership(coop=coop, role=Role.ADMIN)
    make_membership(
        coop=coop,
        business_name="Batik Bu Sri",
        whatsapp="+6281234567890",
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Sri Rahayu",
    )
    return coop


def test_access_table_covers_every_coop_page(app):
    """Every page guarded by a cooperative rule is in the table (public storefront pages of a
    cooperative share the /koperasi/ prefix but are not the console's)."""
    prefix = "/koperasi/<coop_slug>/"
    routes = {
        rule.rule.removeprefix(prefix): rule.methods
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix)
        and getattr(app.view_functions[rule.endpoint], "access_rule", None) != "public"
        # The product pages have a table of their own, per product (tests/products).
        and not rule.endpoint.startswith("products.")
    }
    assert set(routes) == set(COOP_PAGES)
    for page, methods in routes.items():
        assert ("POST" in methods) == (COOP_PAGES[page][1] is not None), page
        assert ("GET" in methods) == (page not in POST_ONLY), page


@pytest.fixture
def paid_order_in_coop_a(app, coop_a, simulator_app, monkeypatch):  # noqa: F811
    """An order of coop_a paid by QRIS at the live simulator (so it can be refunded)."""
    simulator_url = simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    monkeypatch.setitem(app.config, "MIDTRANS_SIMULATOR_URL", simulator_url)
    order = paid_order_of(coop_a, gateway_from_config(simulator_app.config))
    for page in PAGE_FIXTURES:
        monkeypatch.setitem(EXAMPLE_PATHS, page, page.replace("<number>", order.number))
    return order


@pytest.fixture
def member_and_invitation_in_coop_a(coop_a, monkeypatch):
    """A member, a former member and an open invitation of coop_a, named by the pages."""
    member = make_membership(coop=coop_a)
    former = make_membership(coop=coop_a, is_active=False)
    invitation, _link = invite_member(
        coop_a, "calon@example.com", Role.MEMBER, make_membership(coop=coop_a, role=Role.ADMIN).user
    )
    db.session.commit()
    for page in (p for p in COOP_PAGES if PAGE_FIXTURES.get(p) == MEMBER_PAGES_FIXTURE):
        # Reactivating needs a former member; every other member page, an active one.
        ids = {
            "membership_id": former.id if page.endswith("/aktifkan") else member.id,
            "invitation_id": invitation.id,
            "review_id": 999999,  # reviews_in_coop_a names real ones
        }
        path = re.sub(r"<int:(\w+)>", lambda m, ids=ids: str(ids[m.group(1)]), page)
        monkeypatch.setitem(EXAMPLE_PATHS, page, path)


@pytest.fixture
def saver_in_coop_a(coop_a, monkeypatch):
    """A member of coop_a with Rp 60.000 of simpanan sukarela, named by the simpanan forms."""
    member = make_membership(coop=coop_a)
    admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    deposit = SavingsRecord(member, SavingsKind.SUKARELA, 60_000, PaymentMethod.CASH, "",
                            date(2026, 12, 1))  # fmt: skip
    record_deposit(deposit, admin)
    for page in ("kelola/simpanan/setoran", "kelola/simpanan/penarikan"):
        role, data = COOP_PAGES[page]
        monkeypatch.setitem(COOP_PAGES, page, (role, data | {"member": str(member.id)}))


@pytest.fixture
def shu_year_in_coop_a(coop_a, monkeypatch):
    """coop_a's statutes (jasa anggota all by jasa modal) and a member with simpanan pokok at
    the end of SHU_YEAR: the year page's POST, with its preview's token, confirms it."""
    member = make_membership(coop=coop_a)
    admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    save_savings_settings(coop_a, 100_000, 0, None, admin)
    deposit = record_deposit(
        SavingsRecord(
            member, SavingsKind.POKOK, 100_000, PaymentMethod.CASH, "", date(SHU_YEAR, 6, 1)
        ),
        admin,
    )
    db.session.execute(
        update(JournalEntry)
        .where(JournalEntry.idempotency_key == f"savings:{deposit.id}")
        .values(created_at=datetime(SHU_YEAR, 6, 1, tzinfo=UTC))
    )
    reseal_hash_chains()
    parts = {"reserve": 6000, "jasa_anggota": 4000, "pengurus": 0, "karyawan": 0,
             "pendidikan": 0, "sosial": 0, "pembangunan_daerah_kerja": 0}  # fmt: skip
    save_shu_settings(coop_a, ShuPercentages(parts, 0, False), admin)
    token = preview_shu(coop_a, SHU_YEAR, 1_000_000).token
    page = "kelola/shu/<int:year>"
    data = {"amount": "1000000", "token": token, "destination": str(ShuDestination.AVAILABLE)}
    monkeypatch.setitem(COOP_PAGES, page, ("admin", data))


@pytest.fixture
def va_order_in_coop_a(app, coop_a, simulator_app, monkeypatch):  # noqa: F811
    """An order of coop_a paid by virtual account: Midtrans cannot refund it, so the admin
    records a refund by bank transfer."""
    simulator_url = simulator_app.config["MIDTRANS_SIMULATOR_URL"]
    monkeypatch.setitem(app.config, "MIDTRANS_SIMULATOR_URL", simulator_url)
    order = paid_order_of(coop_a, gateway_from_config(simulator_app.config), "bank_transfer")
    page = "kelola/pesanan/<number>/pengembalian-manual"
    monkeypatch.setitem(EXAMPLE_PATHS, page, page.replace("<number>", order.number))
    return order


@pytest.fixture
def refund_to_allocate_in_coop_a(paid_order_in_coop_a, monkeypatch):
    """The paid order with a refund made at Midtrans, not allocated yet."""
    external = ExternalRefund(
        order_id=paid_order_in_coop_a.id, gateway_refund_key="dashboard-1", amount=15_000
    )
    db.session.add(external)
    db.session.commit()
    path = ALLOCATION.replace("<number>", paid_order_in_coop_a.number)
    monkeypatch.setitem(
        EXAMPLE_PATHS, ALLOCATION, path.replace("<int:refund_id>", str(external.id))
    )
    return external


@pytest.fixture
def order_to_pack_in_coop_a(paid_order_in_coop_a, monkeypatch):
    """The paid order's part, to pack, named by the table's POST."""
    data = {"orders": paid_order_in_coop_a.number}
    monkeypatch.setitem(COOP_PAGES, "kelola/pesanan/kemas", ("admin", data))
    return paid_order_in_coop_a


@pytest.fixture
def payout_waiting_in_coop_a(coop_a, monkeypatch):
    """A payout waiting for approval in coop_a (rejecting it moves no money), named by the
    table's POST."""
    member = make_membership(
        coop=coop_a, bank_name="BRI", bank_account_number="0123456789", bank_account_holder="Siti"
    )
    payout = Payout(
        cooperative_id=coop_a.id,
        member_id=member.id,
        amount=50_000,
        bank_name=member.bank_name,
        bank_account_number=member.bank_account_number,
        bank_account_holder=member.bank_account_holder,
        requested_by_id=member.user_id,
    )
    db.session.add(payout)
    db.session.commit()
    data = {"payout": str(payout.id), "action": "reject", f"reject-{payout.id}-reason": "Alasan"}
    monkeypatch.setitem(COOP_PAGES, "kelola/pencairan", ("admin", data))
    return payout


@pytest.fixture
def reviews_in_coop_a(coop_a, monkeypatch):
    """Two reviews of a completed order of coop_a: a visible one for "hide" and "reply", a
    hidden one for "show", named by the pages. The products are the signed-in admin's (the
    newest admin), so that they may reply as the maker."""
    from tests.reviews.conftest import reviews_of_completed_order

    maker = db.session.scalar(
        select(Membership)
        .where(Membership.cooperative_id == coop_a.id, Membership.role == Role.ADMIN)
        .order_by(Membership.id.desc())
    )
    visible, hidden = reviews_of_completed_order(coop_a, hidden=(False, True), member=maker)
    for page, review in [("sembunyikan", visible), ("tampilkan", hidden), ("balas", visible)]:
        path = f"ulasan/<int:review_id>/{page}"
        prefix = "anggota/" if page == "balas" else "kelola/"
        monkeypatch.setitem(EXAMPLE_PATHS, prefix + path, f"{prefix}ulasan/{review.id}/{page}")


@pytest.fixture
def payout_batches_in_coop_a(coop_a, monkeypatch):
    """Maker-checker in coop_a: batch X prepared by another admin (the signed-in admin, the
    newest admin so far, approves or cancels it), batch Y prepared by the signed-in admin
    (who takes a payout out of it), and a payout in no batch (for a new batch)."""
    tester = db.session.scalar(
        select(Membership)
        .where(Membership.cooperative_id == coop_a.id, Membership.role == Role.ADMIN)
        .order_by(Membership.id.desc())
    ).user
    other_admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    seller = make_membership(coop=coop_a, bank_name="BRI", bank_account_number="0123456789")
    seller.bank_account_holder = seller.user.name
    earn(seller, other_admin)
    payouts = [
        Payout(cooperative_id=coop_a.id, member_id=seller.id, amount=20_000, bank_name="BRI",
               bank_account_number="0123456789", bank_account_holder=seller.user.name,
               requested_by_id=seller.user_id)
        for _ in range(4)
    ]  # fmt: skip
    db.session.add_all(payouts)
    db.session.commit()
    batch_x = prepare_batch(coop_a, [payouts[0].id], other_admin)
    batch_y = prepare_batch(coop_a, [payouts[1].id, payouts[2].id], tester)
    for page in (p for p in COOP_PAGES if p.startswith("kelola/pencairan/batch/<")):
        batch = batch_y if page.endswith("/keluarkan") else batch_x
        monkeypatch.setitem(EXAMPLE_PATHS, page, page.replace("<int:batch_id>", str(batch.id)))
    monkeypatch.setitem(COOP_PAGES, "kelola/pencairan/batch/baru",
                        ("admin", {"payouts": str(payouts[3].id)}))  # fmt: skip
    monkeypatch.setitem(COOP_PAGES, "kelola/pencairan/batch/<int:batch_id>/keluarkan",
                        ("admin", {"payout": str(payouts[1].id)}))  # fmt: skip


@pytest.fixture
def supervision_report_in_coop_a(coop_a, monkeypatch):
    """A draft supervision report by a pengawas of coop_a, named by the pages."""
    author = make_membership(coop=coop_a, role=Role.PENGAWAS)
    text = ReportText(2026, ReportPeriod.Q1, "Triwulan I", "Buku kas diperiksa.", "", "")
    report = write_report(author, text)
    for page in (p for p in COOP_PAGES if "<int:report_id>" in p):
        monkeypatch.setitem(EXAMPLE_PATHS, page, page.replace("<int:report_id>", str(report.id)))
    return report


@pytest.fixture
def earnings_of_coop_a_admin(coop_a):
    """coop_a's admin (who may sell too) with a bank account and Rp 95.000 to ask for."""
    admin = db.session.scalar(
        select(Membership).where(
            Membership.cooperative_id == coop_a.id, Membership.role == Role.ADMIN
        )
    )
    admin.bank_name, admin.bank_account_number, admin.bank_account_holder = (
        "BRI",
        "0123456789",
        "Budi",
    )
    db.session.commit()
    earn(admin, admin.user)


@pytest.mark.parametrize(("method", "page"), ADMIN_REQUESTS + MEMBER_REQUESTS)
def test_admin_can_use_own_coops_pages(client, login, coop_a, method, page, request):
    admin = make_membership(coop=coop_a, role=Role.ADMIN, business_name="Warung Pak Budi").user
    if page in PAGE_FIXTURES:
        request.getfixturevalue(PAGE_FIXTURES[page])
    login(admin)
    before = coop_state(coop_a)

    response = send(client, method, coop_a.slug, page)

    if method == "GET":
        assert response.status_code == 200
        assert coop_state(coop_a) == before
    else:
        assert response.status_code in (200, 302)
        assert coop_state(coop_a) != before


# What a member's POST to each of their pages changes: (business name, payout amounts).
MEMBER_POST_EFFECTS = {"anggota/profil": ("Diambil Alih", []), "anggota/saldo": ("", [50_000])}
# Pages about one record of the member's own, tested with that record where it is made:
# the reply to a review of their product (tests/reviews/test_views.py).
MEMBER_PAGES_TESTED_ELSEWHERE = {"anggota/ulasan/<int:review_id>/balas"}


def member_state(membership: Membership) -> tuple:
    return (
        db.session.scalar(select(Membership.business_name).where(Membership.id == membership.id)),
        list(db.session.scalars(select(Payout.amount).where(Payout.member_id == membership.id))),
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PENGAWAS])  # the pengawas may sell too
@pytest.mark.parametrize(
    ("method", "page"),
    [(m, p) for m, p in MEMBER_REQUESTS if p not in MEMBER_PAGES_TESTED_ELSEWHERE],
)
def test_member_can_use_own_member_pages(client, login, coop_a, method, page, role):
    membership = make_membership(
        coop=coop_a,
        role=role,
        bank_name="BRI",
        bank_account_number="0123456789",
        bank_account_holder="Siti Aminah",
    )
    earn(membership, make_membership(coop=coop_a, role=Role.ADMIN).user)  # Rp 95.000 to ask for
    login(membership.user)

    response = send(client, method, coop_a.slug, page)

    assert response.status_code in (200, 302)
    assert member_state(membership) == (MEMBER_POST_EFFECTS[page] if method == "POST" else ("", []))


def test_admin_console_lists_own_members_only(client, login, coop_a, coop_b):
    admin = make_membership(coop=coop_a, role=Role.ADMIN, business_name="Warung Pak Budi").user
    make_membership(coop=coop_a, user=make_user(name="Siti Aminah"))
    login(admin)

    page = client.get(f"/koperasi/{coop_a.slug}/kelola/anggota").get_data(as_text=True)

    assert "Siti Aminah" in page and "Warung Pak Budi" in page
    assert "Batik Bu Sri" not in page
    assert count(Membership, Membership.cooperative_id == coop_a.id) == 2


# What a deactivated member keeps: their home, profile (bank account), statement, balance and
# simpanan, so they can still be paid what they are owed.
FORMER_MEMBER_PAGES = {
    "anggota/", "anggota/profil", "anggota/mutasi", "anggota/saldo", "anggota/penjualan",
    "anggota/simpanan", "anggota/shu", "anggota/shu/<int:year>",
}  # fmt: skip


@pytest.mark.parametrize("page", sorted(FORMER_MEMBER_PAGES))
def test_former_member_still_opens_their_own_money_pages(client, login, coop_a, page):
    login(make_membership(coop=coop_a, is_active=False).user)

    assert send(client, "GET", coop_a.slug, page).status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in_from_operator_dashboard(client):
    response = client.get("/operator/")

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["next"] == ["/operator/"]


def test_coop_admin_who_is_not_operator_cannot_open_operator_dashboard(client, login, coop_a):
    admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    login(admin)

    response = client.get("/operator/")

    assert response.status_code == 403
    assert coop_a.name not in response.get_data(as_text=True)
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == admin.id)) == (
        Role.ADMIN
    )


def test_operator_can_open_operator_dashboard(client, login, coop_a):
    operator = make_user(is_operator=True)
    login(operator)

    response = client.get("/operator/")

    assert response.status_code == 200
    assert coop_a.name in response.get_data(as_text=True)
    assert count(Membership, Membership.user_id == operator.id) == 0


def test_books_pages_are_the_books_readers(app):
    """require_books_reader guards exactly the books pages; every other console page keeps
    the admin-only rule, so a page added to the console is closed to the pengawas until it is
    added here on purpose."""
    prefix = "/koperasi/<coop_slug>/"
    rules = {
        rule.rule.removeprefix(prefix): app.view_functions[rule.endpoint].access_rule
        for rule in app.url_map.iter_rules()
        if rule.rule.removeprefix(prefix) in COOP_PAGES
    }
    assert {page for page, rule in rules.items() if rule == "coop_books"} == BOOKS_PAGES
    for page, (role, _data) in COOP_PAGES.items():
        expected = {"admin": {"coop_admin", "coop_books"}, "member": {"coop_member"},
                    "pengawas": {"coop_pengawas"}}[role]  # fmt: skip
        assert rules[page] in expected, page


def posting_forms(html: str) -> list[str]:
    return [tag for tag in re.findall(r"<form\b[^>]*>", html) if 'method="post"' in tag.lower()]


@pytest.mark.parametrize("page", sorted(BOOKS_PAGES))
def test_pengawas_reads_every_books_page_and_sees_no_button(client, login, coop_a, page, request):
    make_membership(coop=coop_a, role=Role.ADMIN)
    if page in PAGE_FIXTURES:
        request.getfixturevalue(PAGE_FIXTURES[page])
    login(make_membership(coop=coop_a, role=Role.PENGAWAS).user)
    before = coop_state(coop_a)

    response = send(client, "GET", coop_a.slug, page)

    assert response.status_code == 200
    assert coop_state(coop_a) == before
    if response.mimetype == "text/html":
        # No admin's button is shown: what posts is the header's sign-out, and on a draft
        # supervision report, the pengawas's own "submit".
        own = ("/akun/keluar", f"/koperasi/{coop_a.slug}/pengawas/")
        forms = [tag for tag in posting_forms(response.get_data(as_text=True))
                 if not any(path in tag for path in own)]  # fmt: skip
        assert forms == [], page


@pytest.mark.parametrize(("method", "page"), PENGAWAS_REQUESTS)
def test_pengawas_uses_their_own_pages(client, login, coop_a, method, page, request):
    if page in PAGE_FIXTURES:
        request.getfixturevalue(PAGE_FIXTURES[page])
    login(make_membership(coop=coop_a, role=Role.PENGAWAS).user)
    before = coop_state(coop_a)

    response = send(client, method, coop_a.slug, page)

    if method == "GET":
        assert response.status_code == 200
        assert coop_state(coop_a) == before
    else:
        assert response.status_code in (200, 302)
        assert coop_state(coop_a) != before


@dataclass(frozen=True)
class Refusal:
    """Someone a cooperative page is not for, where they ask for it, and the answer they get:
    302 (anonymous: sent to sign in), 403 (signed in, not allowed) or 404 (no such open
    cooperative)."""

    who: str
    user: User | None  # None: not signed in
    coop: Cooperative | None  # the cooperative in the address; None: a slug naming none
    status: int
    hides_the_coop: bool = False  # an outsider's 403 page does not even name the cooperative


def refusals_of(method: str, page: str, coop: Cooperative, admin: User) -> list[Refusal]:
    """Everyone who must be refused `method page` of `coop` (whose admin is `admin`): the
    world outside it at every page, its own people where their role does not reach."""
    role = COOP_PAGES[page][0]
    other = make_coop(name="Koperasi Batik Lestari", fee_bp=750)
    closed = make_coop(is_active=False)
    refusals = [
        Refusal("an anonymous visitor", None, coop, 302),
        *(
            Refusal(f"a {role_elsewhere} of another cooperative",
                    make_membership(coop=other, role=role_elsewhere).user, coop, 403, True)
            for role_elsewhere in (Role.MEMBER, Role.ADMIN, Role.PENGAWAS)
        ),
        Refusal("the platform operator", make_user(is_operator=True), coop, 403),
        Refusal("a shopper", make_user(), coop, 403),
        Refusal("its admin, at a slug naming no cooperative", admin, None, 404),
        Refusal("the admin of an inactive cooperative",
                make_membership(coop=closed, role=Role.ADMIN).user, closed, 404),
    ]  # fmt: skip
    own = []
    if page not in FORMER_MEMBER_PAGES:
        own.append(("a former admin (inactive membership)", Role.ADMIN, False))
    if role in ("admin", "pengawas"):
        own.append(("a plain member", Role.MEMBER, True))
    if role == "admin" and (method == "POST" or page not in BOOKS_PAGES):
        own.append(("the pengawas (who changes nothing in the console)", Role.PENGAWAS, True))
    if role == "pengawas":  # the pengurus do not write the report that supervises them
        refusals.append(Refusal("an admin", admin, coop, 403))
    for who, own_role, is_active in own:
        user = make_membership(coop=coop, role=own_role, is_active=is_active).user
        refusals.append(Refusal(who, user, coop, 403))
    return refusals


def signed_in_client(app, user: User | None):
    """A client of its own (its own cookies), signed in through the real sign-in form."""
    client = app.test_client()
    if user is not None:
        response = client.post(
            "/akun/masuk", data={"email": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302, "sign-in failed"
    return client


def everything_a_refusal_could_change(coop: Cooperative) -> tuple:
    return coop_state(coop), count(Invitation), count(AuditEntry)


@pytest.mark.parametrize(("method", "page"), REQUESTS)
def test_everyone_a_page_is_not_for_is_refused_and_changes_nothing(
    app, coop_a, method, page, request
):
    """The hostile test: every page and button of the cooperative console, GET and POST, asked
    for by everyone it is not for (Refusal), each on a client of their own: each is refused
    with the right status and nothing in the database changes. The POST data is valid and,
    where a page needs one, the record it names is real (PAGE_FIXTURES), so a request that got
    through would change the cooperative.

    One test per request, not per (request, visitor): the visitors share the page's records,
    which are the expensive part (orders paid at the live simulator), and every visitor is
    still checked and named when refused wrongly."""
    admin = make_membership(coop=coop_a, role=Role.ADMIN).user
    if page in PAGE_FIXTURES:
        request.getfixturevalue(PAGE_FIXTURES[page])
    refusals = refusals_of(method, page, coop_a, admin)
    clients = [signed_in_client(app, refusal.user) for refusal in refusals]
    wrong = []

    for refusal, client in zip(refusals, clients, strict=True):
        before = everything_a_refusal_could_change(refusal.coop or coop_a)
        slug = refusal.coop.slug if refusal.coop else "tidak-ada"

        response = send(client, method, slug, page)

        if response.status_code != refusal.status:
            wrong.append(f"{refusal.who}: {response.status_code}, not {refusal.status}")
        if refusal.status == 302:
            location = urlsplit(response.headers.get("Location", ""))
            next_page = parse_qs(location.query).get("next")
            if location.path != "/akun/masuk" or next_page != [f"/koperasi/{slug}/{path_of(page)}"]:
                wrong.append(f"{refusal.who}: sent to {location.geturl()}, not to sign in")
        if refusal.hides_the_coop and coop_a.name in response.get_data(as_text=True):
            wrong.append(f"{refusal.who}: the refusal names the cooperative")
        if everything_a_refusal_could_change(refusal.coop or coop_a) != before:
            wrong.append(f"{refusal.who}: the refused request changed the database")
    assert wrong == []

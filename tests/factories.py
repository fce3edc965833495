"""Plain functions that add test data; keyword arguments override the defaults.

They commit: under the test fixture a commit only releases a savepoint (the whole test is still
rolled back), and it keeps the data when a service under test rolls back its own failure.
"""

import itertools

from werkzeug.security import generate_password_hash

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductStatus, ProductVariant
from shop.checkout.models import ShippingSettings, ZoneKind
from shop.checkout.shipping_settings import (
    CourierServiceInput,
    ShippingSettingsInput,
    ZoneInput,
    ZoneRateInput,
    checked_settings,
    write_settings,
)
from shop.coops.models import Cooperative, Membership, Role
from shop.extensions import db
from shop.payments.attempt_records import latest_attempt
from shop.payments.gateway import TransactionStatus
from shop.payments.models import NotificationOutcome
from shop.payments.services import apply_gateway_status

DEFAULT_PASSWORD = "rahasia-123"
# Hashing is slow on purpose (the app's scrypt takes ~0.1-0.5 s of CPU and 16 MB). One hash
# serves every test user, made with a single PBKDF2 round: check_password_hash reads the
# method from the hash, so signing in through the real form still checks the password, in
# microseconds instead of a scrypt run per login (thousands of them in the suite). Accounts the
# app creates (registration, password change) still get the app's own scrypt hash.
_DEFAULT_HASH = generate_password_hash(DEFAULT_PASSWORD, method="pbkdf2:sha256:1")
_sequence = itertools.count(1)


def _add(instance):
    db.session.add(instance)
    db.session.commit()
    return instance


def make_user(**over) -> User:
    n = next(_sequence)
    values = {
        "email": f"user{n}@example.test",
        "name": f"Pengguna {n}",
        "password_hash": _DEFAULT_HASH,
    }
    return _add(User(**(values | over)))


def make_coop(**over) -> Cooperative:
    n = next(_sequence)
    values = {
        "name": f"Koperasi Uji {n}",
        "slug": f"koperasi-uji-{n}",
        "city": "Kota Yogyakarta",
        "province": "DI Yogyakarta",
        "fee_bp": 500,
    }
    return _add(Cooperative(**(values | over)))


def make_membership(user=None, coop=None, role: Role = Role.MEMBER, **over) -> Membership:
    user = user or make_user()
    coop = coop or make_coop()
    n = next(_sequence)
    values = {
        "user_id": user.id,
        "cooperative_id": coop.id,
        "role": role,
        "member_number": f"{n:04d}",
    }
    membership = _add(Membership(**(values | over)))
    return membership


def category(slug: str = "camilan") -> Category:
    return db.session.query(Category).filter_by(slug=slug).one()


def make_product(membership=None, variants=((15000, 10),), **over) -> Product:
    """A product with one variant per (price, stock) pair."""
    membership = membership or make_membership()
    n = next(_sequence)
    values = {
        "cooperative_id": membership.cooperative_id,
        "member_id": membership.id,
        "category_id": category().id,
        "name": f"Keripik Tempe {n}",
        "slug": f"keripik-tempe-{n}",
        "status": ProductStatus.ACTIVE,
        "weight_grams": 250,
    }
    product = _add(Product(**(values | over)))
    for position, (price, stock) in enumerate(variants):
        _add(
            ProductVariant(
                product_id=product.id,
                sku=f"SKU-{n}-{position}",
                price=price,
                stock=stock,
                weight_grams=product.weight_grams,
                position=position,
            )
        )
    return product


def make_shipping_settings(
    coop, courier: tuple[int, int] | None = None, zones=(), services=(), **over
) -> ShippingSettings:
    """Shipping settings for coop. courier=(first kg fee, each next kg fee): one service,
    "JNE REG", to anywhere in Indonesia in 2-4 days (rounding tolerance 0,3 kg); or zones and
    services as shipping_settings.ZoneInput and CourierServiceInput."""
    if courier is not None:
        zones = (ZoneInput("Seluruh Indonesia", ZoneKind.EVERYWHERE),)
        services = (CourierServiceInput("JNE REG", (ZoneRateInput(*courier, 2, 4),)),)
    values = {
        "offers_pickup": True,
        "offers_local": False,
        "local_fee": 0,
        "offers_courier": bool(services),
    } | over
    settings = ShippingSettings(cooperative_id=coop.id, zones=[], courier_services=[])
    db.session.add(settings)
    wanted = ShippingSettingsInput(**values, zones=tuple(zones), services=tuple(services))
    write_settings(settings, checked_settings(wanted))
    db.session.commit()
    return settings


def pay(order, method: str = "qris") -> NotificationOutcome:
    """Settle an order the way Midtrans's answer settles it: the payment rules run, and the
    ledger posts the settlement. No gateway call: the answer is given here."""
    status = TransactionStatus(
        order_id=order.number,
        transaction_status="settlement",
        gross_amount=order.grand_total,
        payment_type=method,
    )
    return apply_gateway_status(order, status)


def payment_page(order) -> str | None:
    """The Snap page of the order's latest payment attempt (None before Midtrans gave one)."""
    attempt = latest_attempt(order.id)
    return attempt.redirect_url if attempt is not None else None


def reseal_hash_chains() -> None:
    """Recompute every cooperative's journal hash chain, as if the entries written or edited
    behind the posting rules' back had been posted as they now are: for tests that make such
    entries to test something other than the chain."""
    from sqlalchemy import delete, select

    from shop.ledger.chain import seal_entry
    from shop.ledger.models import GENESIS_HASH, ChainHead, JournalEntry

    db.session.execute(delete(ChainHead))
    heads: dict[int, ChainHead] = {}
    for entry in db.session.scalars(select(JournalEntry).order_by(JournalEntry.id)):
        if entry.cooperative_id not in heads:
            heads[entry.cooperative_id] = ChainHead(
                cooperative_id=entry.cooperative_id, last_hash=GENESIS_HASH
            )
            db.session.add(heads[entry.cooperative_id])
        seal_entry(entry, heads[entry.cooperative_id])
    db.session.commit()

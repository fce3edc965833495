"""`flask seed-demo`: fill an empty database with the demo in `data.py`, or replace it.

One unit of work: cooperatives, accounts, memberships, about 330 products with variants and
drawn images, committed together. The random generator has a fixed seed, so every machine
gets the same demo (same names, prices and permit numbers).
"""

import itertools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import NamedTuple

import click
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductStatus, ProductVariant
from shop.checkout.models import ShippingSettings
from shop.checkout.shipping_settings import checked_settings, write_settings
from shop.coops.models import Cooperative, Membership, Role
from shop.coops.services import slugify
from shop.demo import data
from shop.demo.data import DemoCoop, Permits, ProductTemplate
from shop.demo.images import draw_product_image, write_product_image
from shop.demo.orders import seed_demo_orders
from shop.errors import ShopError
from shop.extensions import db
from shop.media.storage import media_storage
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

KEPT_TABLES = {"categories", "alembic_version"}  # reference data that ships with the schema
PRODUCT_MEDIA = "products/"
RANDOM_SEED = 2026
CATALOGUE_AGE_HOURS = 90 * 24  # products look as if listed over the last three months


class DemoAlreadySeeded(ShopError):
    pass


class DemoEmailTaken(ShopError):
    pass


@dataclass(frozen=True)
class SeedResult:
    cooperatives: int
    accounts: int
    products: int
    images: int
    elapsed_seconds: float


class _SeededCoop(NamedTuple):
    demo: DemoCoop
    coop: Cooperative
    memberships: list[Membership]  # in the order of demo.members


class _NewProduct(NamedTuple):
    product: Product
    maker: Membership
    theme: str  # the top category's slug: the image's palette and motif


def demo_product_count() -> int:
    return sum(count for demo in data.DEMO_COOPS for _, count in demo.plan)


def demo_email(coop_index: int, member_index: int) -> str:
    if (coop_index, member_index) == (0, 0):
        return data.DEMO_ADMIN.email
    if (coop_index, member_index) == (0, 1):
        return data.DEMO_MEMBER.email
    demo = data.DEMO_COOPS[coop_index]
    first_name = slugify(demo.members[member_index].name.split()[0])
    return f"{first_name}.{demo.short}@{data.DEMO_EMAIL_DOMAIN}"


def pengawas_email(coop_index: int) -> str:
    if coop_index == 0:
        return data.DEMO_PENGAWAS.email
    return f"pengawas.{data.DEMO_COOPS[coop_index].short}@{data.DEMO_EMAIL_DOMAIN}"


def _all_demo_emails() -> list[str]:
    members = [
        demo_email(c, m) for c, demo in enumerate(data.DEMO_COOPS) for m in range(len(demo.members))
    ]
    pengawas = [pengawas_email(c) for c in range(len(data.DEMO_COOPS))]
    return [data.DEMO_OPERATOR.email, data.DEMO_SHOPPER.email, *members, *pengawas]


def database_has_cooperatives() -> bool:
    return db.session.scalar(select(Cooperative.id).limit(1)) is not None


def ensure_seedable(reset: bool) -> None:
    """Raise DemoAlreadySeeded when there are cooperatives and no reset was asked for, and
    DemoEmailTaken when a demo account's address is already in use."""
    if reset:
        return  # the reset deletes every account, so no address can clash
    if database_has_cooperatives():
        raise DemoAlreadySeeded(
            "The database already has cooperatives, so seed-demo refuses to add the demo. "
            "Use --reset to delete ALL data except categories and seed again, or --if-empty "
            "to do nothing when the database is in use."
        )
    taken = list(db.session.scalars(select(User.email).where(User.email.in_(_all_demo_emails()))))
    if taken:
        raise DemoEmailTaken(
            f"These demo accounts already exist: {', '.join(sorted(taken))}. "
            "Remove them, or use --reset."
        )


def seed_demo(reset: bool = False, on_product: Callable[[], None] | None = None) -> SeedResult:
    """Add the demo cooperatives, accounts and products in one commit; with reset, first
    delete every row except categories and every product image. `on_product` is called once
    per product, for a progress bar. Raises DemoAlreadySeeded and DemoEmailTaken; on any
    failure nothing stays, neither rows nor image files."""
    started = time.perf_counter()
    ensure_seedable(reset)
    # With no cooperative there is no product, so any product image left in the media
    # storage (from a reset, or a deleted database file) is an orphan: it goes once the new
    # demo has committed, and stays if the seed fails.
    storage = media_storage()
    earlier = {stored.key for stored in storage.list(PRODUCT_MEDIA)}
    try:
        if reset:
            _delete_app_rows()
        seeded = _add_people(generate_password_hash(data.DEMO_PASSWORD))
        _add_shipping(seeded)
        new_products = _add_products(seeded, random.Random(RANDOM_SEED))
        image_count = _add_images(new_products, on_product or (lambda: None))
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete_many(
            stored.key for stored in storage.list(PRODUCT_MEDIA) if stored.key not in earlier
        )
        raise
    storage.delete_many(earlier)
    accounts = 2 + sum(len(entry.memberships) + 1 for entry in seeded)  # + 1: the pengawas
    result = SeedResult(
        len(seeded), accounts, len(new_products), image_count, time.perf_counter() - started
    )
    logger.info(
        "demo seeded: %d products, %d images in %.1f s",
        result.products,
        result.images,
        result.elapsed_seconds,
    )
    return result


def _delete_app_rows() -> None:
    for table in reversed(db.metadata.sorted_tables):  # children before parents
        if table.name not in KEPT_TABLES:
            db.session.execute(table.delete())


def _add_people(password_hash: str) -> list[_SeededCoop]:
    db.session.add_all(
        [
            User(
                email=data.DEMO_OPERATOR.email,
                name=data.OPERATOR_NAME,
                password_hash=password_hash,
                is_operator=True,
            ),
            User(
                email=data.DEMO_SHOPPER.email, name=data.SHOPPER_NAME, password_hash=password_hash
            ),
        ]
    )
    seeded = []
    for coop_index, demo in enumerate(data.DEMO_COOPS):
        coop = Cooperative(slug=slugify(demo.details.name), **asdict(demo.details))
        memberships = []
        for member_index, member in enumerate(demo.members):
            user = User(
                email=demo_email(coop_index, member_index),
                name=member.name,
                password_hash=password_hash,
            )
            memberships.append(
                Membership(
                    user=user,
                    cooperative=coop,
                    role=Role.ADMIN if member_index == 0 else Role.MEMBER,
                    member_number=f"{member_index + 1:04d}",
                    business_name=member.business_name,
                    story=member.story,
                    whatsapp=member.whatsapp,
                    bank_name=member.bank_name,
                    bank_account_number=member.bank_account_number,
                    bank_account_holder=member.name,
                )
            )
        db.session.add_all(memberships)
        # The pengawas: an account of their own, kept out of `memberships` (the makers).
        pengawas = User(
            email=pengawas_email(coop_index),
            name=data.DEMO_PENGAWAS_NAMES[coop_index],
            password_hash=password_hash,
        )
        db.session.add(Membership(user=pengawas, cooperative=coop, role=Role.PENGAWAS,
                                  member_number=f"{len(demo.members) + 1:04d}"))  # fmt: skip
        seeded.append(_SeededCoop(demo, coop, memberships))
    db.session.flush()
    return seeded


def _add_shipping(seeded: list[_SeededCoop]) -> None:
    # Written with write_settings, not update_shipping_settings: that commits, and the seed
    # commits once. checked_settings still holds the demo to the admin's rules.
    for entry in seeded:
        row = ShippingSettings(cooperative_id=entry.coop.id, zones=[], courier_services=[])
        db.session.add(row)
        write_settings(row, checked_settings(entry.demo.shipping))
    db.session.flush()


def _add_products(seeded: list[_SeededCoop], rng: random.Random) -> list[_NewProduct]:
    categories = {category.slug: category for category in db.session.scalars(select(Category))}
    top_slugs = {category.id: category.slug for category in categories.values()}
    used_names: set[str] = set()
    new_products = []
    for entry in seeded:
        picks = [
            (slug, template, name)
            for slug, count in entry.demo.plan
            for template, name in _pick_names(entry.demo, slug, count, used_names, rng)
        ]
        makers = {slug: itertools.cycle(_makers_of(entry, slug)) for slug, _ in entry.demo.plan}
        for index, (slug, template, name) in enumerate(picks):
            maker = next(makers[slug])
            product = _build_product(entry, template, name, maker, index, rng)
            product.category_id = categories[slug].id
            new_products.append(_NewProduct(product, maker, top_slugs[categories[slug].parent_id]))
    used_slugs: set[str] = set()
    for item in new_products:
        item.product.slug = _unique_slug(item.product.name, used_slugs)
    db.session.add_all([item.product for item in new_products])
    db.session.flush()
    return new_products


def _makers_of(entry: _SeededCoop, slug: str) -> list[Membership]:
    makers = [
        membership
        for membership, member in zip(entry.memberships, entry.demo.members, strict=True)
        if slug in member.specialties
    ]
    if not makers:
        raise ValueError(f"demo data: no member of {entry.demo.short} makes {slug}")
    return makers


def _pick_names(
    demo: DemoCoop, slug: str, count: int, used_names: set[str], rng: random.Random
) -> list[tuple[ProductTemplate, str]]:
    candidates = [
        (template, f"{base} {variety}")
        for template in data.PRODUCT_TEMPLATES
        if template.category == slug and (not template.coops or demo.short in template.coops)
        for base in template.bases
        for variety in template.varieties
    ]
    candidates = [(template, name) for template, name in candidates if name not in used_names]
    if len(candidates) < count:
        raise ValueError(f"demo data: {len(candidates)} product names for {demo.short}/{slug}")
    picked = rng.sample(candidates, count)
    used_names.update(name for _, name in picked)
    return picked


def _unique_slug(name: str, used_slugs: set[str]) -> str:
    base = slugify(name)[:170]
    slug, n = base, 2
    while slug in used_slugs:
        slug, n = f"{base}-{n}", n + 1
    used_slugs.add(slug)
    return slug


def _status(index: int) -> ProductStatus:
    # A few per cooperative waiting for review or still drafts, so those pages have content.
    if index % 20 == 7:
        return ProductStatus.PENDING
    if index % 31 == 13:
        return ProductStatus.DRAFT
    return ProductStatus.ACTIVE


def _build_product(
    entry: _SeededCoop,
    template: ProductTemplate,
    name: str,
    maker: Membership,
    index: int,
    rng: random.Random,
) -> Product:
    is_sold_out = index % 23 == 4  # a few per cooperative, for the "out of stock" pages
    base_price = rng.randint(*template.price_range)
    options = template.options[: rng.randint(1, min(3, len(template.options)))]
    variants = [
        ProductVariant(
            sku=f"{entry.demo.short.upper()}-{index + 1:04d}-{position + 1}",
            option_label=label,
            price=_round_price(base_price * percent // 100),
            stock=0 if is_sold_out or (position and rng.random() < 0.1) else rng.randint(1, 60),
            # A bigger option costs more because there is more of it: it weighs more too.
            weight_grams=max(1, template.weight_grams * percent // 100),
            position=position,
        )
        for position, (label, percent) in enumerate(options)
    ]
    listed_at = utcnow() - timedelta(hours=rng.randint(1, CATALOGUE_AGE_HOURS))
    description = (
        f"{template.description}\n\nDibuat oleh {maker.business_name}, anggota "
        f"{entry.coop.name} di {entry.coop.city}."
    )
    return Product(
        cooperative_id=entry.coop.id,
        member_id=maker.id,
        name=name,
        description=description,
        status=_status(index),
        weight_grams=template.weight_grams,
        created_at=listed_at,
        updated_at=listed_at,
        variants=variants,
        **_permit_numbers(template.permits, entry.demo, rng),
    )


def _round_price(amount: int) -> int:
    step = 500 if amount < 100_000 else 1000 if amount < 1_000_000 else 5000
    return max(step, (amount + step // 2) // step * step)


def _permit_numbers(permits: Permits, demo: DemoCoop, rng: random.Random) -> dict[str, str]:
    numbers = {}
    if permits in (Permits.PIRT, Permits.PIRT_HALAL):
        # P-IRT: packaging, food type, regency, product and producer serials, expiry year.
        numbers["pirt_number"] = (
            f"P-IRT {rng.randint(1, 5)}{rng.randint(1, 16):02d}{demo.regency_code}"
            f"{rng.randint(1, 30):02d}{rng.randint(1, 9999):04d}-{rng.randint(26, 30)}"
        )
    if permits is Permits.BPOM_HALAL:
        numbers["bpom_number"] = f"MD {rng.randrange(10**11, 10**12)}"
    if permits in (Permits.PIRT_HALAL, Permits.BPOM_HALAL):
        numbers["halal_number"] = (
            f"ID{demo.province_code}110{rng.randrange(10**7, 10**8)}"
            f"{rng.randint(1, 12):02d}{rng.randint(21, 25)}"
        )
    return numbers


def _add_images(new_products: list[_NewProduct], on_product: Callable[[], None]) -> int:
    count = 0
    for n, (product, maker, theme) in enumerate(new_products):
        pictures = [draw_product_image(product.name, maker.business_name, theme, n)]
        if n % 3 == 0:  # a second picture for some products, so galleries have something
            options = " / ".join(variant.option_label for variant in product.variants)
            pictures.append(draw_product_image(product.name, options, theme, n + 4))
        for picture in pictures:
            write_product_image(product, picture)
        count += len(pictures)
        on_product()
    return count


def seed_demo_cli(reset: bool, if_empty: bool) -> None:
    if reset and if_empty:
        raise click.UsageError("Use --reset or --if-empty, not both.")
    if if_empty and database_has_cooperatives():
        click.echo("The database already has cooperatives; nothing seeded (--if-empty).")
        return
    try:
        ensure_seedable(reset)  # before the progress bar, so a refusal prints only the reason
        label = "Resetting and seeding demo products" if reset else "Seeding demo products"
        with click.progressbar(length=demo_product_count(), label=label) as bar:
            result = seed_demo(reset=reset, on_product=lambda: bar.update(1))
    except ShopError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Seeded {result.cooperatives} cooperatives, {result.accounts} accounts, "
        f"{result.products} products and {result.images} images "
        f"in {result.elapsed_seconds:.1f} s."
    )
    # After the catalog's commit: each order is its own transaction, as in the shop.
    click.echo(f"Placed {seed_demo_orders()} demo orders for the shopper, paid and fulfilled.")
    _echo_sign_ins()


def _echo_sign_ins() -> None:
    first_coop = data.DEMO_COOPS[0]
    notes = {
        data.DEMO_ADMIN.email: first_coop.details.name,
        data.DEMO_MEMBER.email: f"{first_coop.members[1].business_name}, {first_coop.details.name}",
        data.DEMO_PENGAWAS.email: first_coop.details.name,
    }
    click.echo(f"\nDemo sign-ins (password: {data.DEMO_PASSWORD}):")
    for sign_in in data.DEMO_SIGN_INS:
        note = f"  ({notes[sign_in.email]})" if sign_in.email in notes else ""
        click.echo(f"  {sign_in.role:<20} {sign_in.email}{note}")
    other_admins = ", ".join(demo_email(n, 0) for n in range(1, len(data.DEMO_COOPS)))
    other_pengawas = ", ".join(pengawas_email(n) for n in range(1, len(data.DEMO_COOPS)))
    shorts = "|".join(demo.short for demo in data.DEMO_COOPS)
    click.echo(
        f"Every other member: <first name>.<{shorts}>@{data.DEMO_EMAIL_DOMAIN}, same password; "
        f"the other cooperatives' admins are {other_admins}, their pengawas {other_pengawas}."
    )

"""The cart's rules, called directly: the same for a guest's GuestCart and a user's rows."""

import pytest
from sqlalchemy import event, select

from shop.cart import contents, services
from shop.cart.guest import GuestCart
from shop.cart.models import Cart, CartLine
from shop.catalog.models import ProductStatus, ProductVariant
from shop.extensions import db
from tests.factories import make_coop, make_membership, make_product, make_user


def lines_in_db(user) -> dict[int, int]:
    rows = db.session.execute(
        select(CartLine.variant_id, CartLine.quantity).join(Cart).where(Cart.user_id == user.id)
    )
    return dict(rows.all())


def quantities(owner) -> dict[int, int]:
    """What the owner's cart holds, read the way its kind is stored."""
    return dict(owner.lines) if isinstance(owner, GuestCart) else lines_in_db(owner)


def variant_of(product, label: str = ""):
    variant = product.variants[0]
    if label:
        variant.option_label = label
        db.session.commit()
    return variant


@pytest.fixture(params=["guest", "user"])
def owner(request):
    """Each rule is run for a guest's cart and for a signed-in shopper's."""
    return GuestCart() if request.param == "guest" else make_user()


def add(owner, variant_id: int, quantity: int):
    """add_to_cart, returning the owner of the changed cart (a guest's is a new value)."""
    return services.add_to_cart(owner, variant_id, quantity).cart


# Adding ------------------------------------------------------------------------------------


def test_adding_puts_the_line_in_the_cart(owner):
    variant = variant_of(make_product(variants=((15_000, 10),)))
    change = services.add_to_cart(owner, variant.id, 2)
    assert change.quantity == 2
    assert quantities(change.cart) == {variant.id: 2}


def test_a_signed_in_shoppers_add_is_stored_in_the_database():
    user = make_user()
    variant = variant_of(make_product(variants=((15_000, 10),)))
    services.add_to_cart(user, variant.id, 3)
    db.session.expire_all()
    cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).one()
    assert [(line.variant_id, line.quantity) for line in cart.lines] == [(variant.id, 3)]


def test_adding_a_variant_already_in_the_cart_adds_to_its_quantity(owner):
    variant = variant_of(make_product(variants=((15_000, 10),)))
    owner = add(owner, variant.id, 2)
    change = services.add_to_cart(owner, variant.id, 3)
    assert change.quantity == 5
    assert quantities(change.cart) == {variant.id: 5}


def test_adding_more_than_the_stock_is_refused_whole_and_the_cart_is_unchanged(owner):
    variant = variant_of(make_product(name="Keripik Tempe", variants=((15_000, 3),)), "250 g")
    with pytest.raises(services.NotEnoughStock) as refused:
        services.add_to_cart(owner, variant.id, 4)
    assert "3" in refused.value.message and "Keripik Tempe 250 g" in refused.value.message
    assert quantities(owner) == {}


def test_the_stock_check_counts_what_is_already_in_the_cart(owner):
    variant = variant_of(make_product(variants=((15_000, 3),)))
    owner = add(owner, variant.id, 2)
    with pytest.raises(services.NotEnoughStock):
        services.add_to_cart(owner, variant.id, 2)
    assert quantities(owner) == {variant.id: 2}


def test_an_out_of_stock_variant_cannot_be_added(owner):
    variant = variant_of(make_product(variants=((15_000, 0),)))
    with pytest.raises(services.NotEnoughStock):
        services.add_to_cart(owner, variant.id, 1)
    assert quantities(owner) == {}


@pytest.mark.parametrize("quantity", [0, -1, 1000, 10**9, True])
def test_a_quantity_outside_1_to_999_is_refused(owner, quantity):
    variant = variant_of(make_product(variants=((15_000, 5000),)))
    with pytest.raises(services.BadQuantity):
        services.add_to_cart(owner, variant.id, quantity)
    assert quantities(owner) == {}


def test_adding_past_999_of_one_item_is_refused(owner):
    variant = variant_of(make_product(variants=((1_000, 5000),)))
    owner = add(owner, variant.id, 999)
    with pytest.raises(services.BadQuantity):
        services.add_to_cart(owner, variant.id, 1)
    assert quantities(owner) == {variant.id: 999}


def test_an_unknown_variant_is_refused(owner):
    with pytest.raises(services.VariantNotFound):
        services.add_to_cart(owner, 987_654, 1)
    assert quantities(owner) == {}


def test_adding_reads_the_variant_as_one_plain_row(count_queries):
    """The add request's check loads no ORM objects (its ORM statement of three whole rows
    was most of the request's work): one statement, no variant loaded."""
    variant = variant_of(make_product(variants=((5000, 10),)), "250 g")
    variant_id, product_name = variant.id, variant.product.name
    db.session.expunge_all()
    loaded = []

    def on_load(target, _context):
        loaded.append(target)

    event.listen(ProductVariant, "load", on_load)
    try:
        with count_queries() as statements:
            change = services.add_to_cart(GuestCart(), variant_id, 2)
    finally:
        event.remove(ProductVariant, "load", on_load)

    assert change.name == f"{product_name} 250 g" and change.cart.lines == ((variant_id, 2),)
    assert len(statements) == 1 and not loaded


def test_an_archived_variant_is_refused(owner):
    variant = variant_of(make_product(variants=((5000, 10), (6000, 10))))
    variant.is_archived = True
    db.session.commit()
    with pytest.raises(services.NotOnSale):
        services.add_to_cart(owner, variant.id, 1)
    assert quantities(owner) == {}


@pytest.mark.parametrize(
    "status",
    [ProductStatus.DRAFT, ProductStatus.PENDING, ProductStatus.REJECTED, ProductStatus.ARCHIVED],
)
def test_a_variant_of_a_product_not_on_sale_is_refused(owner, status):
    variant = variant_of(make_product(status=status))
    with pytest.raises(services.NotOnSale):
        services.add_to_cart(owner, variant.id, 1)
    assert quantities(owner) == {}


def test_a_variant_of_an_inactive_cooperative_is_refused(owner):
    membership = make_membership(coop=make_coop(is_active=False))
    variant = variant_of(make_product(membership))
    with pytest.raises(services.NotOnSale):
        services.add_to_cart(owner, variant.id, 1)
    assert quantities(owner) == {}


def test_a_cart_holds_at_most_50_different_items(owner, monkeypatch):
    monkeypatch.setattr(services, "MAX_LINES", 2)
    first, second, third = (variant_of(make_product()) for _ in range(3))
    owner = add(add(owner, first.id, 1), second.id, 1)
    with pytest.raises(services.CartFull):
        services.add_to_cart(owner, third.id, 1)
    assert quantities(add(owner, first.id, 1)) == {first.id: 2, second.id: 1}  # more of one: fine


def test_an_add_racing_another_add_of_the_same_variant_adds_to_the_line_it_made(monkeypatch):
    user = make_user()
    variant = variant_of(make_product(variants=((15_000, 10),)))
    services.add_to_cart(user, variant.id, 2)
    # This add read the cart before the other one's line was committed.
    monkeypatch.setattr(services, "_quantities", lambda owner: {})
    assert services.add_to_cart(user, variant.id, 3).quantity == 5
    assert lines_in_db(user) == {variant.id: 5}


def test_two_racing_adds_cannot_pass_the_stock_together(monkeypatch):
    user = make_user()
    variant = variant_of(make_product(variants=((15_000, 3),)))
    services.add_to_cart(user, variant.id, 2)
    monkeypatch.setattr(services, "_quantities", lambda owner: {})  # each saw an empty cart
    with pytest.raises(services.NotEnoughStock):
        services.add_to_cart(user, variant.id, 2)
    assert lines_in_db(user) == {variant.id: 2}


# Setting a quantity and removing -----------------------------------------------------------


def test_setting_a_quantity_replaces_it(owner):
    variant = variant_of(make_product(variants=((15_000, 10),)))
    owner = add(owner, variant.id, 2)
    change = services.set_quantity(owner, variant.id, 7)
    assert change.quantity == 7
    assert quantities(change.cart) == {variant.id: 7}


def test_setting_a_quantity_above_the_stock_is_refused_and_the_line_kept(owner):
    variant = variant_of(make_product(variants=((15_000, 4),)))
    owner = add(owner, variant.id, 2)
    with pytest.raises(services.NotEnoughStock):
        services.set_quantity(owner, variant.id, 5)
    assert quantities(owner) == {variant.id: 2}


@pytest.mark.parametrize("quantity", [0, -3, 1000])
def test_setting_a_quantity_outside_1_to_999_is_refused(owner, quantity):
    variant = variant_of(make_product(variants=((15_000, 10),)))
    owner = add(owner, variant.id, 2)
    with pytest.raises(services.BadQuantity):
        services.set_quantity(owner, variant.id, quantity)
    assert quantities(owner) == {variant.id: 2}


def test_setting_the_quantity_of_an_item_not_in_the_cart_is_refused(owner):
    variant = variant_of(make_product())
    with pytest.raises(services.NotInCart):
        services.set_quantity(owner, variant.id, 1)
    assert quantities(owner) == {}


def test_removing_takes_the_line_out_and_keeps_the_others(owner):
    keep, drop = variant_of(make_product()), variant_of(make_product())
    owner = add(add(owner, keep.id, 1), drop.id, 2)
    change = services.remove_line(owner, drop.id)
    assert change.quantity == 0
    assert quantities(change.cart) == {keep.id: 1}


def test_a_line_whose_product_left_the_shop_can_still_be_removed(owner):
    product = make_product()
    variant = variant_of(product)
    owner = add(owner, variant.id, 1)
    product.status = ProductStatus.ARCHIVED
    db.session.commit()
    assert quantities(services.remove_line(owner, variant.id).cart) == {}


def test_removing_an_item_not_in_the_cart_is_refused(owner):
    with pytest.raises(services.NotInCart):
        services.remove_line(owner, 123_456)


# Merging at sign-in ------------------------------------------------------------------------


def test_merge_keeps_every_line_of_both_carts_and_sums_the_quantities():
    user = make_user()
    both, only_db, only_guest = (
        variant_of(make_product(variants=((10_000, 20),))) for _ in range(3)
    )
    services.add_to_cart(user, both.id, 2)
    services.add_to_cart(user, only_db.id, 1)
    guest = GuestCart(((both.id, 3), (only_guest.id, 4)))

    assert services.merge_guest_cart(user, guest) == []
    assert lines_in_db(user) == {both.id: 5, only_db.id: 1, only_guest.id: 4}


def test_merge_lowers_a_line_to_the_stock_left_and_says_so():
    user = make_user()
    variant = variant_of(make_product(name="Keripik Tempe", variants=((10_000, 4),)), "250 g")
    services.add_to_cart(user, variant.id, 3)

    notes = services.merge_guest_cart(user, GuestCart(((variant.id, 3),)))

    assert lines_in_db(user) == {variant.id: 4}
    assert len(notes) == 1 and "Keripik Tempe 250 g" in notes[0] and "4" in notes[0]


def test_merge_lowers_a_line_to_999_and_says_so():
    user = make_user()
    variant = variant_of(make_product(variants=((1_000, 5000),)))
    services.add_to_cart(user, variant.id, 600)

    notes = services.merge_guest_cart(user, GuestCart(((variant.id, 600),)))

    assert lines_in_db(user) == {variant.id: 999}
    assert len(notes) == 1 and "999" in notes[0]


def test_merge_keeps_lines_that_cannot_be_bought_now_for_the_shopper_to_see():
    user = make_user()
    sold_out = variant_of(make_product(variants=((10_000, 0),)))
    archived = variant_of(make_product(status=ProductStatus.ARCHIVED))
    guest = GuestCart(((sold_out.id, 2), (archived.id, 1), (987_654, 1)))  # the last: deleted

    services.merge_guest_cart(user, guest)

    assert lines_in_db(user) == {sold_out.id: 2, archived.id: 1}


def test_merging_an_empty_guest_cart_writes_nothing():
    user = make_user()
    assert services.merge_guest_cart(user, GuestCart()) == []
    assert db.session.scalars(select(Cart).where(Cart.user_id == user.id)).first() is None


# What the cart shows -----------------------------------------------------------------------


@pytest.fixture(params=["cart_for", "cart_page_for"])
def load_cart(request):
    """What the cart shows, as the checkout reads it (ORM objects) and as the cart page does
    (plain rows): the same in every test."""
    return getattr(contents, request.param)


def test_the_cart_is_grouped_by_cooperative_with_subtotals_and_a_total(owner, load_cart):
    batik = make_membership(coop=make_coop(name="Koperasi Batik Laweyan"))
    anyaman = make_membership(coop=make_coop(name="Koperasi Anyaman Lontar"))
    shirt = variant_of(make_product(batik, variants=((150_000, 5),)))
    scarf = variant_of(make_product(batik, variants=((80_000, 5),)))
    basket = variant_of(make_product(anyaman, variants=((45_000, 5),)))
    for variant, quantity in ((shirt, 1), (basket, 2), (scarf, 3)):
        owner = add(owner, variant.id, quantity)

    cart = load_cart(owner)

    assert [group.cooperative.name for group in cart.groups] == [
        "Koperasi Anyaman Lontar",
        "Koperasi Batik Laweyan",
    ]
    assert [[line.variant.id for line in group.lines] for group in cart.groups] == [
        [basket.id],
        [shirt.id, scarf.id],  # in the order added
    ]
    assert [group.subtotal for group in cart.groups] == [90_000, 390_000]
    assert cart.total == 480_000
    assert cart.item_count == contents.item_count(owner) == 6
    assert not cart.has_problems


def test_stock_falling_below_a_line_shows_a_problem_and_changes_nothing(owner, load_cart):
    variant = variant_of(make_product(variants=((15_000, 5),)))
    owner = add(owner, variant.id, 4)
    variant.stock = 1
    db.session.commit()

    line = load_cart(owner).lines[0]

    assert line.quantity == 4 and line.problem and "1" in line.problem
    assert quantities(owner) == {variant.id: 4}


def test_a_product_leaving_the_shop_shows_a_problem_on_its_line(owner, load_cart):
    product = make_product()
    owner = add(owner, variant_of(product).id, 1)
    product.status = ProductStatus.ARCHIVED
    db.session.commit()
    cart = load_cart(owner)
    assert cart.has_problems and cart.lines[0].problem


def test_an_archived_variant_or_a_closed_cooperative_shows_a_problem(owner, load_cart):
    closed = make_membership(coop=make_coop(name="Koperasi Tutup"))
    kept, archived = make_product(variants=((5000, 9), (6000, 9))).variants
    in_closed = variant_of(make_product(closed))
    for variant in (kept, archived, in_closed):
        owner = add(owner, variant.id, 1)
    archived.is_archived = True
    closed.cooperative.is_active = False
    db.session.commit()

    problems = {line.variant.id: line.problem for line in load_cart(owner).lines}

    assert problems[kept.id] is None and problems[archived.id] and problems[in_closed.id]


def test_a_guests_variant_deleted_from_the_catalog_is_reported_as_gone(load_cart):
    variant = variant_of(make_product())
    cart = load_cart(GuestCart(((variant.id, 1), (987_654, 2))))
    assert [line.variant.id for line in cart.lines] == [variant.id]
    assert cart.gone_variant_ids == (987_654,)


def test_loading_a_cart_takes_the_same_queries_for_1_line_as_for_10(
    owner, count_queries, load_cart
):
    coops = [make_membership(coop=make_coop()) for _ in range(3)]
    variants = [variant_of(make_product(coops[n % 3])) for n in range(10)]
    owner = add(owner, variants[0].id, 1)
    db.session.expire_all()
    with count_queries() as one_line:
        assert load_cart(owner).total == 15_000
    for variant in variants[1:]:
        owner = add(owner, variant.id, 1)
    db.session.expire_all()
    with count_queries() as ten_lines:
        cart = load_cart(owner)
        [
            (line.name, line.line_total, group.cooperative.name)
            for group in cart.groups
            for line in group.lines
        ]
    assert len(cart.groups) == 3 and len(cart.lines) == 10
    assert len(ten_lines) == len(one_line)

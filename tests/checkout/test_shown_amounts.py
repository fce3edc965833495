"""A price or fee changed while the shopper had the checkout page open: placing the order
refuses, writes nothing, keeps the cart and shows the page again with the new amounts;
placing again from that page goes through at the new amounts. The form is posted as a
browser without JavaScript posts it: every field of the page, the shopper's radio ticked."""

import re
from html import unescape

import pytest
from sqlalchemy import update

from shop.catalog.models import ProductVariant
from shop.checkout.forms import shown_amounts
from shop.checkout.models import CourierZoneRate, ShippingSettings
from shop.checkout.shipping import ShippingChoice
from shop.checkout.shown import ShownAmounts
from shop.extensions import db
from shop.money import format_rupiah_html
from tests.checkout import test_checkout_views
from tests.checkout.test_checkout_views import (
    ADDRESS,
    COURIER_FEE,
    LOCAL_FEE,
    a_variant,
    add,
    guest_lines,
    order_count,
    stock_of,
    summary_of,
    the_order,
)

# The page's own fixtures: Midtrans out of reach, English, the cooperative Tani Makmur.
unreachable_gateway = test_checkout_views.unreachable_gateway
english = test_checkout_views.english
tani = test_checkout_views.tani


def page_form(html: str) -> dict[str, str]:
    """What the page's form sends as shown: its hidden fields and the radios ticked."""
    form = html.split('<form method="post" action="/checkout"', 1)[1].split("</form>", 1)[0]
    data = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="(\w+)"', tag)
        if name is None or kind is None:
            continue
        if kind.group(1) == "hidden" or (kind.group(1) == "radio" and " checked" in tag):
            data[name.group(1)] = unescape(value.group(1) if value else "")
    return data


def open_page(client, coop, method: str, **fields) -> dict[str, str]:
    """The page after "Update summary" with the address typed and `method` ticked."""
    data = ADDRESS | fields | {f"shipping-{coop.id}": method, "update": "1"}
    response = client.post("/checkout", data=data)
    assert response.status_code == 200
    return ADDRESS | fields | page_form(response.get_data(as_text=True))


def place(client, sent: dict[str, str]):
    return client.post("/checkout", data=sent | {"place": "1"})


def courier_value(sent: dict[str, str], coop) -> str:
    return next(
        name.removeprefix(f"shown-fee-{coop.id}-")
        for name in sent
        if name.startswith(f"shown-fee-{coop.id}-courier-")
    )


def set_local_fee(coop, fee: int) -> None:
    db.session.execute(
        update(ShippingSettings)
        .where(ShippingSettings.cooperative_id == coop.id)
        .values(local_fee=fee)
    )
    db.session.commit()


def set_courier_first_kg_fee(fee: int) -> None:
    db.session.execute(update(CourierZoneRate).values(first_kg_fee=fee))
    db.session.commit()


def refusal(response) -> str:
    html = response.get_data(as_text=True)
    found = re.search(r'<div class="error-summary" role="alert"><p class="error">([^<]*)</p>', html)
    return unescape(found.group(1)) if found else ""


@pytest.mark.parametrize(
    ("method", "change", "old", "new", "named"),
    [
        ("local", lambda coop: set_local_fee(coop, 12_500), LOCAL_FEE, 12_500, "Local delivery"),
        (
            "courier",
            lambda coop: set_courier_first_kg_fee(21_000),
            COURIER_FEE,
            21_000,
            "JNE REG",
        ),
    ],
)
def test_a_fee_changed_while_the_page_was_open_is_shown_before_the_order_is_placed(
    client, english, tani, method, change, old, new, named
):
    variant = a_variant(tani, price=15_000)
    add(client, variant, 2)
    sent = open_page(client, tani, method)
    if method == "courier":
        assert sent[f"shipping-{tani.id}"] == courier_value(sent, tani)
    assert sent[f"shown-fee-{tani.id}-{sent[f'shipping-{tani.id}']}"] == str(old)

    change(tani)
    response = place(client, sent)

    assert response.status_code == 200
    assert refusal(response) == (
        f"The delivery fee of {named} from Tani Makmur changed from Rp {old:,} to "
        f"Rp {new:,}. Check the new total and place the order again.".replace(",", ".")
    )
    assert order_count() == 0 and stock_of(variant.id) == 10
    assert guest_lines(client) == {variant.id: 2}
    html = response.get_data(as_text=True)
    assert summary_of(html)["Total to pay"] == format_rupiah_html(30_000 + new)

    again = place(client, ADDRESS | page_form(html))  # the page as shown again
    assert again.status_code == 302
    order = the_order()
    assert order.shipping_total == new and order.grand_total == 30_000 + new
    assert guest_lines(client) == {}


def test_an_option_changed_without_javascript_sends_the_fee_shown_beside_it(client, english, tani):
    """The page showed local delivery ticked; the shopper ticks the courier and places the
    order without updating: the courier's own shown fee is compared, and it still holds."""
    add(client, a_variant(tani))
    sent = open_page(client, tani, "local")
    set_local_fee(tani, 99_000)  # the option no longer chosen: no matter

    courier = courier_value(sent, tani)
    assert place(client, sent | {f"shipping-{tani.id}": courier}).status_code == 302
    assert the_order().shipping_total == COURIER_FEE


def test_an_option_changed_without_javascript_is_refused_when_its_own_fee_changed(
    client, english, tani
):
    add(client, a_variant(tani))
    sent = open_page(client, tani, "local")
    set_courier_first_kg_fee(30_000)

    response = place(client, sent | {f"shipping-{tani.id}": courier_value(sent, tani)})
    assert "JNE REG from Tani Makmur changed from Rp 18.000 to Rp 30.000" in refusal(response)
    assert order_count() == 0


def test_a_courier_shown_without_a_fee_is_priced_before_the_order_is_placed(client, english, tani):
    """Before a province, the courier shows no fee: the shopper who chooses a province and
    places the order at once sees the fee first."""
    add(client, a_variant(tani))
    html = client.get("/checkout").get_data(as_text=True)
    sent = ADDRESS | page_form(html) | {f"shipping-{tani.id}": "courier"}
    assert sent[f"shown-fee-{tani.id}-courier"] == ""

    response = place(client, sent)
    assert refusal(response) == (
        "The delivery fee of JNE REG from Tani Makmur is Rp 18.000. "
        "Check the new total and place the order again."
    )
    assert order_count() == 0
    assert place(client, ADDRESS | page_form(response.get_data(as_text=True))).status_code == 302
    assert the_order().shipping_total == COURIER_FEE


def test_a_free_courier_shown_without_a_fee_leaves_the_total_as_shown(client, english, tani):
    """Shown without a fee, a courier that turns out free changes no total: placed at once."""
    add(client, a_variant(tani))
    set_courier_first_kg_fee(0)
    html = client.get("/checkout").get_data(as_text=True)
    sent = ADDRESS | page_form(html) | {f"shipping-{tani.id}": "courier"}
    assert sent[f"shown-fee-{tani.id}-courier"] == ""

    assert place(client, sent).status_code == 302
    assert the_order().shipping_total == 0


def test_a_price_changed_while_the_page_was_open_is_named(client, english, tani):
    keripik = a_variant(tani, price=15_000, name="Keripik")
    add(client, keripik, 2)
    sent = open_page(client, tani, "local")
    db.session.execute(
        update(ProductVariant).where(ProductVariant.id == keripik.id).values(price=17_000)
    )
    db.session.commit()

    response = place(client, sent)
    assert refusal(response) == (
        "The price of Keripik changed from Rp 15.000 to Rp 17.000. "
        "Check the new total and place the order again."
    )
    assert order_count() == 0 and guest_lines(client) == {keripik.id: 2}
    assert place(client, ADDRESS | page_form(response.get_data(as_text=True))).status_code == 302
    assert the_order().items_total == 34_000


def test_a_cart_changed_in_another_tab_is_shown_before_the_order_is_placed(client, english, tani):
    variant = a_variant(tani, price=15_000)
    add(client, variant, 1)
    sent = open_page(client, tani, "local")
    add(client, variant, 2)  # another tab: three now

    response = place(client, sent)
    assert refusal(response).startswith(
        "The items in your cart changed since this page was shown: they now cost Rp 45.000."
    )
    assert order_count() == 0 and guest_lines(client) == {variant.id: 3}


def test_shown_amounts_reads_only_whole_rupiah_and_leaves_out_what_was_not_sent():
    chosen = {1: ShippingChoice.parse("local"), 2: ShippingChoice.parse("courier-7")}
    data = {
        "shown-fee-1-local": "10000",
        "shown-fee-1-pickup": "0",  # beside an option not chosen
        "shown-fee-2-courier-7": "",  # shown without a fee
        "shown-price-5": "1.5e3",
        "shown-price-6": "2000",
        "shown-items-total": "-1",
    }
    assert shown_amounts(data, chosen, [5, 6, 7]) == ShownAmounts(
        shipping_fees={1: 10_000, 2: None}, unit_prices={6: 2_000}, items_total=None
    )

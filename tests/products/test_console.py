"""The admin's console: filters, bulk actions (approve, archive, feature, price, stock), and
the member's quick edit of a variant's price and stock from the list."""

from sqlalchemy import select

from shop.audit.models import AuditEntry
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.extensions import db
from tests.factories import category, make_product
from tests.orders.conftest import place


def console(tani) -> str:
    return f"/koperasi/{tani.coop.slug}/kelola/produk"


def test_the_filters_narrow_the_list(client, login, tani):
    make_product(tani.siti, name="Keripik Siti")
    make_product(tani.budi, name="Batik Budi", category_id=category("batik").id)
    make_product(tani.budi, name="Madu Budi", variants=((10000, 1),))
    db.session.commit()
    login(tani.admin.user)

    def names(query: str) -> set[str]:
        page = client.get(f"{console(tani)}?{query}").get_data(as_text=True)
        return {n for n in ("Keripik Siti", "Batik Budi", "Madu Budi") if n in page}

    assert names("") == {"Keripik Siti", "Batik Budi", "Madu Budi"}
    assert names(f"anggota={tani.budi.id}") == {"Batik Budi", "Madu Budi"}
    assert names(f"kategori={category('batik').parent_id}") == {"Batik Budi"}
    assert names("q=madu") == {"Madu Budi"}
    assert names("stok_menipis=1") == {"Madu Budi"}  # 1 left, threshold 3
    assert names("kategori=abc&anggota=99999999999999999999") == {
        "Keripik Siti", "Batik Budi", "Madu Budi"}  # fmt: skip


def test_bulk_actions_change_only_the_chosen_products(client, login, tani):
    chosen = [make_product(tani.siti, status=ProductStatus.PENDING) for _ in range(2)]
    other = make_product(tani.budi, status=ProductStatus.PENDING)
    db.session.commit()
    login(tani.admin.user)
    ids = [str(p.id) for p in chosen]

    client.post(f"{console(tani)}/massal", data={"action": "approve", "product": ids})
    client.post(
        f"{console(tani)}/massal", data={"action": "price", "amount": "12.500", "product": ids}
    )
    client.post(f"{console(tani)}/massal", data={"action": "stock", "amount": "7", "product": ids})

    db.session.expire_all()
    for product in chosen:
        product = db.session.get(Product, product.id)
        assert product.status == ProductStatus.ACTIVE
        assert [(v.price, v.stock) for v in product.variants] == [(12_500, 7)]
    untouched = db.session.get(Product, other.id)
    assert untouched.status == ProductStatus.PENDING and untouched.variants[0].price == 15000
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "product.bulk_edit"))
    assert len(edits.all()) == 4


def test_a_bulk_price_without_an_amount_changes_nothing(client, login, tani):
    product = make_product(tani.siti)
    db.session.commit()
    login(tani.admin.user)
    bad = {"action": "price", "amount": "abc", "product": [str(product.id)]}
    client.post(f"{console(tani)}/massal", data=bad)
    db.session.expire_all()
    assert db.session.get(Product, product.id).variants[0].price == 15000


def test_the_members_quick_edit_keeps_a_sale_made_meanwhile(client, login, tani):
    product = make_product(tani.siti, variants=((10000, 10),))
    variant_id = product.variants[0].id
    db.session.commit()
    login(tani.siti.user)
    page = client.get(f"/koperasi/{tani.coop.slug}/anggota/produk").get_data(as_text=True)
    assert 'name="stock_seen" value="10"' in page
    place([(product, 4)])  # 6 left while the list still shows 10

    client.post(f"/koperasi/{tani.coop.slug}/anggota/produk/stok/{variant_id}",
                data={"price": "11.000", "stock": "15", "stock_seen": "10"})  # fmt: skip

    db.session.expire_all()
    variant = db.session.get(ProductVariant, variant_id)
    assert (variant.price, variant.stock) == (11_000, 11)  # +5 on the 6 left


def test_the_maker_hears_when_an_admin_archives_or_changes_their_product(client, login, tani):
    from shop.notifications.models import Notification

    def kinds() -> list[str]:
        query = select(Notification.params).where(
            Notification.recipient_id == tani.siti.user_id,
            Notification.kind == "product_changed_by_admin",
        )
        return [params["change"] for params in db.session.scalars(query)]

    own = make_product(tani.siti)
    db.session.commit()
    login(tani.siti.user)
    client.post(f"/koperasi/{tani.coop.slug}/anggota/produk/{own.id}/arsip")
    assert kinds() == []  # their own move: nothing to hear
    product = make_product(tani.siti)
    db.session.commit()
    login(tani.admin.user)
    cheaper = {"action": "price", "amount": "9.000", "product": [str(product.id)]}
    client.post(f"{console(tani)}/massal", data=cheaper)
    client.post(f"{console(tani)}/{product.id}/arsip")
    assert kinds() == ["edited", "archived"]

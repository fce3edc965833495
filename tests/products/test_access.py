"""Every route of the product consoles and the editor, for each kind of person: allowed only
where they should be, 403 or 404 otherwise, and nothing changed by a refused request."""

import pytest
from sqlalchemy import select

from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.coops.models import Role
from shop.extensions import db
from tests.factories import make_coop, make_membership, make_product, make_user
from tests.products.conftest import editor_form


def member_routes(coop, product, variant) -> list[tuple[str, str]]:
    base = f"/koperasi/{coop.slug}/anggota/produk"
    return [
        ("post", f"{base}/{product.id}"),
        ("get", f"{base}/{product.id}"),
        ("post", f"{base}/{product.id}/arsip"),
        ("post", f"{base}/{product.id}/salin"),
        ("post", f"{base}/{product.id}/pulihkan"),
        ("post", f"{base}/stok/{variant.id}"),
        ("get", f"{base}/impor"),
        ("post", f"{base}/impor"),
        ("post", f"{base}/impor/1"),
        ("get", f"{base}/berkas/ekspor.csv"),
    ]


# Member pages about the member's own products as a whole, open to any member.
OWN_PAGES = {"impor", "berkas/ekspor.csv"}


def admin_routes(coop, product) -> list[tuple[str, str]]:
    base = f"/koperasi/{coop.slug}/kelola/produk"
    return [
        ("get", base),
        ("get", f"{base}/baru"),
        ("post", f"{base}/baru"),
        ("get", f"{base}/{product.id}"),
        ("post", f"{base}/{product.id}"),
        *[("post", f"{base}/{product.id}/{action}")
          for action in ("setujui", "tolak", "unggulkan", "batal-unggulan", "arsip", "pulihkan")],
        ("post", f"{base}/massal"),
        ("get", f"{base}/impor"),
        ("post", f"{base}/impor"),
        ("post", f"{base}/impor/1"),
        ("get", f"{base}/berkas/ekspor.csv"),
    ]  # fmt: skip


def test_the_tables_cover_every_product_page(app, tani):
    coop, product, variant = tani.coop, make_product(tani.siti), None
    variant = product.variants[0]
    listed = {path for _method, path in member_routes(coop, product, variant)}
    listed |= {path for _method, path in admin_routes(coop, product)}
    listed |= {
        f"/koperasi/{coop.slug}/anggota/produk",
        f"/koperasi/{coop.slug}/anggota/produk/baru",
    }
    shapes = {
        rule.rule.replace("<coop_slug>", coop.slug)
        .replace("<int:product_id>", str(product.id))
        .replace("<int:variant_id>", str(variant.id))
        .replace("<int:import_id>", "1")
        .replace("<kind>.<fmt>", "ekspor.csv")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("products.")
    }
    covered = {shape for shape in shapes if "<action>" not in shape}
    assert covered <= listed, covered - listed
    actions = {path.rsplit("/", 1)[0] + "/<action>" for path in listed}
    assert {shape for shape in shapes if "<action>" in shape} <= actions


def snapshot() -> list:
    rows = db.session.execute(select(Product.id, Product.name, Product.status, Product.is_featured))
    variants = db.session.execute(
        select(ProductVariant.id, ProductVariant.stock, ProductVariant.price)
    )
    return [tuple(row) for row in rows] + [tuple(row) for row in variants]


@pytest.fixture
def world(tani):
    product = make_product(tani.siti, name="Keripik Siti", status=ProductStatus.PENDING)
    other_coop = make_coop(name="Koperasi Lain")
    return {
        "product": product,
        "variant": product.variants[0],
        "people": {
            "other member": tani.budi.user,
            "admin elsewhere": make_membership(coop=other_coop, role=Role.ADMIN).user,
            "shopper": make_user(),
        },
    }


def _send(client, method, path, product):
    data = editor_form(**{"product": str(product.id), "action": "approve", "reason": "x",
                          "stock": "1", "stock_seen": "10"})  # fmt: skip
    return getattr(client, method)(path, data=data) if method == "post" else client.get(path)


@pytest.mark.parametrize("who", ["other member", "admin elsewhere", "shopper", "anonymous"])
def test_nobody_but_the_maker_reaches_the_makers_pages(client, login, tani, world, who):
    if who != "anonymous":
        login(world["people"][who])
    before = snapshot()
    for method, path in member_routes(tani.coop, world["product"], world["variant"]):
        response = _send(client, method, path, world["product"])
        expected = {"other member": 404, "admin elsewhere": 403, "shopper": 403}.get(who, 302)
        if who == "other member" and path.split("/produk/")[1] in OWN_PAGES:
            expected = 200  # their own import page and downloads: nothing of the maker's
        assert response.status_code == expected, (who, method, path)
        if who == "anonymous":
            assert "/akun/masuk" in response.headers["Location"]
    db.session.expire_all()
    assert snapshot() == before


@pytest.mark.parametrize(
    "who", ["maker", "other member", "admin elsewhere", "shopper", "anonymous"]
)
def test_nobody_but_the_cooperatives_admins_reaches_the_console(client, login, tani, world, who):
    people = world["people"] | {"maker": tani.siti.user}
    if who != "anonymous":
        login(people[who])
    before = snapshot()
    for method, path in admin_routes(tani.coop, world["product"]):
        response = _send(client, method, path, world["product"])
        assert response.status_code == (302 if who == "anonymous" else 403), (who, method, path)
    db.session.expire_all()
    assert snapshot() == before


def test_the_maker_and_the_admin_reach_theirs(client, login, tani, world):
    login(tani.siti.user)
    for method, path in member_routes(tani.coop, world["product"], world["variant"])[:2]:
        assert _send(client, method, path, world["product"]).status_code in (200, 302)
    assert client.get(f"/koperasi/{tani.coop.slug}/anggota/produk").status_code == 200
    login(tani.admin.user)
    assert client.get(f"/koperasi/{tani.coop.slug}/kelola/produk").status_code == 200
    other_product = make_product(make_membership(coop=make_coop()))
    db.session.commit()
    base = f"/koperasi/{tani.coop.slug}/kelola/produk/{other_product.id}"
    assert client.get(base).status_code == 404  # another cooperative's product: absent
    assert client.post(base + "/arsip").status_code == 404
    assert (
        client.get(f"/koperasi/{tani.coop.slug}/kelola/produk/99999999999999999999").status_code
        == 404
    )

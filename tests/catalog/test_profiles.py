"""The cooperative's and the member's page headers, read as plain data (shop/catalog/profiles.py):
every fact the pages showed from the ORM objects is still there, and only active ones show."""

from shop.extensions import db
from tests.factories import make_coop, make_membership, make_user


def test_cooperative_page_shows_every_fact_and_its_active_members_by_name(client):
    coop = make_coop(name="Koperasi Sekar <Jati>", registration_number="AHU-0001.AH.01",
                     address="Jl. Kaliurang 5", fee_bp=750, description="Batik tulis.")  # fmt: skip
    make_membership(make_user(name="Siti"), coop, business_name="", member_number="0002")
    make_membership(make_user(name="Budi"), coop, business_name="Anyaman Budi")
    make_membership(make_user(name="Gone"), coop, business_name="Tutup", is_active=False)
    db.session.commit()
    html = client.get(f"/koperasi/{coop.slug}").get_data(as_text=True)
    assert "<h1>Koperasi Sekar &lt;Jati&gt;</h1>" in html
    assert "AHU-0001.AH.01" in html and "Jl. Kaliurang 5" in html and "7,5%" in html
    assert "Batik tulis." in html
    members = html.split('class="member-list"')[1].split("</ul>")[0]
    assert members.index("Siti") < members.index("Anyaman Budi")  # by business name ("" first)
    assert f'href="/koperasi/{coop.slug}/umkm/0002">Siti<' in members and "Tutup" not in members


def test_member_page_names_the_maker_and_their_cooperative(client):
    coop = make_coop(name="Koperasi Mlati")
    make_membership(make_user(name="Wahyu"), coop, business_name="", member_number="0042",
                    story="Gerabah sejak 1990.")  # fmt: skip
    db.session.commit()
    html = client.get(f"/koperasi/{coop.slug}/umkm/0042").get_data(as_text=True)
    assert "<h1>Wahyu</h1>" in html and "Gerabah sejak 1990." in html
    assert "Wahyu" in html.split('class="muted"')[1] and "Koperasi Mlati" in html


def test_a_former_member_or_a_closed_cooperative_has_no_page(client):
    coop = make_coop()
    make_membership(coop=coop, member_number="0005", is_active=False)
    closed = make_coop(is_active=False)
    make_membership(coop=closed, member_number="0006")
    db.session.commit()
    assert client.get(f"/koperasi/{coop.slug}/umkm/0005").status_code == 404
    assert client.get(f"/koperasi/{closed.slug}/umkm/0006").status_code == 404
    assert client.get(f"/koperasi/{closed.slug}").status_code == 404


def test_the_member_list_quotes_numbers_and_escapes_names_as_the_template_did(client):
    """The list is written by shop/catalog/member_links.py: a number quoted as Jinja's
    urlencode quoted it, a name escaped, in a cooperative whose slug needs quoting too."""
    coop = make_coop(slug="sekar-jati&co")
    make_membership(make_user(name="Ani"), coop, business_name='Batik "Ani" & <Putri>',
                    member_number="07 B&C")  # fmt: skip
    db.session.commit()
    html = client.get("/koperasi/sekar-jati&co").get_data(as_text=True)
    members = html.split('class="member-list"')[1].split("</ul>")[0]
    assert members == (
        '>\n      \n        <li><a href="/koperasi/sekar-jati&amp;co/umkm/07%20B%26C">'
        "Batik &#34;Ani&#34; &amp; &lt;Putri&gt;</a></li>\n      \n    "
    )

"""Only the platform operator opens the operator's pages; everyone else is refused, and a
refused POST changes nothing."""

from urllib.parse import parse_qs, urlsplit

import pytest

from shop.coops.models import Role
from tests.factories import make_coop, make_membership, make_user
from tests.operator.conftest import NEW_COOP, platform_state

# (method, path, form data); {coop} is an open cooperative's id, {closed} a closed one's.
REQUESTS = [
    ("GET", "/operator/", None),
    ("GET", "/operator/?date_from=2026-11-01&date_to=2026-11-30", None),
    ("GET", "/operator/koperasi/baru", None),
    ("POST", "/operator/koperasi/baru", NEW_COOP),
    ("POST", "/operator/koperasi/{coop}/nonaktifkan", {}),
    ("POST", "/operator/koperasi/{closed}/aktifkan", {}),
]
GETS = [(method, path) for method, path, _data in REQUESTS if method == "GET"]


@pytest.fixture
def coops():
    """An open cooperative with an admin and a member, and a closed one."""
    coop = make_coop(name="Koperasi Mlijo Sejahtera")
    return {
        "coop": coop,
        "closed": make_coop(name="Koperasi Tutup", is_active=False),
        "admin": make_membership(coop=coop, role=Role.ADMIN).user,
        "member": make_membership(coop=coop).user,
    }


def send(client, coops, method: str, path: str, data):
    url = path.format(coop=coops["coop"].id, closed=coops["closed"].id)
    return client.open(url, method=method, data=data)


@pytest.mark.parametrize(("method", "path"), GETS)
def test_the_operator_opens_each_page(client, login, operator, coops, method, path):
    login(operator)

    response = send(client, coops, method, path, None)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(("method", "path", "data"), REQUESTS)
@pytest.mark.parametrize("who", ["admin", "member", "shopper"])
def test_anyone_else_signed_in_is_refused_and_changes_nothing(
    client, login, coops, who, method, path, data
):
    login(make_user() if who == "shopper" else coops[who])
    before = platform_state()

    response = send(client, coops, method, path, data)

    assert response.status_code == 403
    assert "Mlijo" not in response.get_data(as_text=True)
    assert platform_state() == before


@pytest.mark.parametrize(("method", "path", "data"), REQUESTS)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(
    client, coops, method, path, data
):
    before = platform_state()

    response = send(client, coops, method, path, data)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/akun/masuk"
    expected = path.format(coop=coops["coop"].id, closed=coops["closed"].id)
    assert parse_qs(location.query)["next"] == [expected]
    assert platform_state() == before


def test_a_cooperative_that_does_not_exist_is_not_found(client, login, operator):
    login(operator)
    assert client.post("/operator/koperasi/999999/nonaktifkan").status_code == 404
    assert client.post("/operator/koperasi/99999999999999999999/aktifkan").status_code == 404

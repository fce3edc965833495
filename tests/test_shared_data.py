"""@shared_data (tests/shared.py): built once for the tests of a module that use it, each test
given the rows as built, whatever the tests before it wrote. The tests here run in file order:
the first ones count the builds."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from shop.coops.models import Cooperative, Membership
from shop.extensions import db
from shop.mail import send_mail
from tests.factories import make_coop, make_membership
from tests.shared import shared_data

builds: list[str] = []


@dataclass
class Pair:
    coop: Cooperative
    member: Membership


@shared_data
def pair() -> Pair:
    builds.append("pair")
    coop = make_coop(name="Koperasi Bersama")
    send_mail("ketua@example.test", "Selamat datang", "Koperasi Bersama dibuka.")
    return Pair(coop, make_membership(coop=coop, business_name="Warung Bersama"))


@shared_data
def pair_with_second_member(pair) -> Pair:
    builds.append("second")
    pair.second = make_membership(coop=pair.coop, business_name="Warung Kedua")
    return pair


@pytest.fixture
def bystander():
    """A fixture that, named in not_with, makes a test build its own pair."""


@shared_data(not_with=("bystander",))
def own_pair() -> Pair:
    builds.append("own")
    coop = make_coop(name="Koperasi Sendiri")
    return Pair(coop, make_membership(coop=coop))


def coops_named(name: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Cooperative).where(Cooperative.name == name)
    )


def test_the_first_test_builds_it(pair, outbox):
    assert builds == ["pair"]
    assert pair.member.cooperative_id == pair.coop.id
    assert [mail.subject for mail in outbox] == ["Selamat datang"]
    pair.coop.name = "Koperasi Diubah"
    make_membership(coop=pair.coop)
    outbox.clear()
    db.session.commit()


def test_the_next_one_gets_the_rows_as_built_not_as_the_last_test_left_them(pair, outbox):
    assert builds == ["pair"]
    assert db.session.get(Cooperative, pair.coop.id).name == "Koperasi Bersama"
    assert coops_named("Koperasi Bersama") == 1
    assert len(pair.coop.memberships) == 1
    assert [mail.subject for mail in outbox] == ["Selamat datang"]  # as the build sent it


def test_a_test_without_it_does_not_see_it():
    assert coops_named("Koperasi Bersama") == 0


def test_after_a_test_without_it_it_is_built_again(pair):
    assert builds == ["pair", "pair"]
    assert coops_named("Koperasi Bersama") == 1


def test_a_fixture_on_another_is_one_object_with_it(pair_with_second_member, pair):
    assert builds == ["pair", "pair", "pair", "second"]
    assert pair_with_second_member is pair
    assert {pair.member.business_name, pair.second.business_name} == {
        "Warung Bersama",
        "Warung Kedua",
    }


def test_a_test_with_a_not_with_fixture_builds_its_own(own_pair, bystander):
    assert builds[-1] == "own"
    own_pair.coop.name = "Koperasi Diubah Sendiri"
    db.session.commit()


def test_so_does_the_next_one(own_pair, bystander):
    assert builds[-2:] == ["own", "own"]
    assert own_pair.coop.name == "Koperasi Sendiri"

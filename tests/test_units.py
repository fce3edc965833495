"""Money, phone numbers and redirects: the small rules everything else relies on."""

import pytest

from shop.money import (
    fee_for,
    format_bp_as_percent,
    format_rupiah,
    format_rupiah_html,
    parse_percent_to_bp,
    parse_rupiah,
)
from shop.phone import normalise_phone
from shop.security import safe_next_url


@pytest.mark.parametrize(
    ("amount", "fee_bp", "fee"),
    [(10_000, 250, 250), (15_000, 333, 500), (1_999, 250, 50), (1_998, 250, 50), (1, 5_000, 1),
     (0, 500, 0), (25_000, 0, 0), (25_000, 10_000, 25_000), (19_900, 250, 498)],
)  # fmt: skip
def test_fee_is_rounded_half_up_and_parts_sum_exactly(amount, fee_bp, fee):
    assert fee_for(amount, fee_bp) == fee
    assert (amount - fee_for(amount, fee_bp)) + fee_for(amount, fee_bp) == amount


@pytest.mark.parametrize(("amount", "fee_bp"), [(-1, 100), (100, -1), (100, 10_001)])
def test_fee_refuses_impossible_inputs(amount, fee_bp):
    with pytest.raises(ValueError):
        fee_for(amount, fee_bp)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(25_000, "Rp 25.000"), (0, "Rp 0"), (1_250_000, "Rp 1.250.000"), (999, "Rp 999"),
     (-5_000, "-Rp 5.000"), (None, "")],
)  # fmt: skip
def test_rupiah_format(amount, text):
    assert format_rupiah(amount) == text
    # A page's: a no-break space, which reads back as typed (an amount copied off a page).
    assert format_rupiah_html(amount) == text.replace(" ", "\xa0")
    if amount is not None and amount >= 0:
        assert parse_rupiah(format_rupiah_html(amount)) == amount


@pytest.mark.parametrize(
    ("text", "bp"),
    [("2,5", 250), ("2.5", 250), ("2.55", 255), ("5", 500), ("0", 0), ("100", 10_000),
     (" 7,25 % ", 725)],
)  # fmt: skip
def test_percent_parses_to_basis_points_without_floats(text, bp):
    assert parse_percent_to_bp(text) == bp
    assert parse_percent_to_bp(format_bp_as_percent(bp)) == bp


@pytest.mark.parametrize("text", ["", "abc", "-1", "100,01", "2,555", "1e2", "101"])
def test_bad_percentages_are_refused(text):
    with pytest.raises(ValueError):
        parse_percent_to_bp(text)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("0812-3456-7890", "+6281234567890"), ("+62 812 3456 7890", "+6281234567890"),
     ("6281234567890", "+6281234567890"), ("(0274) 512345", "+62274512345")],
)  # fmt: skip
def test_indonesian_numbers_are_normalised(typed, normalised):
    assert normalise_phone(typed) == normalised


@pytest.mark.parametrize(
    "typed", ["", "12345", "0812", "+1 555 123 4567", "08abc12345678", "00812345678"]
)
def test_non_indonesian_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/akun/", "/akun/"), ("/cari?q=batik", "/cari?q=batik"), (None, "/"), ("", "/"),
     ("https://evil.example", "/"), ("//evil.example", "/"), ("/\\evil.example", "/"),
     ("javascript:alert(1)", "/"), ("evil.example/path", "/"), ("/\x00x", "/")],
)  # fmt: skip
def test_next_redirects_accept_relative_paths_only(target, expected):
    assert safe_next_url(target, "/") == expected

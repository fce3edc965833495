"""shop/kept_keys.py: itsdangerous's timed signatures, byte for byte, with each key derived
once a process; Flask-WTF's CSRF tokens are made and checked with it."""

import pytest
from flask_wtf.csrf import generate_csrf, validate_csrf
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from shop.kept_keys import KeptKeySerializer


def test_its_tokens_are_itsdangerous_own(monkeypatch):
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1796442245)
    for secret in ("a-secret", ["an-older-secret", "a-secret"]):
        ours = KeptKeySerializer(secret, salt="wtf-csrf-token").dumps("token")
        assert ours == URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps("token")
        assert URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(ours) == "token"


def test_a_key_is_derived_once_for_any_number_of_signatures(monkeypatch):
    derived = []
    original = Signer.derive_key

    def counting(self, secret_key=None):
        derived.append(secret_key)
        return original(self, secret_key)

    monkeypatch.setattr(Signer, "derive_key", counting)
    for _ in range(3):
        serializer = KeptKeySerializer("once-secret", salt="once-salt")
        serializer.loads(serializer.dumps({"n": 1}))
    assert len(derived) == 1


def test_flask_wtf_signs_and_checks_its_tokens_with_it(app, monkeypatch):
    made = []
    original = KeptKeySerializer.dumps

    def counting(self, obj, salt=None):
        made.append(obj)
        return original(self, obj, salt)

    monkeypatch.setattr(KeptKeySerializer, "dumps", counting)
    with app.test_request_context("/"):
        token = generate_csrf()
        validate_csrf(token)  # raises if the token does not check out
    assert len(made) == 1


def test_a_token_of_another_secret_or_salt_or_tampered_with_is_refused():
    """The kept keys are found by secret and salt: a key kept for one must never check
    another's token (tokens of both are made first, so that both keys are kept)."""
    ours = KeptKeySerializer("a-secret", salt="wtf-csrf-token")
    token = ours.dumps("token")
    others = [
        KeptKeySerializer("another-secret", salt="wtf-csrf-token"),
        KeptKeySerializer("a-secret", salt="cookie-session"),
    ]
    for other in others:
        other.dumps("theirs")
        with pytest.raises(BadSignature):
            other.loads(token)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(BadSignature):
        ours.loads(tampered)


def test_a_token_of_the_fallback_secret_is_taken_and_new_ones_use_the_current():
    older = KeptKeySerializer("an-older-secret", salt="wtf-csrf-token").dumps("token")
    rotated = KeptKeySerializer(["an-older-secret", "a-secret"], salt="wtf-csrf-token")

    assert rotated.loads(older) == "token"
    current = KeptKeySerializer("a-secret", salt="wtf-csrf-token")
    assert current.loads(rotated.dumps("new")) == "new"
    with pytest.raises(BadSignature):
        KeptKeySerializer("an-older-secret", salt="wtf-csrf-token").loads(rotated.dumps("new"))

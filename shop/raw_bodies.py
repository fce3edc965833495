"""What a public webhook keeps of the bodies it is sent."""

import hashlib
import json

RAW_BODY_LIMIT = 4096  # characters kept of a body whose signature did not check out


def stored_body(raw_body: bytes, signature_valid: bool) -> str:
    """The body as text the database takes. A validly signed one whole (the gateway's own, and
    small); any other at most RAW_BODY_LIMIT characters, ending with its size and SHA-256 when
    cut, so a public URL cannot fill the database."""
    text = raw_body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    if signature_valid or len(text) <= RAW_BODY_LIMIT:
        return text
    digest = hashlib.sha256(raw_body).hexdigest()
    end = f"...[{len(raw_body)} bytes, sha256 {digest}]"
    return text[: RAW_BODY_LIMIT - len(end)] + end


def json_object(raw_body: bytes) -> dict | None:
    """The body's JSON object, or None: not JSON, not an object, or holding text that no
    database column takes (no gateway sends such a body)."""
    try:
        fields = json.loads(raw_body)
    except (ValueError, RecursionError):  # UnicodeDecodeError included; nesting too deep
        return None
    if not isinstance(fields, dict):
        return None
    if not _is_plain(raw_body) and not _all_text_storable(fields):
        return None
    return fields


def _is_plain(raw_body: bytes) -> bool:
    """A body that cannot hold a NUL or a lone surrogate once parsed, told without walking it
    (a gateway's body, every time): json.loads refuses a raw control character in a string,
    so either can come only from a \\u escape, or (a surrogate) from non-ASCII bytes, which it
    decodes with surrogatepass."""
    return raw_body.isascii() and b"\\u" not in raw_body


def _all_text_storable(value: object) -> bool:
    """No NUL (PostgreSQL refuses it in text) and no lone surrogate (json.loads makes one of
    "\\ud800"; it cannot be encoded, hashed or stored) in any key or string, however deep."""
    pending = [value]
    while pending:  # a loop: a recursive walk could overflow on what json.loads just accepted
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item or (not item.isascii() and not _encodable(item)):
                return False
    return True


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

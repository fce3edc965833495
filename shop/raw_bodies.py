"""What a public webhook keeps of the bodies it is sent."""

import hashlib

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

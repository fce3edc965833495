"""Links that open WhatsApp with a message ready: sharing a product, asking its maker."""

from shop.phone import whatsapp_link_number
from shop.url_quote import quote


def share_url(text: str) -> str:
    """Lets the shopper pick the chat to share with."""
    return "https://wa.me/?text=" + quote(text)


def chat_url(phone: str, text: str) -> str | None:
    """A chat with this number (stored as +62...), or None when there is no number."""
    if not phone:
        return None
    return f"https://wa.me/{whatsapp_link_number(phone)}?text=" + quote(text)

"""A signed-in shopper's saved addresses: kept at checkout, offered at the next one.

Every function takes the user and only ever sees that user's rows, so an address id typed
into a link or a form can never reach someone else's address.
"""

import logging
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from shop.accounts.models import User
from shop.checkout.models import SavedAddress
from shop.errors import ShopError
from shop.extensions import db
from shop.ids import is_row_id

logger = logging.getLogger(__name__)

# An address book, not an archive: a short list stays quick to choose from on a phone.
MAX_SAVED_ADDRESSES = 10


class AddressError(ShopError):
    pass


class TooManyAddresses(AddressError):
    pass


class AddressNotFound(AddressError):
    pass


@dataclass(frozen=True)
class AddressDetails:
    recipient_name: str
    phone: str  # normalised, +62...
    province: str
    city: str
    district: str
    village: str
    postcode: str
    street: str
    notes: str = ""


def saved_addresses(user: User) -> list[SavedAddress]:
    """The user's addresses, the default first, then the newest first."""
    return list(
        db.session.scalars(
            select(SavedAddress)
            .where(SavedAddress.user_id == user.id)
            .order_by(
                SavedAddress.is_default.desc(),
                SavedAddress.created_at.desc(),
                SavedAddress.id.desc(),
            )
        )
    )


def default_address(addresses: list[SavedAddress]) -> SavedAddress | None:
    """The one the checkout fills in before the shopper chooses: the default, else none."""
    return next((address for address in addresses if address.is_default), None)


def find_saved_address(user: User, address_id: int) -> SavedAddress | None:
    """The user's own address with this id; None for an unknown id or another user's."""
    if not is_row_id(address_id):
        return None
    return db.session.scalar(
        select(SavedAddress).where(SavedAddress.id == address_id, SavedAddress.user_id == user.id)
    )


def save_address(user: User, details: AddressDetails) -> SavedAddress:
    """Keep an address for the user's next checkouts. The same address again is not saved
    twice: the one already kept is returned.

    Raises TooManyAddresses when the user already keeps MAX_SAVED_ADDRESSES."""
    try:
        existing = _same_address(user, details)
        if existing is not None:
            return existing
        check_room_for(user, details)
        address = SavedAddress(user_id=user.id, **asdict(details))
        db.session.add(address)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("user %s saved address %s", user.id, address.id)
    return address


def check_room_for(user: User, details: AddressDetails) -> None:
    """Raise TooManyAddresses when saving these details would pass the limit (an address
    already kept takes no new room)."""
    if _count(user) >= MAX_SAVED_ADDRESSES and _same_address(user, details) is None:
        raise TooManyAddresses(too_many_message(), field="save_address")


def delete_saved_address(user: User, address_id: int) -> None:
    """Delete one of the user's addresses. Raises AddressNotFound for an unknown id or
    another user's (which is left as it is)."""
    if not is_row_id(address_id):
        raise AddressNotFound(_("That address is no longer in your address book."))
    try:
        deleted = db.session.execute(
            delete(SavedAddress).where(
                SavedAddress.id == address_id, SavedAddress.user_id == user.id
            )
        )
        if deleted.rowcount != 1:
            raise AddressNotFound(_("That address is no longer in your address book."))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("user %s deleted address %s", user.id, address_id)


def update_saved_address(
    user: User, address_id: int, details: AddressDetails, is_default: bool
) -> SavedAddress:
    """Change one of the user's addresses, and make it the default (or stop it being one).
    Raises AddressNotFound for an unknown id or another user's, changing nothing."""
    address = find_saved_address(user, address_id)
    if address is None:
        raise AddressNotFound(_("That address is no longer in your address book."))
    try:
        for name, value in asdict(details).items():
            setattr(address, name, value)
        _set_default(user, address if is_default else None, keep=address.is_default and is_default)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("user %s changed address %s", user.id, address.id)
    return address


def make_default_address(user: User, address_id: int) -> None:
    """Make one of the user's addresses the one checkout fills in first (the others stop
    being it). Raises AddressNotFound for an unknown id or another user's."""
    address = find_saved_address(user, address_id)
    if address is None:
        raise AddressNotFound(_("That address is no longer in your address book."))
    try:
        _set_default(user, address)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("user %s made address %s the default", user.id, address.id)


def _set_default(user: User, address: SavedAddress | None, keep: bool = False) -> None:
    """Clear the user's default, then set this one: in that order, so the unique index of
    one default per user never sees two."""
    if keep:
        return
    db.session.flush()
    db.session.execute(
        update(SavedAddress)
        .where(SavedAddress.user_id == user.id, SavedAddress.is_default.is_(True))
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    if address is not None:
        address.is_default = True
        db.session.flush()


def too_many_message() -> str:
    return _(
        "You keep %(count)d addresses, the most we save. Delete one in your address book "
        "to save another.",
        count=MAX_SAVED_ADDRESSES,
    )


def _count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SavedAddress).where(SavedAddress.user_id == user.id)
    )


def _same_address(user: User, details: AddressDetails) -> SavedAddress | None:
    return db.session.scalar(
        select(SavedAddress).filter_by(user_id=user.id, **asdict(details)).limit(1)
    )

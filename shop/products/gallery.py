"""The photo part of the product editor, as one unit of work: removals, alt texts, order,
then new uploads (each refused one named, the others kept)."""

from dataclasses import dataclass, field

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Product
from shop.extensions import db
from shop.products.editor import NotAllowed, may_manage
from shop.products.photos import PhotoError, add_photos, delete_photos, reorder_photos, set_alt_text


@dataclass(frozen=True)
class PhotoChanges:
    order: list[int] = field(default_factory=list)  # image ids, cover first
    alt_texts: dict[int, str] = field(default_factory=dict)
    removed: list[int] = field(default_factory=list)
    uploads: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, data)

    @property
    def is_empty(self) -> bool:
        return not (self.order or self.alt_texts or self.removed or self.uploads)


def update_photos(actor: User, product: Product, changes: PhotoChanges) -> list[PhotoError]:
    """Apply the editor's photo changes; returns the uploads refused, with why. Raises
    NotAllowed."""
    if not may_manage(actor, product.member):
        raise NotAllowed("not the maker or an admin")
    try:
        if changes.removed:
            delete_photos(product, changes.removed)
        if changes.alt_texts:
            set_alt_text(product, changes.alt_texts)
        if changes.order:
            reorder_photos(product, [i for i in changes.order if i not in changes.removed])
        refused = add_photos(product, changes.uploads) if changes.uploads else []
        added = len(changes.uploads) - len(refused)
        details = {"removed": changes.removed, "added": added, "order": changes.order}
        record_audit(actor, product.cooperative, "product.photos", product, details)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return refused

"""The seller side of the catalog: the product editor, photos, review and the consoles."""

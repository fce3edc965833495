"""Importing a catalog file: a preview that writes nothing, the file kept until it is
confirmed, then a task (shop.products.tasks) that writes it all.

The preview and the task read the file the same way (plan_rows): rows are grouped into
products by kode_produk, matched to the cooperative's variants by SKU (a match updates, a new
SKU creates), and checked by the product editor's own rules (editor._checked,
editor._check_variant), each problem named by its line and column. Nothing is written while
any row is invalid. Everything a file is matched against (variants by SKU, categories,
members) is loaded once, a few queries for the whole file. Photos the `foto` column names
are looked up in the uploaded ZIP's directory only: the task's photos.add_photos checks the
images, and skips a photo the product has already (which the preview cannot tell cheaply, so
a row naming photos of an existing product counts as updated).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from zipfile import ZipInfo

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductStatus, ProductVariant
from shop.coops.models import Cooperative, Membership
from shop.coops.services import find_membership
from shop.errors import ShopError
from shop.extensions import db
from shop.jobs.after_commit import enqueue_after_commit
from shop.jobs.models import JobProgress
from shop.jobs.progress import start_job
from shop.products import editor
from shop.products.catalog_file import (
    HEADERS,
    PRODUCT_KEYS,
    FileRow,
    ImportFileError,
    InvalidCell,
    PhotoArchive,
    cell_value,
    photo_names,
    read_rows,
)
from shop.products.editor import STOCK_MAX, NotAllowed, ProductDraft, VariantDraft
from shop.products.models import ProductImport
from shop.products.permits import Permits
from shop.products.photos import MAX_PHOTOS
from shop.products.queries import leaf_categories
from shop.timeutil import utcnow

logger = logging.getLogger(__name__)

SKUS_PER_QUERY = 500
PROBLEMS_KEPT = 200  # in the stored summary; the preview shows them all
# The editor's field -> the file's column, to name the column of a refusal.
PRODUCT_FIELDS = {"nama_produk": "name", "kategori": "category_id", "deskripsi": "description",
                  "pre_order_hari": "pre_order_days", "panjang_cm": "length_cm",
                  "lebar_cm": "width_cm", "tinggi_cm": "height_cm", "nomor_pirt": "pirt_number",
                  "pirt_berlaku_sampai": "pirt_expires_on", "nomor_halal": "halal_number",
                  "nomor_bpom": "bpom_number", "alasan_tanpa_izin": "permit_exemption"}  # fmt: skip
VARIANT_FIELDS = {"pilihan": "option_label", "harga": "price", "stok": "stock",
                  "berat_gram": "weight_grams", "sku": "sku"}  # fmt: skip
COLUMN_OF = {field: key for key, field in (PRODUCT_FIELDS | VARIANT_FIELDS).items()}
# Free text the editor's form caps but the editor does not: the model's column lengths.
TEXT_LENGTHS = {"nomor_pirt": Product.pirt_number.type.length,
                "nomor_halal": Product.halal_number.type.length,
                "nomor_bpom": Product.bpom_number.type.length}  # fmt: skip


class ImportRefused(ShopError):
    pass


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str  # translated, the line and column in it
    column: str = ""  # its key in catalog_file.COLUMNS


@dataclass
class ImportPlan:
    """What importing the file would do, in rows: a row is created (a new SKU), updated (its
    variant or its product changes) or unchanged; every row of a product with a problem is
    invalid, and `problems` names the lines at fault."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.invalid

    def summary(self) -> dict:
        kept = [[problem.line, problem.message] for problem in self.problems[:PROBLEMS_KEPT]]
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "invalid": self.invalid, "problems": kept}  # fmt: skip


def preview_import(
    actor: User,
    coop: Cooperative,
    member: Membership | None,
    filename: str,
    data: bytes,
    photos_zip: bytes | None = None,
) -> ImportPlan:
    """What importing the file would do, writing nothing. `member`: a member's import of
    their own products; None: an admin's, whose rows name each product's member. Raises
    NotAllowed, or ImportFileError for a file (or photo ZIP) that cannot be read at all."""
    rows = read_rows(filename, data)
    archive = PhotoArchive(photos_zip) if photos_zip else None
    plan, _products = plan_rows(actor, coop, member, rows, archive)
    return plan


def store_import(
    actor: User,
    coop: Cooperative,
    member: Membership | None,
    filename: str,
    data: bytes,
    plan: ImportPlan,
    photos_zip: bytes | None = None,
) -> ProductImport:
    """Keep the previewed file until it is confirmed. Raises ImportRefused when the plan has
    problems, NotAllowed."""
    if plan.problems:
        raise ImportRefused(_("Nothing is imported while a row is invalid: fix them first."))
    check_allowed(actor, coop, member)
    product_import = ProductImport(
        cooperative_id=coop.id, actor_id=actor.id, member_id=member.id if member else None,
        filename=filename[:255], content=data, photos_zip=photos_zip, summary=plan.summary(),
    )  # fmt: skip
    db.session.add(product_import)
    db.session.commit()
    return product_import


def import_of(actor: User, coop: Cooperative, product_import_id: int) -> ProductImport | None:
    """The stored import this actor may confirm or watch: one they uploaded, to this
    cooperative. None otherwise (the view answers 404)."""
    product_import = db.session.get(ProductImport, product_import_id)
    if product_import is None or product_import.cooperative_id != coop.id:
        return None
    return product_import if product_import.actor_id == actor.id else None


def start_import(product_import_id: int) -> JobProgress:
    """Queue the stored import; returns its job, for the progress page. Confirming twice
    starts it once."""
    from shop.products.tasks import run_product_import

    product_import = db.session.get(ProductImport, product_import_id)
    if product_import.job_id is not None:
        return db.session.get(JobProgress, product_import.job_id)
    total = (product_import.summary or {}).get("rows", 0)
    job = start_job("product_import", product_import.actor_id, total, _("Importing products"))
    product_import.job_id = job.id
    enqueue_after_commit(run_product_import, product_import.id)
    db.session.commit()
    return job


def check_allowed(actor: User, coop: Cooperative, member: Membership | None) -> bool:
    """Whether the actor's products count as an admin's (no review); raises NotAllowed."""
    own = find_membership(actor, coop)
    is_admin = own is not None and own.is_admin
    if member is None and not is_admin:
        raise NotAllowed(_("You cannot manage this member's products."))
    if member is not None and (
        member.cooperative_id != coop.id or not editor.may_manage(actor, member)
    ):
        raise NotAllowed(_("You cannot manage this member's products."))
    return is_admin


# --- reading the file against the catalog -------------------------------------------------


@dataclass
class _Row:
    line: int
    text: dict[str, str]  # the cells as written
    values: dict[str, int | date | str | None]  # as the editor takes them
    problems: list[RowProblem]
    variant: ProductVariant | None = None  # the variant with this SKU, anywhere


@dataclass
class PlannedProduct:
    """The rows of one product code, and what writing them means."""

    rows: list[_Row]
    maker: Membership | None = None
    product: Product | None = None  # None: a new product
    values: dict = field(default_factory=dict)  # editor._checked's
    variants: list[VariantDraft] = field(default_factory=list)
    # Each variant's line in the file; None for a variant the file leaves out.
    lines: list[int | None] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)  # per row: created, updated, unchanged
    # The photos to add, in the file's order: (the name in the file, the ZIP's file).
    photos: list[tuple[str, ZipInfo]] = field(default_factory=list)
    is_edited: bool = False  # an existing product whose fields or variants change

    def problem_for(self, error: ShopError) -> RowProblem:
        """An editor's refusal on the line and column it is about ("variants-2-price": the
        product's third variant, harga)."""
        line, name = self.rows[0].line, error.field or ""
        parts = name.split("-")
        if len(parts) == 3 and parts[0] == "variants":
            line, name = self.lines[int(parts[1])] or line, parts[2]
        return _problem(line, COLUMN_OF.get(name, "sku"), error.message)


@dataclass
class _Catalog:
    """What rows are matched against, loaded once for the whole file."""

    members: dict[str, Membership]
    categories: dict[str, int]  # by slug, Indonesian or English path, folded
    variants: dict[str, ProductVariant]
    # Held here so the session keeps them (its identity map holds objects weakly): the
    # editor's rules get each category by id, and it must not be a query per row.
    loaded: list = field(default_factory=list)


def plan_rows(
    actor: User,
    coop: Cooperative,
    member: Membership | None,
    file_rows: list[FileRow],
    archive: PhotoArchive | None = None,
) -> tuple[ImportPlan, list[PlannedProduct]]:
    """The plan, and the products it would write (the valid ones), their photos found in
    `archive` (None: no ZIP uploaded). Raises NotAllowed, or ImportFileError for an admin's
    file without member numbers."""
    check_allowed(actor, coop, member)
    if member is None and "nomor_anggota" not in file_rows[0].values:
        raise ImportFileError(
            _("Columns missing: %(columns)s. The template has every column.",
              columns=HEADERS["nomor_anggota"])
        )  # fmt: skip
    rows = [_parsed_row(file_row) for file_row in file_rows]
    catalog = _load_catalog(coop, member, rows)
    groups = _grouped(rows, catalog)
    plan, products = ImportPlan(), []
    changed_by: dict[int, int] = {}  # product id -> the first line of the rows that change it
    for code, group in groups.items():
        planned = _planned_product(coop, member, catalog, code, group, changed_by, archive)
        problems = [problem for row in group for problem in row.problems] + planned.problems
        if problems:
            plan.invalid += len(group)
            # A cell that cannot be read is refused by the editor's rule too: say it once.
            unique: dict[tuple[int, str], RowProblem] = {}
            for problem in problems:
                unique.setdefault((problem.line, problem.column), problem)
            plan.problems += unique.values()
            continue
        products.append(planned)
        for outcome in planned.outcomes:
            setattr(plan, outcome, getattr(plan, outcome) + 1)
    plan.problems.sort(key=lambda problem: problem.line)
    return plan, products


def _grouped(rows: list[_Row], catalog: _Catalog) -> dict[str, list[_Row]]:
    """The rows by product code (a row without one is a product of its own), each with the
    variant its SKU names."""
    groups: dict[str, list[_Row]] = {}
    first_line_of_sku: dict[str, int] = {}
    for row in rows:
        sku = row.text.get("sku", "")
        row.variant = catalog.variants.get(sku)
        if not sku:
            reason = _("Enter an SKU: rows are matched to the catalog by it.")
            row.problems.append(_problem(row.line, "sku", reason))
        elif sku in first_line_of_sku:
            reason = _("Line %(line)d has this SKU already.", line=first_line_of_sku[sku])
            row.problems.append(_problem(row.line, "sku", reason))
        first_line_of_sku.setdefault(sku, row.line)
        code = row.text.get("kode_produk") or sku or f"line {row.line}"
        groups.setdefault(code, []).append(row)
    return groups


def _parsed_row(file_row: FileRow) -> _Row:
    row = _Row(file_row.line, file_row.values, {}, [])
    for key, text in file_row.values.items():
        try:
            row.values[key] = cell_value(key, text)
        except InvalidCell as error:
            row.problems.append(_problem(row.line, key, error.message))
        if key in TEXT_LENGTHS and len(text) > TEXT_LENGTHS[key]:
            row.problems.append(
                _problem(row.line, key, _("Use at most %(max)d characters.", max=TEXT_LENGTHS[key]))
            )
    if row.values.get("stok", 0) is None:
        row.problems.append(_problem(row.line, "stok", _("Enter 0 to %(max)d.", max=STOCK_MAX)))
    return row


def _problem(line: int, key: str, reason: str) -> RowProblem:
    """ "Baris 12, Harga (Rp): Masukkan harga di atas Rp 0." """
    message = _("Line %(line)d, %(column)s: %(reason)s", line=line, column=HEADERS[key],
                reason=reason)  # fmt: skip
    return RowProblem(line, message, key)


def _load_catalog(coop: Cooperative, member: Membership | None, rows: list[_Row]) -> _Catalog:
    members = {}
    if member is None:
        for membership in db.session.scalars(
            select(Membership).where(Membership.cooperative_id == coop.id)
        ):
            members[membership.member_number] = membership
        for number, membership in list(members.items()):
            # A number Excel took for one lost its leading zeros: 0012 came back as 12.
            if number.lstrip("0"):
                members.setdefault(number.lstrip("0"), membership)
    # Loaded with their children, editor._checked finds each without a query.
    categories = {}
    loaded = db.session.scalars(select(Category).options(selectinload(Category.children))).all()
    for category in loaded:
        categories[_folded(category.slug)] = categories[_folded(category.name_id)] = category.id
    for category_id, path_id, path_en in leaf_categories():
        categories[_folded(path_id)] = categories[_folded(path_en)] = category_id
    skus = sorted({row.text.get(key, "") for row in rows for key in ("sku", "kode_produk")} - {""})
    variants = {}
    for start in range(0, len(skus), SKUS_PER_QUERY):
        query = (
            select(ProductVariant)
            .where(ProductVariant.sku.in_(skus[start : start + SKUS_PER_QUERY]))
            .options(joinedload(ProductVariant.product).selectinload(Product.variants))
        )
        variants.update((variant.sku, variant) for variant in db.session.scalars(query))
    return _Catalog(members, categories, variants, loaded)


def _folded(name: str) -> str:
    """ "Kuliner > camilan  &  keripik" and "Kuliner › Camilan & Keripik" are one category."""
    return " ".join(name.lower().replace(">", "›").replace("›", " › ").split())


def _planned_product(
    coop: Cooperative,
    member: Membership | None,
    catalog: _Catalog,
    code: str,
    rows: list[_Row],
    changed_by: dict[int, int],
    archive: PhotoArchive | None,
) -> PlannedProduct:
    planned, first = PlannedProduct(rows), rows[0]
    shared = [key for key in PRODUCT_KEYS if member is None or key != "nomor_anggota"]
    for row in rows[1:]:
        for key in shared:
            if row.text.get(key) and row.values.get(key) != first.values.get(key):
                reason = _(
                    "Not what line %(line)d says for the same product code.", line=first.line
                )
                planned.problems.append(_problem(row.line, key, reason))
    planned.maker = member or _maker(catalog, first, planned.problems)
    if planned.maker is None:
        return planned
    planned.product = _matched_product(coop, planned, catalog, code)
    if planned.product is not None and not planned.problems:
        if planned.product.id in changed_by:
            reason = _(
                "Line %(line)d changes this product already: give its rows one product code.",
                line=changed_by[planned.product.id],
            )
            planned.problems.append(_problem(first.line, "kode_produk", reason))
        changed_by.setdefault(planned.product.id, first.line)
    if not planned.problems:
        _check_drafts(planned, catalog)
        _find_photos(planned, archive)
    if not planned.problems:
        planned.outcomes = _outcomes(planned)
    return planned


def _maker(catalog: _Catalog, first: _Row, problems: list[RowProblem]) -> Membership | None:
    number = first.text.get("nomor_anggota", "")
    if not number:
        reason = _("Enter the member number of the product's maker.")
    else:
        maker = catalog.members.get(number) or catalog.members.get(number.lstrip("0"))
        if maker is not None:
            return maker
        reason = _("No member of the cooperative has this number.")
    problems.append(_problem(first.line, "nomor_anggota", reason))
    return None


def _matched_product(
    coop: Cooperative, planned: PlannedProduct, catalog: _Catalog, code: str
) -> Product | None:
    """The maker's product that the rows' SKUs (or, failing those, the product code) name."""
    found, found_line = None, 0
    for row in planned.rows:
        variant = row.variant
        if variant is None:
            continue
        if not _is_makers(variant, coop, planned.maker):
            planned.problems.append(
                _problem(row.line, "sku", _("This SKU belongs to another product."))
            )
        elif variant.is_archived:
            reason = _("A removed variant keeps this SKU for its orders: use another SKU.")
            planned.problems.append(_problem(row.line, "sku", reason))
        elif found is None:
            found, found_line = variant.product, row.line
        elif variant.product is not found:
            reason = _(
                "This SKU is another product's than line %(line)d's: give each its own code.",
                line=found_line,
            )
            planned.problems.append(_problem(row.line, "sku", reason))
    by_code = catalog.variants.get(code)
    if found is None and by_code is not None and all(row.variant is None for row in planned.rows):
        if _is_makers(by_code, coop, planned.maker) and not by_code.is_archived:
            found = by_code.product
        else:
            planned.problems.append(
                _problem(
                    planned.rows[0].line, "kode_produk", _("This SKU belongs to another product.")
                )
            )
    if found is not None and found.status == ProductStatus.ARCHIVED:
        planned.problems.append(
            _problem(
                found_line or planned.rows[0].line,
                "sku",
                _("This product is archived: restore it to edit it."),
            )
        )
    return found


def _is_makers(variant: ProductVariant, coop: Cooperative, maker: Membership) -> bool:
    return variant.product.cooperative_id == coop.id and variant.product.member_id == maker.id


def _check_drafts(planned: PlannedProduct, catalog: _Catalog) -> None:
    """The product and its variants as the editor would save them, checked by its rules."""
    first, product = planned.rows[0], planned.product

    def value(key: str, default):
        if key in first.values:
            return default if first.values[key] is None else first.values[key]
        return getattr(product, PRODUCT_FIELDS[key]) if product is not None else default

    draft = ProductDraft(
        name=value("nama_produk", ""),
        category_id=catalog.categories.get(_folded(first.text.get("kategori", "")), 0),
        description=value("deskripsi", ""),
        pre_order_days=value("pre_order_hari", 0),
        length_cm=value("panjang_cm", 0),
        width_cm=value("lebar_cm", 0),
        height_cm=value("tinggi_cm", 0),
        permits=Permits(value("nomor_pirt", ""), value("pirt_berlaku_sampai", None),
                        value("nomor_halal", ""), value("nomor_bpom", ""),
                        value("alasan_tanpa_izin", "")),
    )  # fmt: skip
    try:
        planned.values = editor._checked(draft)
    except ShopError as error:
        planned.problems.append(planned.problem_for(error))
    # The product's variants in their order, then the new ones, as the editor's form lists them.
    in_file = {row.variant.id: row for row in planned.rows if row.variant is not None}
    for variant in product.variants if product is not None else []:
        row = in_file.get(variant.id)
        planned.variants.append(_variant_draft(row, variant))
        planned.lines.append(row.line if row is not None else None)
    for row in planned.rows:
        if row.variant is None:
            planned.variants.append(_variant_draft(row, None))
            planned.lines.append(row.line)
    labels: set[str] = set()
    for index, variant_draft in enumerate(planned.variants):
        try:
            editor._check_variant(variant_draft, index)
        except ShopError as error:
            planned.problems.append(planned.problem_for(error))
        label = " ".join(variant_draft.option_label.split()).lower()
        if label in labels:
            line = planned.lines[index] or first.line
            planned.problems.append(
                _problem(line, "pilihan", _("Two variants have the same option."))
            )
        labels.add(label)


def _find_photos(planned: PlannedProduct, archive: PhotoArchive | None) -> None:
    """The ZIP's files for the photos the product's first row names."""
    line = planned.rows[0].line
    names = photo_names(planned.rows[0].text.get("foto", ""))
    if not names:
        return
    if archive is None:
        reason = _("Upload a ZIP of the photos the Foto column names.")
        planned.problems.append(_problem(line, "foto", reason))
        return
    if len(names) > MAX_PHOTOS:
        reason = _("A product can have at most %(count)s photos.", count=MAX_PHOTOS)
        planned.problems.append(_problem(line, "foto", reason))
        return
    found = [(name, archive.find(name)) for name in names]
    missing = [name for name, info in found if info is None]
    if missing:
        reason = _("Not in the ZIP: %(files)s.", files=", ".join(missing))
        planned.problems.append(_problem(line, "foto", reason))
        return
    planned.photos = found


def _variant_draft(row: _Row | None, variant: ProductVariant | None) -> VariantDraft:
    """A row as the editor's variant: over what the variant has now (a column the file
    leaves out keeps its value), or new. No row: the variant as it is."""
    if variant is None:
        current, variant_id, stock_seen = {"sku": row.text["sku"]}, None, None
    else:
        current = {name: getattr(variant, name) for name in VARIANT_FIELDS.values()}
        variant_id, stock_seen = variant.id, variant.stock
    values = {}
    for key, name in VARIANT_FIELDS.items():
        if row is not None and key in row.values:
            values[name] = row.values[key] if row.values[key] is not None else 0
        else:
            values[name] = current.get(name, "" if name == "option_label" else 0)
    return VariantDraft(variant_id=variant_id, stock_seen=stock_seen, **values)


def _outcomes(planned: PlannedProduct) -> list[str]:
    product = planned.product
    if product is None:
        return ["created"] * len(planned.rows)
    is_product_changed = any(
        getattr(product, name) != value for name, value in planned.values.items()
    )
    drafts = {draft.variant_id: draft for draft in planned.variants if draft.variant_id}
    outcomes = []
    for row in planned.rows:
        if row.variant is None:
            outcomes.append("created")
            planned.is_edited = True
            continue
        draft, variant = drafts[row.variant.id], row.variant
        is_changed = is_product_changed or (
            " ".join(draft.option_label.split()), draft.price, draft.stock, draft.weight_grams
        ) != (variant.option_label, variant.price, variant.stock, variant.weight_grams)  # fmt: skip
        planned.is_edited = planned.is_edited or is_changed
        # Photos it may have already count too: telling would mean decoding each.
        outcomes.append("updated" if is_changed or planned.photos else "unchanged")
    return outcomes


def forget_old_imports(days: int = 7) -> int:
    """Delete stored import files older than `days` (every checked file is kept until then,
    confirmed or not); their job records stay. Returns how many went."""
    removed = db.session.execute(
        delete(ProductImport).where(ProductImport.created_at < utcnow() - timedelta(days=days))
    ).rowcount
    db.session.commit()
    return removed

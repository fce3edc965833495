"""The task that imports a confirmed catalog file (shop.products.importing checked it), and
how it writes the products: each as the product editor saves one, commits in batches."""

import logging
import secrets

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from shop.accounts.models import User
from shop.audit.services import record_audit
from shop.catalog.models import Product, ProductStatus, ProductVariant
from shop.coops.models import Cooperative, Membership
from shop.coops.services import slugify
from shop.errors import ShopError
from shop.extensions import db
from shop.jobs.models import JobProgress
from shop.jobs.progress import fail_job, finish_job, report_progress
from shop.jobs.runner import task
from shop.pagecache import bump_catalog_version
from shop.products import editor, importing
from shop.products.catalog_file import PhotoArchive, read_rows
from shop.products.editor import VariantDraft
from shop.products.importing import PlannedProduct
from shop.products.models import ProductImport
from shop.products.photos import add_photos

logger = logging.getLogger(__name__)

# Rows written between two commits, each with the progress bar's step.
ROWS_PER_BATCH = 100


@task(retries=0)  # a failed import is looked at and imported again, not retried blind
def run_product_import(product_import_id: int) -> None:
    import_products(product_import_id)


def import_products(product_import_id: int) -> None:
    """The task's work: read the stored file again, check it against the catalog as it is
    now, write every changed product and finish the job with a link to the products. A row
    that became invalid since the preview fails the job before anything is written; a
    product refused while writing (its stock sold meanwhile) fails it there, the products
    before it imported. Unexpected errors fail the job and are raised again."""
    # The plan holds every product and variant the file names: expiring them all at each
    # batch's commit (and loading them again) would cost more than the writing. This
    # session is the task's own, dropped when it ends.
    db.session().expire_on_commit = False
    product_import = db.session.get(ProductImport, product_import_id)
    job_id = product_import.job_id
    if db.session.get(JobProgress, job_id).is_finished:  # the queue ran it twice
        return
    try:
        message, result_url = _import(product_import)
    except ShopError as error:
        db.session.rollback()
        fail_job(job_id, error.message)
        logger.info("import %s refused: %s", product_import_id, error.message)
        return
    except Exception:
        db.session.rollback()
        fail_job(job_id, _("The import stopped on an error: import the file again to finish it."))
        raise
    finish_job(job_id, message, result_url)  # commits the last batch with it
    bump_catalog_version()  # stock moved by UPDATEs the page cache's flush hook cannot see


def _import(product_import: ProductImport) -> tuple[str, str]:
    actor = db.session.get(User, product_import.actor_id)
    coop = db.session.get(Cooperative, product_import.cooperative_id)
    member = None
    if product_import.member_id is not None:
        member = db.session.get(Membership, product_import.member_id)
    is_admin = importing.check_allowed(actor, coop, member)
    rows = read_rows(product_import.filename, product_import.content)
    photos_zip = product_import.photos_zip
    archive = PhotoArchive(photos_zip) if photos_zip else None
    plan, products = importing.plan_rows(actor, coop, member, rows, archive)
    if plan.problems:  # the catalog changed since the preview
        first = plan.problems[0].message
        raise importing.ImportRefused(_("%(problem)s Nothing was imported.", problem=first))
    report_progress(product_import.job_id, 0, plan.rows, _("Importing products"))
    product_ids = _apply(actor, coop, products, product_import.job_id, plan.rows, is_admin, archive)
    product_import.summary = plan.summary() | {"product_ids": product_ids, "imported": True}
    record_audit(actor, coop, "product.imported", product_import,
                 {"filename": product_import.filename} | plan.summary())  # fmt: skip
    logger.info("import %s: %s by user %s", product_import.id, plan.summary(), actor.id)
    message = _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
                created=plan.created, updated=plan.updated, unchanged=plan.unchanged)  # fmt: skip
    if member is None:
        return message, url_for("products.console", coop_slug=coop.slug)
    return message, url_for("products.mine", coop_slug=coop.slug, tab="semua")


def _apply(
    actor: User,
    coop: Cooperative,
    products: list[PlannedProduct],
    job_id: int,
    total: int,
    is_admin: bool,
    archive: PhotoArchive | None,
) -> list[int]:
    """Write the changed products and add their photos, committing every ROWS_PER_BATCH rows
    with the progress. Returns the ids of the products written."""
    product_ids: list[int] = []
    waiting: Product | None = None  # the first product the file sends for review
    batch: list[PlannedProduct] = []
    rows_in_batch = done = 0
    for index, planned in enumerate(products):
        batch.append(planned)
        rows_in_batch += len(planned.rows)
        if rows_in_batch < ROWS_PER_BATCH and index < len(products) - 1:
            continue
        new = [p for p in batch if p.product is None]
        changed = [p for p in batch if p.product is not None and p.is_edited]
        photos_only = [p for p in batch if p.product is not None and not p.is_edited and p.photos]
        try:
            written = _create(actor, coop, new, is_admin) + _update(actor, coop, changed, is_admin)
            written += [(p.product, False) for p in photos_only]
            for planned_product, (product, _waits) in zip(
                new + changed + photos_only, written, strict=True
            ):
                _add_photos(actor, coop, planned_product, product, archive)
        except importing.ImportRefused as error:
            if not done:
                raise importing.ImportRefused(
                    _("%(problem)s Nothing was imported.", problem=error.message)
                ) from error
            raise importing.ImportRefused(
                _("%(problem)s The products above line %(line)d were imported.",
                  problem=error.message, line=batch[0].rows[0].line)
            ) from error  # fmt: skip
        for product, waits in written:
            product_ids.append(product.id)
            waiting = waiting or (product if waits else None)
        done += rows_in_batch
        report_progress(job_id, done, total, _("Importing products"))  # commits the batch
        batch, rows_in_batch = [], 0
    if waiting is not None:
        from shop.notifications import events

        # One notice for the whole file: the review queue lists every product it sent.
        events.product_to_review(waiting)
    return product_ids


def _create(
    actor: User, coop: Cooperative, batch: list[PlannedProduct], is_admin: bool
) -> list[tuple[Product, bool]]:
    """New products as editor.save_product makes them (_new_product, _add_variant, its
    review rule, its audit row), flushed together so the search index is rewritten once for
    the batch rather than four times per product. The plan checked their SKUs free."""
    if not batch:
        return []
    created = []
    for planned, slug in zip(batch, _unique_slugs([p.values["name"] for p in batch]), strict=True):
        variants = [
            _new_variant(draft, position) for position, draft in enumerate(planned.variants)
        ]
        product = Product(
            cooperative_id=coop.id, member_id=planned.maker.id, slug=slug,
            status=ProductStatus.DRAFT, weight_grams=min(v.weight_grams for v in variants),
            variants=variants, **planned.values,
        )  # fmt: skip
        target = editor._status_after_save(product, planned.maker, is_admin, False, True)
        if target != product.status:
            if target == ProductStatus.ACTIVE:
                product.move_to(ProductStatus.PENDING)  # published at once: reviewed by its admin
            product.move_to(target)
        db.session.add(product)
        created.append((product, target == ProductStatus.PENDING))
    db.session.flush()
    for product, _waits in created:
        changes = {name: [None, value] for name, value in editor._snapshot(product).items()}
        record_audit(actor, coop, "product.created", product,
                     {"changes": changes, "imported": True})  # fmt: skip
    return created


def _update(
    actor: User, coop: Cooperative, batch: list[PlannedProduct], is_admin: bool
) -> list[tuple[Product, bool]]:
    """Changed products as editor.save_product changes them (_update_variant's attributes,
    its review rule with an existing draft kept a draft, its audit row), flushed together.
    Stock moves by editor._change_stock: the change from the stock the plan read, by a
    conditional UPDATE, so a unit sold meanwhile stays sold."""
    if not batch:
        return []
    updated, befores = [], []
    for planned in batch:
        product = planned.product
        befores.append(editor._snapshot(product))
        for name, value in planned.values.items():
            setattr(product, name, value)
        variants = {variant.id: variant for variant in product.variants}
        for position, draft in enumerate(planned.variants):
            if draft.variant_id is None:
                product.variants.append(_new_variant(draft, position))
                continue
            variant = variants[draft.variant_id]
            variant.option_label = " ".join(draft.option_label.split())
            variant.price, variant.weight_grams = draft.price, draft.weight_grams
            variant.position = position
        product.weight_grams = min(v.weight_grams for v in product.variants)
        target = editor._status_after_save(product, planned.maker, is_admin, True, False)
        waits = target == ProductStatus.PENDING and product.status != ProductStatus.PENDING
        updated.append((product, waits))
        if target != product.status:
            product.move_to(target)  # an edit of a product on sale, reviewed again
            product.review_note = ""
    db.session.flush()
    _move_stock(batch)
    for (product, _waits), before in zip(updated, befores, strict=True):
        after = editor._snapshot(product)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        record_audit(actor, coop, "product.updated", product,
                     {"changes": changes, "imported": True})  # fmt: skip
    return updated


def _add_photos(
    actor: User, coop: Cooperative, planned: PlannedProduct, product: Product, archive
) -> None:
    """The photos the product's row names, after those it has, in the file's order. One it
    has already is skipped (the same file imported again); any other refusal (not a photo,
    too large, one too many) refuses the import, naming the line and the file."""
    if not planned.photos:
        return
    line = planned.rows[0].line
    uploads = []
    for name, info in planned.photos:
        try:
            uploads.append((name, archive.read(info)))
        except ShopError as error:
            problem = importing._problem(line, "foto", f"{name}: {error.message}")
            raise importing.ImportRefused(problem.message) from error
    errors = add_photos(product, uploads)
    refused = [error for error in errors if not error.is_duplicate]
    if refused:
        problem = importing._problem(line, "foto", f"{refused[0].filename}: {refused[0].message}")
        raise importing.ImportRefused(problem.message)
    if len(errors) < len(uploads):  # as the editor's gallery records its uploads
        record_audit(actor, coop, "product.photos", product,
                     {"added": len(uploads) - len(errors), "imported": True})  # fmt: skip


def _move_stock(batch: list[PlannedProduct]) -> None:
    """Each file's stock as the change from the stock the plan read, by editor._change_stock's
    conditional UPDATE, for the batch in one executemany rather than two statements a
    variant. When units sold meanwhile leave too few for a change, the savepoint rolls back
    and editor._change_stock itself, variant by variant, finds the one and refuses it."""
    moves = [(planned, index, draft) for planned in batch
             for index, draft in enumerate(planned.variants)
             if draft.variant_id is not None and draft.stock != draft.stock_seen]  # fmt: skip
    if not moves:
        return
    variants = ProductVariant.__table__.c
    statement = (
        update(ProductVariant.__table__)
        .where(variants.id == bindparam("variant_id"), variants.stock + bindparam("change") >= 0)
        .values(stock=variants.stock + bindparam("change"))
    )
    changes = [{"variant_id": d.variant_id, "change": d.stock - d.stock_seen} for *_, d in moves]
    savepoint = db.session.begin_nested()
    if db.session.execute(statement, changes).rowcount == len(changes):
        savepoint.commit()
        return
    savepoint.rollback()
    for planned, index, draft in moves:
        variant = db.session.get(ProductVariant, draft.variant_id)
        try:
            editor._change_stock(variant, draft.stock - draft.stock_seen, index)
        except ShopError as error:  # sold to below the file's stock meanwhile
            raise importing.ImportRefused(planned.problem_for(error).message) from error


def _new_variant(draft: VariantDraft, position: int) -> ProductVariant:
    """What editor._add_variant adds (its SKU checked free by the plan)."""
    return ProductVariant(sku=draft.sku.strip(), option_label=" ".join(draft.option_label.split()),
                          price=draft.price, stock=draft.stock, weight_grams=draft.weight_grams,
                          position=position)  # fmt: skip


def _unique_slugs(names: list[str]) -> list[str]:
    """editor._unique_slug for a batch of names: one query for the lot, and no two alike
    within it (none is in the database yet)."""
    bases = [slugify(name)[:160] or "produk" for name in names]
    taken = set(db.session.scalars(select(Product.slug).where(Product.slug.in_(set(bases)))))
    slugs = []
    for base in bases:
        slug = base
        while slug in taken:
            slug = editor._unique_slug(f"{base} {secrets.token_hex(2)}")
        taken.add(slug)
        slugs.append(slug)
    return slugs

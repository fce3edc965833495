"""`flask search reindex`: rebuild the product search index."""

import click
from flask.cli import AppGroup

from shop.search.services import reindex_all

search_cli = AppGroup("search", help="Maintain the product search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the product search index from the products (after raw SQL edits or a restore)."""
    count = reindex_all()
    click.echo(f"Indexed {count} products for search.")

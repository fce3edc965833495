"""The Flask extensions, created unbound here and bound to the app in create_app()."""

import click
from flask import Flask, g, session
from flask.cli import with_appcontext
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shop.anonymous_forms import StorefrontCSRF

# Named constraints, so that migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VisitorLoginManager(LoginManager):
    """Flask-Login's, without hashing the visitor's address and browser into a session
    identifier on every request only to compare it with an empty session's (most storefront
    visitors have none): its answer for an empty session is always "not failed"."""

    def _session_protection_failed(self) -> bool:
        if not session:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
login_manager = VisitorLoginManager()
csrf = StorefrontCSRF()  # Flask-WTF's, plus tokens for visitors without a session
babel = Babel()
# Flask-Migrate's options. render_as_batch: SQLite can only ALTER through a table copy, which
# batch mode does.
MIGRATE_OPTIONS = {"render_as_batch": True, "compare_type": True}


def init_migrations(app: Flask, directory: str) -> None:
    """Flask-Migrate, set up on first use (`flask db ...`, or upgrade() and the like in an
    app context): a web worker never imports Alembic and Mako (~11 MB a process)."""
    app.extensions["migrate"] = _MigrationsOnFirstUse(app, directory)
    app.cli.add_command(migration_commands)


class _MigrationsOnFirstUse:
    """Stands in app.extensions["migrate"] until something reads it: then Flask-Migrate is
    set up for real (which replaces this entry) and answers."""

    def __init__(self, app: Flask, directory: str):
        self._app, self._directory = app, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        Migrate(self._app, db, directory=self._directory, **MIGRATE_OPTIONS)
        return getattr(self._app.extensions["migrate"], name)


class _MigrationCommands(click.Group):
    """`flask db`: Flask-Migrate's commands, imported when the command line asks for them."""

    @staticmethod
    def _commands() -> click.Group:
        from flask_migrate.cli import db as commands

        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)


@click.group(cls=_MigrationCommands, name="db")
@click.option("-d", "--directory", default=None, help="Migration script directory")
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments for env.py")
@with_appcontext
def migration_commands(directory, x_arg):
    """Perform database migrations (Flask-Migrate)."""
    g.directory = directory  # what flask_migrate.cli's own group does: its commands read them
    g.x_arg = x_arg

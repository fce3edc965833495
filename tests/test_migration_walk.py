"""Every migration goes down to an empty database and back up again, on SQLite and on
PostgreSQL: a release can always be rolled back (`flask db downgrade`)."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from config import TestConfig
from shop import create_app
from shop.extensions import db
from shop.payments.simulator.store import SIMULATOR_METADATA
from tests.databases import database_of_its_own


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own: the session's is in use by every other test."""
    with database_of_its_own(tmp_path, "walk") as url:
        yield url


def test_every_migration_goes_down_to_base_and_up_again(empty_database_url, tmp_path):
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=empty_database_url, MEDIA_DIR=str(tmp_path)
    )
    with app.app_context():
        upgrade()
        built = set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        # The simulator's tables are no migration's: the app made them at start (TestConfig
        # has the simulator on), so they stay.
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        left -= set(SIMULATOR_METADATA.tables)
        upgrade()
        rebuilt = set(inspect(db.engine).get_table_names())
        db.engine.dispose()

    assert left == set(), f"tables left after downgrading to base: {sorted(left)}"
    assert rebuilt == built and set(db.metadata.tables) <= rebuilt

"""A web worker loads only what serving pages needs: the heavy libraries of the back office,
the command line and the payment calls are imported where they are used (each worker's
memory is the issue: tens of MB per process)."""

from tests.new_worker import in_a_new_worker

# Imported on first use: Alembic (flask db), openpyxl (spreadsheets), Pillow (photo uploads
# and renditions), segno (QR codes), midtransclient and requests (calls to Midtrans), Huey
# and with it redis-py (the first task enqueued; redis-py also for rate limits in Redis: the
# page cache has its own client, tests/test_resp_client.py), limits (the first rate-limited
# POST).
LOADED_ON_FIRST_USE = (
    "alembic", "openpyxl", "PIL", "segno", "midtransclient", "requests", "huey", "redis",
    "limits",
)  # fmt: skip


def test_building_the_app_imports_none_of_the_libraries_loaded_on_first_use(tmp_path):
    program = (
        "import sys, wsgi; "
        f"print(' '.join(name for name in {LOADED_ON_FIRST_USE!r} if name in sys.modules))"
    )
    result = in_a_new_worker(program, tmp_path)
    assert result.stdout.split() == []


def test_building_the_app_imports_no_back_office_view_yet_exempts_its_webhook(tmp_path):
    """The back office's views (shop/lazy_views.py) load on the first request to one of
    their pages, the modules declaring tasks when the queue is built; Iris's notification is
    exempt from CSRF before its module has loaded."""
    program = (
        "import sys, wsgi\n"
        "from shop.extensions import csrf\n"
        "from shop.jobs.tasks import TASK_MODULES\n"
        "from shop.lazy_views import LAZY_MODULES\n"
        "loaded = [name for name in LAZY_MODULES + TASK_MODULES if name in sys.modules]\n"
        "print(' '.join(loaded) or '-')\n"
        "print('shop.payouts.iris_webhook.iris_notification' in csrf._exempt_views)\n"
        "print('coops.members' in wsgi.app.view_functions)\n"
    )
    result = in_a_new_worker(program, tmp_path)
    assert result.stdout.split("\n")[:3] == ["-", "True", "True"]


def test_flask_migrate_is_set_up_when_first_used(app):
    """upgrade() and the like (and `flask db`) find Flask-Migrate's settings on first use."""
    with app.app_context():
        settings = app.extensions["migrate"]
        assert {
            "render_as_batch": True,
            "compare_type": True,
        }.items() <= settings.configure_args.items()
        assert settings.directory.endswith("migrations")
        assert settings.db.metadata is not None


def test_the_queue_built_on_first_use_knows_every_task_and_schedule(app):
    """A consumer builds the queue on first use: every task declared before then is
    registered under its module's name, the periodic ones with their schedule, and the
    failure handler listens."""
    from datetime import datetime

    from shop.jobs import periodic
    from shop.jobs.failures import _on_task_error
    from shop.jobs.queue import huey
    from shop.notifications.tasks import deliver_notification

    registry = huey.instance()._registry
    assert "shop.notifications.tasks.deliver_notification" in registry._registry
    assert registry.string_to_task("shop.notifications.tasks.deliver_notification") is (
        deliver_notification.task_class
    )
    schedules = {type(task).__name__: task for task in registry.periodic_tasks}
    nightly = schedules["nightly_ledger_check"]
    assert nightly.validate_datetime(datetime(2026, 12, 4, 19, 0))
    assert not nightly.validate_datetime(datetime(2026, 12, 4, 19, 1))
    assert periodic.expire_unpaid_orders.task_class().validate_datetime(datetime(2026, 1, 1, 3, 20))
    assert _on_task_error in huey._signal.receivers["error"]


def test_an_anonymous_shoppers_pages_leave_the_mappers_unconfigured(tmp_path):
    """The storefront's own statements are built on the tables: configuring the mappers
    (~2 MB a worker) waits for the first page that loads model objects (a signed-in shopper,
    the cart, the back office)."""
    program = """
import importlib
from datetime import UTC, datetime

import wsgi
from flask_migrate import upgrade

from shop.accounts.models import User
from shop.coops.models import Cooperative, Membership
from shop.extensions import db

now = datetime(2026, 12, 4, tzinfo=UTC)
with wsgi.app.app_context():
    upgrade()
    with db.engine.begin() as connection:  # the migrations made the categories
        connection.execute(Cooperative.__table__.insert().values(
            id=1, name="Koperasi Maju", slug="maju", registration_number="1", city="Solo",
            province="Jawa Tengah", address="-", phone="-", whatsapp="-", description="-",
            fee_bp=500, is_active=True, created_at=now))
        connection.execute(User.__table__.insert().values(
            id=1, email="a@example.test", name="Ani", password_hash="-", login_id="a",
            is_operator=False, is_active=True, created_at=now))
        connection.execute(Membership.__table__.insert().values(
            id=1, user_id=1, cooperative_id=1, role="member", member_number="0001",
            business_name="Dapur Ani", story="-", whatsapp="-", bank_name="-",
            bank_account_number="-", bank_account_holder="-", is_active=True, joined_at=now))
client = wsgi.app.test_client()
paths = ("/", "/kategori/kuliner", "/koperasi/maju", "/koperasi/maju/umkm/0001", "/cari?q=batik")
print(*(client.get(path).status_code for path in paths))
mapper = importlib.import_module("sqlalchemy.orm.mapper")
pending = any(registry._new_mappers for registry in mapper._all_registries())
print("unconfigured" if pending else "configured")
"""
    result = in_a_new_worker(program, tmp_path)
    assert result.stdout.split("\n")[-3:-1] == ["200 200 200 200 200", "unconfigured"]


def test_building_the_app_imports_no_command_yet_each_runs_when_asked_for(tmp_path):
    """The command line's modules (and what they import: the ledger's checks, the Iris
    payouts, the demo seeding) load when their command is looked up, not in every worker;
    `flask --help` still lists them all."""
    program = (
        "import sys, wsgi\n"
        "from shop.cli_commands import CLI_COMMANDS\n"
        "modules = [path.split(':')[0] for path in CLI_COMMANDS.values()]\n"
        "print(' '.join(name for name in modules if name in sys.modules) or '-')\n"
        "print(set(CLI_COMMANDS) <= set(wsgi.app.cli.list_commands(None)))\n"
        "result = wsgi.app.test_cli_runner().invoke(args=['ledger', '--help'])\n"
        "print(result.exit_code, 'shop.ledger.cli' in sys.modules)\n"
    )
    result = in_a_new_worker(program, tmp_path)
    assert result.stdout.split("\n")[:3] == ["-", "True", "0 True"]


def test_building_the_app_imports_nothing_of_paying(tmp_path):
    """Starting a payment, its notification and the ledger's journal load with the first
    order placed or paid, not in every worker serving the storefront."""
    paying = ("shop.payments.attempts", "shop.payments.services", "shop.payments.gateway",
              "shop.payments.paying", "shop.ledger.journal")  # fmt: skip
    program = f"import sys, wsgi; print(' '.join(m for m in {paying!r} if m in sys.modules) or '-')"
    result = in_a_new_worker(program, tmp_path)
    assert result.stdout.split() == ["-"]

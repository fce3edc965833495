"""The queue's stand-in (shop/jobs/queue.py) builds the Huey instance on first use and runs
the declarations held until then; one that fails leaves no half-declared queue in use."""

import importlib
import sys
import threading
import time

import pytest
from huey import MemoryHuey

from shop.jobs.queue import HueyOnFirstUse


def test_a_failed_declaration_leaves_no_half_declared_queue():
    built = []

    def build():
        built.append(MemoryHuey("test", immediate=True))
        return built[-1]

    queue = HueyOnFirstUse(build)
    attempts = []

    def flaky(huey):
        attempts.append(huey)
        if len(attempts) == 1:
            raise RuntimeError("a bad schedule")

    queue.declare(flaky)

    with pytest.raises(RuntimeError):
        queue.instance()
    assert queue.instance() is built[1]  # built afresh, every declaration run on it
    assert attempts == built


def test_building_the_queue_while_another_thread_imports_a_task_module_does_not_hang(
    tmp_path, monkeypatch
):
    """A back-office page imports a module declaring a task (its import lock held, then our
    lock wanted) while a request queues a task (our lock held, then the module's import)."""
    queue = HueyOnFirstUse(lambda: MemoryHuey("test", immediate=True))
    module = "slow_declaring_tasks"
    (tmp_path / f"{module}.py").write_text(
        "import time\n"
        "from tests.jobs.test_queue_on_first_use import DECLARING\n"
        "time.sleep(0.3)\n"
        "DECLARING[0].declare(lambda huey: None)\n"
    )
    DECLARING[:] = [queue]
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("shop.jobs.tasks.TASK_MODULES", (module,))
    monkeypatch.delitem(sys.modules, module, raising=False)

    importing = threading.Thread(target=importlib.import_module, args=(module,), daemon=True)
    building = threading.Thread(target=queue.instance, daemon=True)
    importing.start()
    time.sleep(0.1)  # the import is under way, its lock held
    building.start()
    importing.join(timeout=5)
    building.join(timeout=5)

    assert not importing.is_alive() and not building.is_alive(), "the two threads hang"
    assert queue.instance() is not None


DECLARING: list = []

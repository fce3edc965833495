"""The queue's stand-in (shop/jobs/queue.py) builds the Huey instance on first use and runs
the declarations held until then; one that fails leaves no half-declared queue in use."""

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

"""Every test in this folder is a browser journey: marked slow, so `-m "not slow"` skips
them. The fixtures live in tests/browser/fixtures.py, shared with other folders."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(HERE) in str(item.fspath):
            item.add_marker(pytest.mark.slow)

"""The reports' November (tests/reports/conftest.py tells it): two members' orders on several
days, one settled a second before the month, a refund and payouts."""

from tests.reports.conftest import (  # noqa: F401  (fixtures)
    _receiver,
    books,
    midtrans,
    simulator_app,
)

"""The reports' worked example (November 2026 of Tani Makmur and Batik Lestari) serves the
dashboards too: each figure they show is held to it."""

from tests.payments.conftest import _receiver, simulator_app  # noqa: F401  (fixtures)
from tests.reports.conftest import books, midtrans  # noqa: F401  (fixtures)

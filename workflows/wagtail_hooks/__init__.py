"""The workflows' staff screens in the Wagtail admin, one module per queue (each registers its own viewset)."""

from . import activation, appeals, customer360, dashboard, grants, interval_acts, mailings, orders, reports  # noqa: F401

"""The workflows' staff screens in the Wagtail admin, one module per queue (each registers its own viewset)."""

from . import activation, appeals, grants, interval_acts, mailings, orders  # noqa: F401

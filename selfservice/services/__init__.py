"""Writes with rules for the portal, one module per feature: codes, registration, signin, recovery, profile, staff."""

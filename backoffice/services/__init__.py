"""Writes with rules for the system of record. Views, admin actions, tasks and commands call these."""

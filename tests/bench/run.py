"""Benchmarks (not timed tests): `make bench` runs them on PostgreSQL with seed_scale data.

Every module tests/bench/bench_*.py has a `run() -> dict` that returns figures as
{"name": {"value": …, "unit": …}}. Pages are measured in-process through the
whole Django stack and compared with a trivial view measured in the same run,
so ratios mean something on any machine. Results go to var/bench/results.json.
`python -m tests.bench.run home billing` runs only the named modules.
"""

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

import tests.bench  # noqa: E402
from tests.bench.harness import ROUNDS  # noqa: E402

RESULTS = Path(settings.BASE_DIR) / "var" / "bench" / "results.json"


def bench_modules(only: list[str]):
    """(name, run) of each bench_*.py module asked for, or of a bench a module names in its `BENCHES` dict
    (`run dashboard` runs bench_backoffice's dashboard alone)."""
    for module in sorted(pkgutil.iter_modules(tests.bench.__path__), key=lambda m: m.name):
        name = module.name.removeprefix("bench_")
        if not module.name.startswith("bench_"):
            continue
        if not only or name in only:
            yield name, importlib.import_module(f"tests.bench.{module.name}").run
        elif benches := getattr(importlib.import_module(f"tests.bench.{module.name}"), "BENCHES", {}):
            yield from ((bench, run) for bench, run in benches.items() if bench in only)


def main(only: list[str]) -> int:
    if connection.vendor != "postgresql" and not os.environ.get("BENCH_ALLOW_SQLITE"):
        print("Benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).", file=sys.stderr)
        return 2
    results = json.loads(RESULTS.read_text()) if only and RESULTS.exists() else {}
    results["dataset.users"] = {"value": get_user_model().objects.count(), "unit": "rows"}
    results["rounds"] = {"value": ROUNDS, "unit": "requests per page"}
    with override_settings(ROOT_URLCONF="tests.bench.urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for name, run in bench_modules(only):
            print(f"… {name}", flush=True)
            results.update(run())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    width = max(map(len, results))
    for name, result in results.items():
        print(f"{name:<{width}}  {result['value']} {result['unit']}")
    print(f"→ {RESULTS.relative_to(settings.BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

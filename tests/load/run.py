"""The load and fault test (issue 11): `make load`, or `python -m tests.load.run [options]`.

Everything runs on 127.0.0.1 with services of its own, so a fault never touches the machine's shared PostgreSQL
and Redis: a PostgreSQL cluster in var/load/pgdata (port 5433), a redis-server (6380, no persistence), an SMTP
sink recording every letter (8025), gunicorn with 4 workers on the production settings over TLS (8010), one
Celery worker for every queue and Celery beat. Phases (--phases, default "steps,steady,faults"):

  smoke   a short run with a few users, to try the script (make load LOAD_ARGS="--phases smoke")
  steps   the user count stepped up (--steps, --step-seconds) until the p95 is over 300 ms or a server error
          comes; the last step that passed is the level of the next two phases (or --users)
  steady  --steady-seconds (600) at that level
  faults  --fault-seconds (420) at that level with: Redis stopped for 60 s and started again, the Celery worker
          killed (SIGKILL) in the middle of a batch of PDF renders and a new one started, PostgreSQL restarted

After every phase the script waits for the queues to drain, then checks the database against what the load sent
(tests/load/db.py verify) and the letters in the sink against the outbox. Each run is a folder
var/load/<UTC time>/ with results.json, summary.md and, per phase, requests.jsonl, ledger.jsonl and the checks.

Data: the first run creates the cluster and its database, from --source-db (pg_dump of a seed_scale database, read
only) or, without one, by seed_scale with --seed-args; then tests/load/prepare.py. Later runs reuse it
(--fresh starts over). The whole run is bounded: every phase has its time and the drains a limit.
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.load import services as svc

DEFAULT_STEPS = "4,8,12,16,20,24,28,32"
SMOKE_SECONDS = 60


def db(*arguments) -> dict | list:
    result = subprocess.run(
        [svc.BIN / "python", "-m", "tests.load.db", *map(str, arguments)],
        env=svc.app_env(),
        cwd=svc.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"tests.load.db {arguments[0]} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def log(message: str) -> None:
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


# --- Setup ------------------------------------------------------------------------------------------------------


def setup(options) -> None:
    if options.fresh and svc.PGDATA.exists():
        svc.pg_stop()
        shutil.rmtree(svc.PGDATA)
        (svc.VAR / "world.json").unlink(missing_ok=True)
    svc.tls_init()
    svc.pg_init()
    svc.pg_start()
    if not svc.database_exists():
        if options.source_db:
            log(f"copying {options.source_db} into the load cluster (pg_dump / pg_restore)")
            svc.database_copy(options.source_db)
        else:
            log(f"no --source-db: seed_scale {' '.join(options.seed_args)} into the load cluster")
            svc.database_seed(options.seed_args)
        (svc.VAR / "world.json").unlink(missing_ok=True)
    svc.manage("migrate", "--noinput", "-v", "0", env=svc.offline_env())
    svc.manage("collectstatic", "--noinput", "-v", "0", env=svc.offline_env())
    world = svc.VAR / "world.json"
    if not world.exists() or len(json.loads(world.read_text())["customers"]) != options.customers:
        svc.run(
            [svc.BIN / "python", "-m", "tests.load.prepare", "--customers", options.customers],
            env=svc.offline_env(),
            cwd=svc.BASE_DIR,
        )


class Stack:
    """The running processes; each stopped by its own pid."""

    def __init__(self, run_dir: Path):
        self.redis = self.sink = self.web = self.worker = self.beat = None
        self.workers = 0
        self.mail = run_dir / "mail"  # the sink's letters of this run: mail/messages.jsonl

    def up(self) -> None:
        self.redis = svc.redis_process().start()
        self.sink = svc.sink_process(self.mail).start()
        svc.wait_port(svc.REDIS_PORT)
        svc.wait_port(svc.SMTP_PORT)
        self.web = svc.web_process().start()
        self.worker_start()
        self.beat = svc.beat_process().start()
        svc.wait_http(svc.WEB_URL + "/readyz")

    def worker_start(self) -> None:
        self.workers += 1
        self.worker = svc.worker_process(self.workers).start()

    def down(self) -> None:
        for process in (self.beat, self.worker, self.web, self.sink, self.redis):
            if process:
                process.stop()


# --- Load phases ------------------------------------------------------------------------------------------------


def locust(folder: Path, *, users: int, seconds: int, steps: str | None = None) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    sent = folder / "sent-meters.json"
    sent.write_text(json.dumps(db("sent-meters")))
    env = {
        **os.environ,
        "LOAD_WORLD": str(svc.VAR / "world.json"),
        "LOAD_OUT": str(folder),
        "LOAD_SENT": str(sent),
        "LOAD_HOST": svc.WEB_URL,
        "LOAD_CA": str(svc.TLS / "cert.pem"),
        "PYTHONPATH": str(svc.BASE_DIR),
    }
    if steps:
        env["LOAD_STEPS"] = steps
    command = [
        svc.BIN / "locust",
        "-f",
        svc.BASE_DIR / "tests" / "load" / "locustfile.py",
        "--headless",
        "--only-summary",
        "--csv",
        folder / "locust",
        "--stop-timeout",
        "15",
        "--exit-code-on-error",
        "0",
        "--loglevel",
        "WARNING",
    ]
    if not steps:
        command += ["-u", users, "-r", max(1, math.ceil(users / 10)), "-t", f"{seconds}s"]
    log(f"locust: {'steps ' + steps if steps else f'{users} users for {seconds} s'} → {folder}")
    out = open(folder / "locust.log", "ab")  # noqa: SIM115  the child's output
    return subprocess.Popen(
        [str(part) for part in command], env=env, cwd=svc.BASE_DIR, stdout=out, stderr=subprocess.STDOUT
    )


def drain(mark_file: Path, limit: int) -> dict:
    """Wait until the phase's letters are sent (the beat's outbox-flush picks up what a fault left behind), at most
    `limit` seconds. Payments a customer left on the bank's page stay «pending» by design and are only reported."""
    deadline = time.monotonic() + limit
    started = time.monotonic()
    while True:
        state = db("pending", mark_file)
        waiting = state["outbox_pending"]
        if not waiting or time.monotonic() > deadline:
            state["waited_seconds"] = round(time.monotonic() - started)
            state["waited_out"] = bool(waiting)
            return state
        time.sleep(10)


def broker_state() -> dict:
    """What the Redis broker still holds: messages in the queues, and those delivered to a worker but not acknowledged
    (kombu keeps them in the hash «unacked» until the visibility timeout, then delivers them again)."""

    def redis(*arguments):
        result = subprocess.run(
            ["redis-cli", "-h", svc.HOST, "-p", str(svc.REDIS_PORT), *arguments], capture_output=True, text=True
        )
        return result.stdout.strip()

    queues = {name: redis("llen", name) for name in ("default", "mail", "documents", "imports", "billing")}
    return {"queued": queues, "unacked": redis("hlen", "unacked")}


def requests_summary(folder: Path, faults: list[dict], grace: float) -> dict:
    rows = [json.loads(line) for line in (folder / "requests.jsonl").read_text().splitlines() if line.strip()]
    if not rows:
        return {"requests": 0}
    start, end = rows[0]["t"], rows[-1]["t"]
    durations = sorted(row["ms"] for row in rows)

    def pct(q):
        return durations[min(len(durations) - 1, int(q * len(durations)))]

    failed = [row for row in rows if row["s"] == 0 or row["s"] >= 400]
    windows = [(fault["start"], fault["end"] + grace, fault["name"]) for fault in faults]

    def during(row):
        return next((name for begin, finish, name in windows if begin <= row["t"] <= finish), None)

    expected = [row for row in failed if during(row)]
    unexpected = [row for row in failed if not during(row)]
    by_fault: dict[str, dict] = {}
    for row in expected:
        entry = by_fault.setdefault(during(row), {"count": 0, "first": row["t"], "last": row["t"], "statuses": {}})
        entry["count"] += 1
        entry["last"] = row["t"]
        entry["statuses"][str(row["s"])] = entry["statuses"].get(str(row["s"]), 0) + 1
    inside = {}
    for begin, finish, name in windows:
        window = sorted(row["ms"] for row in rows if begin <= row["t"] <= finish)
        inside[name] = {
            "from": _clock(begin),
            "to": _clock(finish),
            "requests": len(window),
            "p95_ms": _q(window, 0.95) if window else None,
            "max_ms": window[-1] if window else None,
        }
    names: dict[str, list[float]] = {}
    for row in rows:
        names.setdefault(f"{row['m']} {row['n']}", []).append(row["ms"])
    return {
        "requests": len(rows),
        "seconds": round(end - start, 1),
        "rps": round(len(rows) / max(end - start, 1), 2),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "failed": len(failed),
        "server_errors": sum(1 for row in rows if row["s"] >= 500),
        "failed_during_faults": by_fault,
        "during_faults": inside,
        "failed_outside_faults": [
            {"time": _clock(row["t"]), "request": f"{row['m']} {row['n']}", "status": row["s"], "error": row.get("e")}
            for row in unexpected
        ][:100],
        "failed_outside_faults_count": len(unexpected),
        "pages": {
            name: {"requests": len(values), "p50_ms": _q(values, 0.5), "p95_ms": _q(values, 0.95)}
            for name, values in sorted(names.items(), key=lambda item: -len(item[1]))
        },
    }


def _q(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _clock(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%H:%M:%S")


def phase(name: str, run_dir: Path, stack: Stack, options, *, users: int, seconds: int, steps=None) -> dict:
    folder = run_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    mark_file = folder / "marks.json"
    mark_file.write_text(json.dumps(db("marks")))
    faults: list[dict] = []
    process = locust(folder, users=users, seconds=seconds, steps=steps)
    if name == "faults":
        fault_thread = threading.Thread(target=inject_faults, args=(stack, folder, faults, options), daemon=True)
        fault_thread.start()
    limit = seconds + 120 if not steps else len(steps.split("@")[0].split(",")) * options.step_seconds + 120
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        process.wait(30)
    if name == "faults":
        fault_thread.join(timeout=300)
    log(f"{name}: load over, draining the queues")
    drained = drain(mark_file, options.drain_seconds)
    result = {
        "phase": name,
        "users": users,
        "load": requests_summary(folder, faults, options.fault_grace),
        "drain": drained,
        "checks": db("verify", mark_file, folder, stack.mail / "messages.jsonl"),
    }
    if steps and (folder / "steps.json").exists():
        result["steps"] = json.loads((folder / "steps.json").read_text())
    result["broker"] = broker_state()
    if faults:
        result["faults"] = faults
        batch = folder / "pdf-batch.json"
        if batch.exists():
            result["pdf_batch"] = db("pdf-status", batch)
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    log(f"{name}: {json.dumps(result['load'] | {'pages': '…'}, ensure_ascii=False)[:600]}")
    return result


# --- Faults -----------------------------------------------------------------------------------------------------


def inject_faults(stack: Stack, folder: Path, faults: list[dict], options) -> None:
    """The timeline of the faults phase; each fault's start and end are recorded for the failure accounting."""
    began = time.monotonic()

    def at(second):
        time.sleep(max(0.0, began + second - time.monotonic()))

    def record(name, start, **extra):
        faults.append({"name": name, "start": start, "end": time.time(), **extra})
        log(f"fault {name}: {extra}")

    try:
        at(options.fault_at[0])
        start = time.time()
        stack.redis.stop()  # SIGTERM, no persistence: the queue and the cache are gone
        time.sleep(options.redis_down)
        stack.redis = svc.redis_process().start()
        svc.wait_port(svc.REDIS_PORT)
        record("redis", start, down_seconds=options.redis_down)

        at(options.fault_at[1])
        batch = folder / "pdf-batch.json"
        start = time.time()
        cache = svc.VAR / "private" / "pdf-cache"
        before = sum(1 for _ in cache.rglob("*.pdf"))
        queued = db("pdf-batch", options.pdf_batch, batch)
        deadline = time.monotonic() + 120
        while sum(1 for _ in cache.rglob("*.pdf")) - before < queued["queued"] // 4 and time.monotonic() < deadline:
            time.sleep(0.5)  # a quarter of the batch is in the cache: the worker is in the middle of it
        status = db("pdf-status", batch)
        killed = stack.worker.pid
        stack.worker.signal(signal.SIGKILL)  # the worker and its pool processes, mid-render
        stack.worker.popen.wait(10)
        time.sleep(5)
        stack.worker_start()
        record("worker", start, queued=queued["queued"], rendered_before_kill=status["rendered"], killed_pid=killed)

        at(options.fault_at[2])
        start = time.time()
        svc.pg_restart()
        record("postgres", start)
    except Exception as error:  # a fault that could not be injected is reported, the run goes on
        faults.append({"name": "error", "start": time.time(), "end": time.time(), "error": repr(error)})
        log(f"fault injection failed: {error!r}")


# --- Report -----------------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        (int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line),
        0,
    )
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mb": memory, "python": platform.python_version()}


def summary_md(results: dict) -> str:
    lines = [f"# Load run {results['started']} UTC", "", f"Machine: {results['machine']}", ""]
    for result in results["phases"]:
        load = result["load"]
        lines += [
            f"## {result['phase']} ({result['users']} users)",
            "",
            f"- {load.get('requests', 0)} requests in {load.get('seconds')} s: {load.get('rps')} req/s, "
            f"p50 {load.get('p50_ms')} ms, p95 {load.get('p95_ms')} ms, p99 {load.get('p99_ms')} ms",
            f"- failed {load.get('failed')} (server errors {load.get('server_errors')}), outside faults "
            f"{load.get('failed_outside_faults_count')}",
        ]
        for step in result.get("steps", []):
            lines.append(
                f"  - step {step['users']} users: {step['rps']} req/s, p50 {step['p50_ms']} ms, p95 {step['p95_ms']} "
                f"ms, p99 {step['p99_ms']} ms, 5xx {step['server_errors']}, {'pass' if step['passed'] else 'FAIL'}"
            )
        for name, window in load.get("during_faults", {}).items():
            lines.append(
                f"  - {name} window {window['from']}–{window['to']}: {window['requests']} requests, "
                f"p95 {window['p95_ms']} ms, slowest {window['max_ms']} ms"
            )
        for name, fault in load.get("failed_during_faults", {}).items():
            lines.append(
                f"  - during {name}: {fault['count']} failed {fault['statuses']} "
                f"from {_clock(fault['first'])} to {_clock(fault['last'])}"
            )
        checks = result["checks"]
        lines += [
            f"- e-mail: {checks['email']['outbox_rows']} outbox rows, {checks['email']['letters_in_sink']} letters, "
            f"exactly once: {checks['email']['exactly_once']}",
            f"- payments: client paid {checks['payments']['client_paid']}, posted once "
            f"{checks['payments']['posted_once']}, ok: {checks['payments']['ok']}",
            f"- readings: {checks['readings']['registers']} registers sent, stored once "
            f"{checks['readings']['stored_once_with_value']}, ok: {checks['readings']['ok']}",
            f"- appeals: filed {checks['appeals']['client_filed']}, found {checks['appeals']['found']}",
        ]
        if "pdf_batch" in result:
            batch = result["pdf_batch"]
            lines.append(
                f"- PDF batch: {batch['rendered']} of {batch['documents']} rendered, missing {batch['missing']}"
            )
        for fault in result.get("faults", []):
            lines.append(f"- fault {fault['name']} at {_clock(fault['start'])}–{_clock(fault['end'])}")
        drained = result["drain"]
        lines.append(
            f"- after the load: {drained['outbox_pending']} letters pending "
            f"(waited {drained.get('waited_seconds')} s), "
            f"{drained['payments_pending']} payments left pending, {drained['notifications_undelivered']} sandbox "
            f"bank notifications undelivered; broker: queued {result['broker']['queued']}, "
            f"unacked {result['broker']['unacked']}"
        )
        lines += ["", "| request | n | p50 ms | p95 ms |", "|---|---|---|---|"]
        for name, page in list(load.get("pages", {}).items())[:40]:
            lines.append(f"| {name} | {page['requests']} | {page['p50_ms']} | {page['p95_ms']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phases", default="steps,steady,faults")
    parser.add_argument("--source-db", default=os.environ.get("LOAD_SOURCE_DB", ""))
    parser.add_argument(
        "--seed-args",
        default="--users 5000 --accounts 20000 --contracts 200 --access-contracts 5000 --appeals 20000",
        help="seed_scale's arguments when there is no --source-db",
    )
    parser.add_argument("--customers", type=int, default=3000, help="scale customers given a ЛС by prepare")
    parser.add_argument("--steps", default=DEFAULT_STEPS)
    parser.add_argument("--step-seconds", type=int, default=90)
    parser.add_argument("--users", type=int, default=0, help="the level of steady and faults (default: from steps)")
    parser.add_argument("--steady-seconds", type=int, default=600)
    parser.add_argument("--fault-seconds", type=int, default=420)
    parser.add_argument("--fault-at", default="60,160,280", help="seconds into the faults phase: redis,worker,pg")
    parser.add_argument("--redis-down", type=int, default=60)
    parser.add_argument("--pdf-batch", type=int, default=120)
    parser.add_argument("--fault-grace", type=float, default=30, help="seconds after a fault its failures count")
    parser.add_argument("--drain-seconds", type=int, default=240)
    parser.add_argument("--smoke-users", type=int, default=6)
    parser.add_argument("--fresh", action="store_true", help="drop the load cluster and build it again")
    parser.add_argument("--keep-up", action="store_true", help="leave the servers running (then: --down)")
    options = parser.parse_args(argv)
    options.seed_args = options.seed_args.split()
    options.fault_at = [int(second) for second in options.fault_at.split(",")]

    started = datetime.datetime.now(datetime.UTC)
    run_dir = svc.VAR / started.strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    results = {"started": started.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "options": vars(options)}
    results["phases"] = []
    stack = Stack(run_dir)
    try:
        setup(options)
        if options.phases == "setup":
            return 0
        results["data"] = {
            key: value for key, value in json.loads((svc.VAR / "world.json").read_text()).items() if key != "customers"
        }
        results["data"]["customers"] = options.customers
        results["data"]["rows"] = {
            table: svc.psql(f"SELECT count(*) FROM {table}")
            for table in ("selfservice_user", "backoffice_personalaccount", "backoffice_reading", "workflows_appeal")
        }
        stack.up()
        for path in ("/readyz", "/login/", "/admin/login/"):  # the workers import lazily: not in the figures
            svc.wait_http(svc.WEB_URL + path)
        users = options.users
        for name in options.phases.split(","):
            if name == "smoke":
                results["phases"].append(
                    phase("smoke", run_dir, stack, options, users=options.smoke_users, seconds=SMOKE_SECONDS)
                )
            elif name == "steps":
                steps = f"{options.steps}@{options.step_seconds}"
                result = phase("steps", run_dir, stack, options, users=0, seconds=0, steps=steps)
                results["phases"].append(result)
                passed = [step for step in result.get("steps", []) if step["passed"]]
                users = users or (passed[-1]["users"] if passed else int(options.steps.split(",")[0]))
                results["level"] = {"users": users, "step": passed[-1] if passed else None}
            elif name in ("steady", "faults"):
                seconds = options.steady_seconds if name == "steady" else options.fault_seconds
                results["phases"].append(phase(name, run_dir, stack, options, users=users or 10, seconds=seconds))
            (run_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    finally:
        if not options.keep_up:
            stack.down()
            svc.pg_stop()
        (run_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        if results["phases"]:
            (run_dir / "summary.md").write_text(summary_md(results))
        log(f"results: {run_dir.relative_to(svc.BASE_DIR)}/results.json, summary.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

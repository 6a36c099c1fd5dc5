"""The load test's own processes: a PostgreSQL cluster, a Redis, an SMTP sink, gunicorn, a Celery worker and beat.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379) except to read a source database with
pg_dump. Every process is started by this module, remembered by its pid and stopped by that pid.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
VAR = BASE_DIR / "var" / "load"
BIN = Path(sys.executable).parent
PG_BIN = Path(os.environ.get("LOAD_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_PORT = int(os.environ.get("LOAD_PG_PORT", "5433"))
REDIS_PORT = int(os.environ.get("LOAD_REDIS_PORT", "6380"))
SMTP_PORT = int(os.environ.get("LOAD_SMTP_PORT", "8025"))
WEB_PORT = int(os.environ.get("LOAD_WEB_PORT", "8010"))
DB_NAME = "energokabinet_load"
PGDATA = VAR / "pgdata"
RUN = VAR / "run"  # sockets, pid files
LOGS = VAR / "logs"
HOST = "127.0.0.1"
DATABASE_URL = f"postgres://postgres@{HOST}:{PG_PORT}/{DB_NAME}"
REDIS_URL = f"redis://{HOST}:{REDIS_PORT}/0"
WEB_URL = f"https://{HOST}:{WEB_PORT}"
TLS = VAR / "tls"  # a self-signed certificate: gunicorn terminates TLS where nginx would
SECRET_KEY = "load-test-only-" + "k7Qx2Vb9Lm4Rt8Wz1Pn6Hs3Jd5Fg0Ac" * 2  # invented, never a real deployment's


def app_env() -> dict:
    """The environment of the production settings (deploy/env.example), pointed at the load test's services."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": WEB_URL,
        "SITE_URL": WEB_URL,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "EMAIL_URL": f"smtp://{HOST}:{SMTP_PORT}",
        "DEFAULT_FROM_EMAIL": "Энергосбыт <noreply@load.energokabinet.example>",
        "SMS_URL": f"file://{VAR / 'sms'}",
        "PRIVATE_MEDIA_ROOT": str(VAR / "private"),
        "MEDIA_ROOT": str(VAR / "media"),
        # The load generator sends X-Forwarded-For as nginx does (one trusted proxy hop), so each virtual customer has
        # an address of its own for the rate limits; the sandbox bank's notifications trust the test certificate.
        "PROXY_COUNT": "1",
        "SSL_CERT_FILE": str(TLS / "cert.pem"),
        "ACQUIRING_PROVIDER": "sandbox",
        "ACQUIRING_SANDBOX_SECRET": "load-test-sandbox-" + "x" * 46,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
    }


def tls_init() -> None:
    if (TLS / "cert.pem").exists():
        return
    TLS.mkdir(parents=True, exist_ok=True)
    run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", f"/CN={HOST}"]
        + ["-addext", f"subjectAltName=IP:{HOST},DNS:localhost", "-keyout", TLS / "key.pem", "-out", TLS / "cert.pem"],
        capture_output=True,
    )


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(map(str, command)), flush=True)
    return subprocess.run([str(part) for part in command], check=True, **kwargs)


def manage(*arguments, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return run([BIN / "python", BASE_DIR / "manage.py", *arguments], env=env or app_env(), cwd=BASE_DIR, **kwargs)


# --- PostgreSQL -----------------------------------------------------------------------------------------------


def pg_init() -> None:
    for folder in (VAR, RUN, LOGS, VAR / "private", VAR / "media", VAR / "sms"):
        folder.mkdir(parents=True, exist_ok=True)
    if (PGDATA / "PG_VERSION").exists():
        return
    PGDATA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(PGDATA, "postgres", "postgres")
        shutil.chown(RUN, "postgres", "postgres")
        shutil.chown(LOGS, "postgres", "postgres")
        os.chmod(LOGS, 0o777)  # every process of the run logs here
    run(
        _as_postgres(
            [PG_BIN / "initdb", "-D", PGDATA, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]
        )
    )
    with open(PGDATA / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# tests/load: a small cluster of its own on a 2-core machine\n"
            f"port = {PG_PORT}\nlisten_addresses = '{HOST}'\nunix_socket_directories = '{RUN}'\n"
            "max_connections = 100\nshared_buffers = 256MB\nwork_mem = 16MB\n"
            "fsync = on\nsynchronous_commit = on\n"  # a restart must not lose what was acknowledged
        )


def pg_running() -> bool:
    return subprocess.run([PG_BIN / "pg_isready", "-h", HOST, "-p", str(PG_PORT)], capture_output=True).returncode == 0


def pg_start() -> None:
    if not pg_running():
        run(_as_postgres([PG_BIN / "pg_ctl", "-D", PGDATA, "-l", LOGS / "postgres.log", "-w", "-t", "120", "start"]))


def pg_stop(mode: str = "fast") -> None:
    if (PGDATA / "postmaster.pid").exists():
        run(_as_postgres([PG_BIN / "pg_ctl", "-D", PGDATA, "-m", mode, "-w", "-t", "120", "stop"]))


def pg_restart() -> None:
    run(_as_postgres([PG_BIN / "pg_ctl", "-D", PGDATA, "-l", LOGS / "postgres.log", "-m", "fast", "-w", "restart"]))


def psql(sql: str, database: str = DB_NAME) -> str:
    result = subprocess.run(
        ["psql", "-h", HOST, "-p", str(PG_PORT), "-U", "postgres", "-d", database, "-tAX", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def database_exists() -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'", database="postgres") == "1"


def database_copy(source_url: str) -> None:
    """pg_dump the source (read-only for it) and pg_restore into the load cluster, in parallel jobs."""
    dump = VAR / "source.dump"
    run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", source_url])
    run(["createdb", "-h", HOST, "-p", PG_PORT, "-U", "postgres", DB_NAME])
    run(["pg_restore", "-h", HOST, "-p", PG_PORT, "-U", "postgres", "-d", DB_NAME, "--no-owner", "--jobs=2", dump])
    dump.unlink()
    run(["psql", "-h", HOST, "-p", PG_PORT, "-U", "postgres", "-d", DB_NAME, "-qc", "VACUUM ANALYZE"])


def offline_env() -> dict:
    """For the setup commands: tasks inline and letters dropped, as nothing else is running yet."""
    return {**app_env(), "REDIS_URL": "", "EMAIL_URL": "dummymail://", "LOG_LEVEL": "WARNING"}


def database_seed(scale_args: list[str]) -> None:
    run(["createdb", "-h", HOST, "-p", PG_PORT, "-U", "postgres", DB_NAME])
    manage("migrate", "--noinput", "-v", "0", env=offline_env())
    manage("seed_scale", *scale_args, env=offline_env())


# --- Long-running processes -------------------------------------------------------------------------------------


class Process:
    """One child process with its log file; stopped by its own pid (its process group), never by name."""

    def __init__(self, name: str, command: list, env: dict | None = None):
        self.name, self.command, self.env = name, [str(part) for part in command], env or app_env()
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(LOGS / f"{self.name}.log", "ab")  # noqa: SIM115  kept open for the child's lifetime
        print(f"+ start {self.name}: {' '.join(self.command)}", flush=True)
        self.popen = subprocess.Popen(
            self.command, env=self.env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return bool(self.popen) and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 30) -> None:
        if not self.alive():
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(10)


def redis_process() -> Process:
    return Process(
        "redis",
        ["redis-server", "--port", REDIS_PORT, "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", RUN],
    )


def sink_process(out: Path) -> Process:
    return Process("smtp-sink", [BIN / "python", "-m", "tests.load.sink", "--port", SMTP_PORT, "--out", out])


def web_process() -> Process:
    return Process(
        "gunicorn",
        [
            BIN / "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"{HOST}:{WEB_PORT}",
            "--workers",
            os.environ.get("WEB_WORKERS", "4"),
            "--max-requests",
            "2000",
            "--max-requests-jitter",
            "200",
            "--timeout",
            "60",
            "--certfile",
            TLS / "cert.pem",
            "--keyfile",
            TLS / "key.pem",
            "--access-logfile",
            LOGS / "access.log",
            "--access-logformat",
            '%(t)s "%(r)s" %(s)s %(b)s %(M)sms',
        ],
    )


def worker_process(index: int = 1) -> Process:
    return Process(
        f"celery-worker-{index}",
        [
            BIN / "celery",
            "-A",
            "cms",
            "worker",
            "--queues",
            "default,mail,documents,imports,billing",
            "--concurrency",
            "2",
            "--max-tasks-per-child",
            "50",
            "--hostname",
            f"load{index}@%h",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
    )


def beat_process() -> Process:
    return Process(
        "celery-beat",
        [BIN / "celery", "-A", "cms", "beat", "--loglevel", "WARNING", "--schedule", RUN / "beat-schedule"],
    )


def wait_http(url: str, timeout: float = 90) -> None:
    import ssl

    context = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout} s")
        time.sleep(1)


def wait_port(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout} s") from None
            time.sleep(0.5)

"""The load: customers of the portal and clerks of the appeals desk, as browsers behind the production proxy.

Run by tests/load/run.py (`make load`), which starts the servers and passes, in the environment:
  LOAD_WORLD     var/load/world.json from tests/load/prepare.py (customers, their ЛС and meters, clerks)
  LOAD_OUT       the run's folder: requests.jsonl (every request), ledger.jsonl (what was sent), steps.json
  LOAD_SENT      a JSON list of meter ids that already have today's reading (one reading per meter per day)
  LOAD_STEPS     optional "10,20,30@90": step the user count up, 90 s a step, and stop after the first step whose
                 p95 is over LOAD_P95_MS (300) or that had a server error

Each virtual customer signs in as one seed_scale customer, does a handful of things with think time between them
(«Оплата», «История» and a document's PDF, «Показания», «Обращения», a card payment through the sandbox bank, a
document sent by e-mail, a new appeal), signs out and comes back as the next customer. A clerk signs in to the
Wagtail admin and works the queue: the list, an appeal's card, «Зарегистрировать», «В работу», an answer.

Requests go to https://127.0.0.1:<port> (gunicorn terminates TLS with a test certificate where nginx would) with the
X-Forwarded-For header nginx adds, an address per virtual user, as the rate limits of sign-in count by address.
"""

import datetime
import itertools
import json
import os
import random
import re
import threading
import time
from decimal import Decimal
from pathlib import Path

from locust import HttpUser, LoadTestShape, between, events, task
from locust.exception import StopUser

from tests.load.forms import form_with, forms_of

WORLD = json.loads(Path(os.environ.get("LOAD_WORLD", "var/load/world.json")).read_text())
OUT = Path(os.environ.get("LOAD_OUT", "var/load/dev"))
OUT.mkdir(parents=True, exist_ok=True)
SENT_METERS: set[int] = (
    set(json.loads(Path(os.environ["LOAD_SENT"]).read_text())) if os.environ.get("LOAD_SENT") else set()
)
P95_LIMIT_MS = float(os.environ.get("LOAD_P95_MS", "300"))
CARD = "4111 1111 1111 1111"  # the sandbox bank's card that pays (backoffice/acquiring/sandbox/cards.py)
ACS_CODE = "12345"  # its 3-D Secure code (backoffice/acquiring/sandbox/bank.py)
AMOUNT = Decimal("100.00")

_step_times: list[tuple[float, int, bool]] = []  # (ms, status, failed) of the step being measured
_lock = threading.Lock()  # gevent is cooperative, but the files are shared by every virtual user
_requests_file = (OUT / "requests.jsonl").open("a", encoding="utf-8")
_ledger_file = (OUT / "ledger.jsonl").open("a", encoding="utf-8")
_customers = itertools.cycle(random.Random(os.getpid()).sample(WORLD["customers"], len(WORLD["customers"])))
_addresses = itertools.count(1)


def ledger(kind: str, **fields) -> None:
    """What the load sent and the server confirmed: the checks compare the database with these lines."""
    with _lock:
        _ledger_file.write(json.dumps({"time": time.time(), "kind": kind, **fields}, ensure_ascii=False) + "\n")
        _ledger_file.flush()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    line = {"t": round(time.time(), 3), "m": request_type, "n": name, "ms": round(response_time, 1), "s": status}
    if exception:
        line["e"] = f"{type(exception).__name__}: {exception}"[:300]
    with _lock:
        _requests_file.write(json.dumps(line, ensure_ascii=False) + "\n")
    _step_times.append((response_time, status, bool(exception)))


@events.quit.add_listener
def _close(**kwargs):
    _requests_file.flush()
    _ledger_file.flush()


def _name(path: str) -> str:
    """Group requests by page: ids and tokens become N."""
    path = path.split("?")[0].replace(WORLD.get("site", ""), "")
    path = re.sub(r"/sbx_[\w-]+/", "/ORDER/", path)
    return re.sub(r"/\d+", "/N", path)


class Browser(HttpUser):
    abstract = True
    host = os.environ.get("LOAD_HOST", "https://127.0.0.1:8010")

    def on_start(self):
        number = next(_addresses)
        self.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        self.client.verify = os.environ.get("LOAD_CA", "var/load/tls/cert.pem")
        self.client.headers.update(
            {
                "X-Forwarded-For": self.address,
                "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) energokabinet-load/1.0",
                "Accept-Language": "ru",
            }
        )
        self.page_url = "/"

    def go(self, method: str, path: str, name: str | None = None, **kwargs):
        """One request and the redirects after it, each reported under its page's name; returns the last response.
        A status of 400 or more is a failure; so is a connection error (the response is then None)."""
        hops = 0
        url = path
        while True:
            headers = {"Referer": self.host + self.page_url, "Origin": self.host} if method == "POST" else {}
            with self.client.request(
                method,
                url,
                name=name if hops == 0 and name else _name(url),
                allow_redirects=False,
                catch_response=True,
                headers=headers,
                **kwargs,
            ) as response:
                if response.status_code == 0 or response.status_code >= 400:
                    response.failure(f"{response.status_code} {getattr(response, 'error', '') or ''}".strip())
                    return None
                response.success()
            if not response.is_redirect:
                self.page_url = url.replace(self.host, "")
                return response
            location = response.headers["Location"]
            url = re.sub(r"^https?://[^/]+", "", location)
            method, kwargs, hops = "GET", {}, hops + 1

    def get(self, path, name=None):
        return self.go("GET", path, name)

    def post(self, path, data, name=None):
        return self.go("POST", path, name, data=data)


class Customer(Browser):
    wait_time = between(2, 8)

    def on_start(self):
        super().on_start()
        self.customer = None
        self.sign_in()

    def sign_in(self):
        self.customer = next(_customers)
        # Then the customer signs out and another one comes: 10 to 25 things a visit (some 40 requests), as most
        # visits of a portal with «Запомнить меня» need no new sign-in, which costs a password hash (PBKDF2).
        self.actions = random.randint(10, 25)
        page = self.get("/login/", "/login/")
        form = page and form_with(page.text, field="username")
        if not form:
            return
        response = self.post(
            "/login/", form.data(username=self.customer["email"], password=WORLD["password"]), "/login/ POST"
        )
        if response is not None and "/login/" in response.url:
            ledger("signin_refused", email=self.customer["email"])

    def after(self):
        self.actions -= 1
        if self.actions <= 0:
            page = self.get("/", "/")
            form = page and form_with(page.text, action="/logout/")
            if form:
                self.post("/logout/", form.data(), "/logout/ POST")
            self.client.cookies.clear()
            self.sign_in()

    @task(3)
    def home(self):
        self.get("/", "/")
        self.after()

    @task(4)
    def payments(self):
        """«Оплата»: the ЛС and contracts with what is due, advances, the chart."""
        self.get("/payments/", "/payments/")
        self.after()

    @task(3)
    def documents(self):
        """«История» → documents, now and then a PDF or «Отправить на e-mail»."""
        page = self.get("/history/", "/history/")
        if page is not None:
            pdfs = re.findall(r'href="(/history/documents/\d+/pdf/)"', page.text)
            if pdfs and random.random() < 0.25:
                self.get(random.choice(pdfs), "/history/documents/N/pdf/")
            sends = re.findall(r'href="(/history/documents/(\d+)/send/)[^"]*"', page.text)
            if sends and random.random() < 0.15:
                self.send_document(*random.choice(sends))
        self.after()

    def send_document(self, path, document_id):
        form_page = self.get(path, "/history/documents/N/send/")
        form = form_page and form_with(form_page.text, field="email")
        if form and self.post(path, form.data(), "/history/documents/N/send/ POST") is not None:
            ledger("document_send", email=self.customer["email"], document=int(document_id))

    @task(2)
    def readings(self):
        """«Показания»: the page, and once a day per meter «Передать показания» with a plausible value."""
        page = self.get("/readings/", "/readings/")
        meters = [meter for meter in self.customer["meters"] if meter["id"] not in SENT_METERS]
        if page is None or not meters:
            self.after()
            return
        meter = meters[0]
        form = form_with(page.text, field=r"m\d+-\w+-\w+")
        if form is None or not all(name in form.names for name in meter["registers"]):
            self.after()
            return
        values = {
            name: f"{Decimal(last) + random.randint(3, 12) + Decimal('0.5'):.2f}".replace(".", ",")
            for name, last in meter["registers"].items()
        }
        SENT_METERS.add(meter["id"])  # before the POST: a second try would be refused as «once per date»
        response = self.post(
            "/readings/", form.data(button="action=submit", **values), "/readings/ POST «Передать показания»"
        )
        if response is not None and "Показания сохранены" in response.text:
            ledger(
                "reading",
                email=self.customer["email"],
                meter=meter["id"],
                values={name: value.replace(",", ".") for name, value in values.items()},
                date=datetime.date.today().isoformat(),
            )
        elif response is not None:
            ledger("reading_refused", email=self.customer["email"], meter=meter["id"])
        self.after()

    @task(2)
    def appeals(self):
        """«Обращения»: the list and one appeal's card."""
        page = self.get("/appeals/", "/appeals/")
        if page is not None:
            cards = re.findall(r'href="(/appeals/\d+/)"', page.text)
            if cards:
                self.get(random.choice(cards), "/appeals/N/")
        self.after()

    @task(1)
    def appeal_new(self):
        """A new appeal: «Техническая поддержка» → «Другой вопрос…», the text, «Отправить»."""
        page = self.get("/appeals/new/", "/appeals/new/")
        form = page and form_with(page.text, field="theme")
        if not form:
            return
        owner = next((o for o in form.options.get("owner", []) if o.startswith("account:")), "")
        step = self.post("/appeals/new/", form.data(owner=owner, theme="1", section="7"), "/appeals/new/ POST")
        if step is None or "/step/" not in step.url:
            return
        form = next((f for f in forms_of(step.text) if f.method == "post" and "text" in f.names), None)
        if not form:
            return
        text = f"Нагрузочный тест {self.customer['email']}: не открывается раздел «Показания», проверьте, пожалуйста."
        path = step.url.replace(self.host, "")
        card = self.post(path, form.data(text=text), "/appeals/N/step/N/ POST")
        if card is not None and re.search(r"/appeals/\d+/$", card.url):
            ledger("appeal", email=self.customer["email"], appeal=int(card.url.rstrip("/").rsplit("/", 1)[1]))
        self.after()

    @task(1)
    def pay(self):
        """A card payment of 100 ₽ on the ЛС through the sandbox bank and 3-D Secure, back to «Оплата проведена»."""
        path = f"/payments/account/{self.customer['account']}/"
        page = self.get(path + "?amount=100,00", "/payments/account/N/")
        form = page and form_with(page.text, field="agree")
        if not form:
            return
        bank = self.post(path, form.data(agree="on", amount="100,00", method="new"), "/payments/account/N/ POST")
        card = bank and form_with(bank.text, field="number")
        if not card:
            return
        year = str(datetime.date.today().year + 2)
        acs = self.post(
            bank.url.replace(self.host, ""),
            card.data(number=CARD, month="12", year=year, cvv="123", holder="CARD HOLDER"),
            "/sandbox-acquirer/pay/ORDER/ POST",
        )
        code = acs and form_with(acs.text, field="code")
        if not code:
            return
        result = self.post(
            acs.url.replace(self.host, ""), code.data(code=ACS_CODE), "/sandbox-acquirer/acs/ORDER/ POST"
        )
        match = result is not None and re.search(r"/payments/result/(\w+)/", result.url)
        if match:
            ledger(
                "payment",
                email=self.customer["email"],
                account=self.customer["account"],
                reference=match.group(1),
                amount=str(AMOUNT),
                shown="Оплата проведена" in result.text,
            )
        self.after()


class Clerk(Browser):
    """A clerk of the appeals desk (seed_scale's clerks) in the Wagtail admin: one at every user count (LOAD_CLERKS)."""

    fixed_count = int(os.environ.get("LOAD_CLERKS", "1"))
    wait_time = between(3, 10)
    _clerks = itertools.cycle(WORLD["clerks"])

    def on_start(self):
        super().on_start()
        page = self.get("/admin/login/", "/admin/login/")
        form = page and form_with(page.text, field="username")
        if not form:
            raise StopUser
        self.post(
            "/admin/login/", form.data(username=next(self._clerks), password=WORLD["password"]), "/admin/login/ POST"
        )

    @task(2)
    def queue(self):
        self.get(random.choice(["/admin/appeals/", "/admin/appeals/?state=new&ordering=due_at"]), "/admin/appeals/")

    @task(3)
    def work(self):
        """The oldest waiting appeals: take one of them a step further (register, start, answer)."""
        state = random.choice(["new", "registered", "in_progress"])
        page = self.get(f"/admin/appeals/?state={state}&ordering=due_at", "/admin/appeals/")
        ids = page and re.findall(r'href="/admin/appeals/inspect/(\d+)/"', page.text)
        if not ids:
            return
        appeal = random.choice(ids[:10])
        path = f"/admin/appeals/inspect/{appeal}/"
        card = self.get(path, "/admin/appeals/inspect/N/")
        if card is None:
            return
        forms = {dict(f.fields).get("action"): f for f in forms_of(card.text) if f.method == "post"}
        if "answer" in forms:
            form = forms["answer"]
            data = form.data(**{"answer-text": "Здравствуйте! Проверили, раздел работает. Нагрузочный тест."})
            action = "answer"
        elif "start" in forms:
            form, action = forms["start"], "start"
            data = form.data()
        elif "register" in forms:
            form, action = forms["register"], "register"
            data = form.data(**{"register-comment": ""})
        else:
            return
        response = self.post(path, data, f"/admin/appeals/inspect/N/ POST {action}")
        if response is not None:
            ledger("staff", appeal=int(appeal), action=action)


# --- Stepping the user count up ----------------------------------------------------------------------------------


def _p(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if os.environ.get("LOAD_STEPS"):

    class Steps(LoadTestShape):
        """LOAD_STEPS="10,20,30@90": each user count for 90 s (the first 15 s of a step are a warm-up and not
        counted); stop after the first step over the p95 limit or with a server error."""

        counts_text, _at, seconds_text = os.environ["LOAD_STEPS"].partition("@")
        counts = [int(count) for count in counts_text.split(",")]
        seconds = int(seconds_text or 90)
        warmup = 15

        def __init__(self):
            super().__init__()
            self.index, self.step_started, self.results = -1, None, []

        def _close_step(self, now):
            times = _step_times[:]
            _step_times.clear()
            measured = now - self.step_started - self.warmup
            durations = [ms for ms, _s, _e in times]
            result = {
                "users": self.counts[self.index],
                "seconds": round(measured, 1),
                "requests": len(times),
                "rps": round(len(times) / measured, 2) if measured > 0 else 0,
                "p50_ms": round(_p(durations, 0.50), 1),
                "p95_ms": round(_p(durations, 0.95), 1),
                "p99_ms": round(_p(durations, 0.99), 1),
                "server_errors": sum(1 for _ms, status, _e in times if status >= 500),
                "failures": sum(1 for _ms, status, error in times if error or status >= 400 or status == 0),
            }
            result["passed"] = result["p95_ms"] < P95_LIMIT_MS and result["server_errors"] == 0
            self.results.append(result)
            (OUT / "steps.json").write_text(json.dumps(self.results, indent=1))
            print("step", json.dumps(result), flush=True)
            return result

        def tick(self):
            now = self.get_run_time()
            if self.index == -1 or now - self.step_started >= self.seconds:
                if self.index >= 0 and not self._close_step(now)["passed"]:
                    return None
                self.index += 1
                if self.index >= len(self.counts):
                    return None
                self.step_started = now
                self._warm = False
            if not self._warm and now - self.step_started >= self.warmup:
                _step_times.clear()  # the warm-up's requests (users still arriving) are not counted
                self._warm = True
            return self.counts[self.index], 5

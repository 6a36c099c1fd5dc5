"""The HTTP SMS gateway (SMSC.ru's /sys/send.php, JSON answers) against a fake gateway on 127.0.0.1."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from backoffice.models import OutboxMessage
from backoffice.services.outbox import message_send, outbox_deliver
from backoffice.sms import SmsError, sms_backend, sms_send
from backoffice.sms_gateway import HttpGatewayBackend


class FakeGateway:
    """Answers like SMSC.ru: what to answer and how long to wait are set by the test; requests are kept."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer: dict | str = {"id": 4021, "cnt": 1}
        self.status = 200
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                gateway.requests.append({"path": self.path, "fields": {k: v[0] for k, v in parse_qs(body).items()}})
                time.sleep(gateway.delay)
                payload = gateway.answer if isinstance(gateway.answer, str) else json.dumps(gateway.answer)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(payload.encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://energo:s%40cret@127.0.0.1:{self.server.server_port}/sys/send.php?sender=Energo"


@pytest.fixture
def gateway():
    fake = FakeGateway()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_a_sent_sms_returns_the_gateway_id_and_posts_the_smsc_fields(gateway):
    message_id = HttpGatewayBackend(gateway.url).send(phone="+79001234567", text="Код подтверждения: 12345")
    assert message_id == "4021"
    [request] = gateway.requests
    assert request["path"] == "/sys/send.php"  # the credentials are not in the address
    assert request["fields"] == {
        "login": "energo",
        "psw": "s@cret",
        "phones": "+79001234567",
        "mes": "Код подтверждения: 12345",
        "sender": "Energo",
        "fmt": "3",
        "charset": "utf-8",
    }


def test_sms_url_chooses_the_gateway(gateway, settings):
    settings.SMS_URL = gateway.url
    assert isinstance(sms_backend(), HttpGatewayBackend)
    assert sms_send(phone="+79001234567", text="Привет") == "4021"


def test_a_refusal_raises_with_the_gateways_reason(gateway):
    gateway.answer = {"error": "authorise error", "error_code": 2}
    with pytest.raises(SmsError, match=r"код 2\): authorise error"):
        HttpGatewayBackend(gateway.url).send(phone="+79001234567", text="Код")


def test_an_http_error_raises(gateway):
    gateway.status, gateway.answer = 502, "Bad gateway"
    with pytest.raises(SmsError, match="HTTP 502"):
        HttpGatewayBackend(gateway.url).send(phone="+79001234567", text="Код")


def test_an_answer_that_is_not_json_raises(gateway):
    gateway.answer = "OK - 1 SMS, ID - 4021"
    with pytest.raises(SmsError, match="не в формате JSON"):
        HttpGatewayBackend(gateway.url).send(phone="+79001234567", text="Код")


def test_a_gateway_that_does_not_answer_in_time_raises(gateway):
    gateway.delay = 1.0
    with pytest.raises(SmsError, match="недоступен"):
        HttpGatewayBackend(gateway.url, timeout=0.2).send(phone="+79001234567", text="Код")


def test_a_gateway_that_is_down_raises(gateway):
    url = gateway.url
    gateway.server.shutdown()
    gateway.server.server_close()
    with pytest.raises(SmsError, match="недоступен"):
        HttpGatewayBackend(url).send(phone="+79001234567", text="Код")


def test_a_url_without_credentials_is_refused():
    with pytest.raises(SmsError, match="логин и пароль"):
        HttpGatewayBackend("https://smsc.ru/sys/send.php").send(phone="+79001234567", text="Код")


@pytest.mark.django_db(transaction=True)
def test_through_the_outbox_a_refused_sms_stays_pending_with_the_reason(gateway, settings):
    settings.SMS_URL = gateway.url
    gateway.answer = {"error": "not enough money", "error_code": 3}
    message = message_send(to="+79001234567", channel="sms", template="phone_code", context={"code": "12345"})
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert "not enough money" in message.last_error
    assert gateway.requests[0]["fields"]["mes"].startswith("Код подтверждения: 12345.")

    gateway.answer = {"id": 4022, "cnt": 1}
    assert outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT

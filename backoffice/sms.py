"""Sending an SMS: one small interface, the backend chosen by the SMS_URL setting.

- ``console://`` (the default) prints the message, as the console e-mail backend does;
- ``file:///path/to/dir`` appends it to ``sms.log`` in that directory (handy for tests and demos);
- ``http://…`` or ``https://…`` posts it to an HTTP SMS gateway (see ``HttpGatewayBackend``).
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway refused or could not be reached; the outbox retries."""


@dataclass
class ConsoleBackend:
    url: str

    def send(self, *, phone: str, text: str) -> str:
        sys.stdout.write(f"SMS → {phone}: {text}\n")
        sys.stdout.flush()
        return ""


@dataclass
class FileBackend:
    url: str

    def send(self, *, phone: str, text: str) -> str:
        directory = Path(urlsplit(self.url).path)
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / "sms.log").open("a", encoding="utf-8") as log:
            log.write(json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False))
            log.write("\n")
        return ""


BACKENDS = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": "backoffice.sms_gateway.HttpGatewayBackend",
    "https": "backoffice.sms_gateway.HttpGatewayBackend",
}


def sms_backend():
    url = settings.SMS_URL
    backend = BACKENDS.get(urlsplit(url).scheme)
    if backend is None:
        raise SmsError(f"Неизвестный способ отправки SMS: {urlsplit(url).scheme!r}")
    if isinstance(backend, str):
        backend = import_string(backend)
    return backend(url)


def sms_send(*, phone: str, text: str) -> str:
    """Send one SMS; return the gateway's message id (empty for local backends); raise SmsError on failure."""
    return sms_backend().send(phone=phone, text=text)

"""The real SMS gateway: SMSC.ru's HTTP API (``/sys/send.php``), used by many Russian retailers and banks.

Configured by one URL, the way e-mail is::

    SMS_URL=https://LOGIN:PASSWORD@smsc.ru/sys/send.php?sender=Energo

The login and password travel in the POST body (never in a logged query string); every query parameter of the
URL (``sender``, ``translit``, ``tinyurl``…) is passed on as it is. We ask for JSON (``fmt=3``) in UTF-8:
a success is ``{"id": 123, "cnt": 1}``, a refusal ``{"error": "…", "error_code": N}`` (2 — wrong login or
password, 3 — no money, 6 — message forbidden, 7 — bad number, 8 — cannot deliver, 9 — duplicate). Any refusal,
an HTTP error, a timeout or a network error raises ``SmsError`` with the reason, and the outbox retries.
SMSC.ru's mirror (``www2.smsc.ru``) and compatible resellers work with the same URL scheme.
"""

import json
from dataclasses import dataclass
from http.client import HTTPException
from urllib.error import HTTPError
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from .sms import SmsError


@dataclass
class HttpGatewayBackend:
    url: str
    timeout: float = 10.0  # seconds; the outbox retries later rather than holding a worker

    def _endpoint_and_fields(self) -> tuple[str, dict]:
        parts = urlsplit(self.url)
        if not parts.username or parts.password is None:
            raise SmsError("SMS_URL: укажите логин и пароль шлюза: https://LOGIN:PASSWORD@smsc.ru/sys/send.php")
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        endpoint = urlunsplit((parts.scheme, host, parts.path or "/sys/send.php", "", ""))
        fields = dict(parse_qsl(parts.query))
        fields.update(login=unquote(parts.username), psw=unquote(parts.password), fmt="3", charset="utf-8")
        return endpoint, fields

    def _post(self, endpoint: str, fields: dict) -> dict:
        request = Request(
            endpoint,
            data=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except HTTPError as error:
            raise SmsError(f"Шлюз SMS ответил HTTP {error.code}: {error.reason}") from error
        except (OSError, HTTPException) as error:  # refused, timed out, cut off
            reason = getattr(error, "reason", error)
            raise SmsError(f"Шлюз SMS недоступен: {reason}") from error
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise SmsError(f"Шлюз SMS ответил не в формате JSON: {body[:200]!r}") from error

    def send(self, *, phone: str, text: str) -> str:
        """Send one SMS; return SMSC's message id, or raise SmsError with the gateway's reason."""
        endpoint, fields = self._endpoint_and_fields()
        answer = self._post(endpoint, {**fields, "phones": phone, "mes": text})
        if not isinstance(answer, dict) or "error" in answer or "id" not in answer:
            details = answer if isinstance(answer, dict) else {"error": answer}
            raise SmsError(f"Шлюз SMS отказал (код {details.get('error_code', '?')}): {details.get('error', answer)}")
        return str(answer["id"])

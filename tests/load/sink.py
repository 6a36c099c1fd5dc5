"""An SMTP sink for the load test: accepts every letter and appends one JSON line per letter to <out>/messages.jsonl.

`python -m tests.load.sink --port 8025 --out var/load/mail`. The line keeps the outbox id (header X-Outbox-Id),
the recipients, the subject and the time, so the checks can count each outbox row's deliveries.
"""

import argparse
import asyncio
import json
import signal
import time
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, path: Path):
        self.path = path
        self.file = path.open("a", encoding="utf-8")

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        record = {
            "time": time.time(),
            "outbox_id": message.get("X-Outbox-Id"),
            "message_id": message.get("Message-ID"),
            "to": list(envelope.rcpt_tos),
            "subject": str(message.get("Subject", "")),
            "attachments": [part.get_filename() for part in message.iter_attachments()],
        }
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.file.flush()
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    controller = Controller(Recorder(options.out / "messages.jsonl"), hostname="127.0.0.1", port=options.port)
    controller.start()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()

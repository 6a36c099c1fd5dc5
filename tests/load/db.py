"""The load test's look into its own database (the load cluster), for tests/load/run.py. Prints JSON.

python -m tests.load.db marks                  the highest ids now, so a phase counts only its own rows
python -m tests.load.db sent-meters            meters that already have today's reading
python -m tests.load.db pdf-batch N FILE       queue N document PDF renders (documents nobody in the load uses and
                                               not cached yet) on the «documents» queue; their ids go to FILE
python -m tests.load.db pdf-status FILE        which of them have their PDF in the cache now
python -m tests.load.db pending MARKS          outbox rows of the phase still waiting, and sandbox notifications
python -m tests.load.db verify MARKS DIR       the checks: DIR/ledger.jsonl and DIR/../mail against the database
"""

import json
import os
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

import django

django.setup()

from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from backoffice.models import (  # noqa: E402
    Document,
    OutboxMessage,
    Payment,
    Reading,
    SandboxNotification,
)
from backoffice.pdf import cache as pdf_cache  # noqa: E402
from backoffice.pdf.render import document_template_and_data  # noqa: E402
from backoffice.pdf.tasks import document_render_pdf_task  # noqa: E402
from selfservice.forms.readings import input_name  # noqa: E402
from workflows.models import Appeal  # noqa: E402

WORLD = Path(os.environ.get("LOAD_WORLD", "var/load/world.json"))
MODELS = {"outbox": OutboxMessage, "payment": Payment, "reading": Reading, "appeal": Appeal, "document": Document}


def marks() -> dict:
    found = {name: model.objects.aggregate(top=Max("pk"))["top"] or 0 for name, model in MODELS.items()}
    found["notification"] = SandboxNotification.objects.aggregate(top=Max("pk"))["top"] or 0
    found["time"] = timezone.now().isoformat()
    return found


def sent_meters() -> list[int]:
    today = timezone.localdate()
    return sorted(set(Reading.objects.filter(taken_on=today).values_list("meter_id", flat=True)))


def _pdf_path(document: Document) -> Path:
    """Where document_render_pdf caches this document's PDF (the same key, computed without rendering)."""
    template_name, data = document_template_and_data(document)
    return pdf_cache.pdf_cache_path(pdf_cache.pdf_cache_key(template_name=template_name, data=data))


def _documents(ids):
    return Document.objects.select_related("account__customer", "contract__customer").filter(pk__in=ids)


def pdf_batch(count: int, out: Path) -> dict:
    world = json.loads(WORLD.read_text())
    used = {customer["account"] for customer in world["customers"]}
    chosen = []
    candidates = (
        Document.objects.select_related("account__customer", "contract__customer")
        .filter(account__isnull=False)
        .exclude(account__number__in=used)
        .order_by("-pk")
    )
    for document in candidates.iterator(chunk_size=500):
        if not _pdf_path(document).exists():
            chosen.append(document.pk)
            if len(chosen) == count:
                break
    tasks = {pk: document_render_pdf_task.delay(pk).id for pk in chosen}
    out.write_text(json.dumps({"documents": chosen, "tasks": tasks}))
    return {"queued": len(chosen)}


def pdf_status(batch: Path) -> dict:
    ids = json.loads(batch.read_text())["documents"]
    rendered = [document.pk for document in _documents(ids) if _pdf_path(document).exists()]
    return {"documents": len(ids), "rendered": len(rendered), "missing": sorted(set(ids) - set(rendered))}


def pending(mark: dict) -> dict:
    return {
        "outbox_pending": OutboxMessage.objects.filter(
            pk__gt=mark["outbox"], status=OutboxMessage.Status.PENDING
        ).count(),
        "notifications_undelivered": SandboxNotification.objects.filter(
            pk__gt=mark["notification"], delivered_at__isnull=True
        ).count(),
        "payments_pending": Payment.objects.filter(pk__gt=mark["payment"], status="pending").count(),
    }


def _ledger(folder: Path) -> dict[str, list[dict]]:
    kinds: dict[str, list[dict]] = {}
    path = folder / "ledger.jsonl"
    for line in path.read_text().splitlines() if path.exists() else []:
        entry = json.loads(line)
        kinds.setdefault(entry["kind"], []).append(entry)
    return kinds


def _mail(mail_file: Path, mark: dict) -> Counter:
    counts: Counter = Counter()
    for line in mail_file.read_text().splitlines() if mail_file.exists() else []:
        outbox_id = json.loads(line).get("outbox_id")
        if outbox_id and int(outbox_id) > mark["outbox"]:
            counts[int(outbox_id)] += 1
    return counts


def verify(mark: dict, folder: Path, mail_file: Path) -> dict:
    sent = _ledger(folder)
    result = {}

    # E-mails: every outbox row of the phase against the sink's letters with its X-Outbox-Id.
    rows = dict(OutboxMessage.objects.filter(pk__gt=mark["outbox"], channel="email").values_list("pk", "status"))
    letters = _mail(mail_file, mark)
    sent_rows = [pk for pk, status in rows.items() if status == OutboxMessage.Status.SENT]
    result["email"] = {
        "outbox_rows": len(rows),
        "by_status": dict(Counter(rows.values())),
        "letters_in_sink": sum(letters.values()),
        "delivered_once": sum(1 for pk in sent_rows if letters[pk] == 1),
        "delivered_twice_or_more": {pk: letters[pk] for pk in rows if letters[pk] > 1},
        "sent_but_not_in_sink": [pk for pk in sent_rows if letters[pk] == 0],
        "in_sink_but_not_sent": [pk for pk in rows if letters[pk] and rows[pk] != OutboxMessage.Status.SENT],
        "not_delivered": [pk for pk, status in rows.items() if status != OutboxMessage.Status.SENT],
    }
    result["email"]["exactly_once"] = (
        result["email"]["delivered_once"] == len(rows) and not result["email"]["delivered_twice_or_more"]
    )

    # Payments: every payment the client saw paid is posted once with its amount; nothing else is doubled.
    paid = sent.get("payment", [])
    by_number = {}
    for payment in Payment.objects.filter(number__in=[entry["reference"] for entry in paid]):
        by_number.setdefault(payment.number, []).append(payment)
    phase = Payment.objects.filter(pk__gt=mark["payment"], channel="portal")
    provider_ids = Counter(phase.exclude(provider_id=None).values_list("provider_id", flat=True))
    result["payments"] = {
        "client_paid": len(paid),
        "posted_once": sum(
            1
            for entry in paid
            if len(by_number.get(entry["reference"], [])) == 1
            and by_number[entry["reference"]][0].status == "posted"
            and by_number[entry["reference"]][0].amount == Decimal(entry["amount"])
        ),
        "missing_or_not_posted": [
            entry["reference"]
            for entry in paid
            if len(by_number.get(entry["reference"], [])) != 1 or by_number[entry["reference"]][0].status != "posted"
        ],
        "phase_payments_by_status": dict(Counter(phase.values_list("status", flat=True))),
        "posted_amount": str(sum(phase.filter(status="posted").values_list("amount", flat=True), Decimal(0))),
        "client_amount": str(sum((Decimal(entry["amount"]) for entry in paid), Decimal(0))),
        "provider_id_twice": [key for key, count in provider_ids.items() if count > 1],
    }
    result["payments"]["ok"] = (
        result["payments"]["posted_once"] == len(paid) and not result["payments"]["provider_id_twice"]
    )

    # Readings: every reading the client saw saved is stored once with its values; none stored twice.
    today = timezone.localdate()
    stored: dict[tuple[str, int], list[Decimal]] = {}
    for reading in Reading.objects.filter(pk__gt=mark["reading"], taken_on=today):
        name = input_name(reading.meter_id, reading.quantity, reading.zone)
        stored.setdefault((name, reading.meter_id), []).append(reading.value)
    readings = sent.get("reading", [])
    registers = [
        (name, entry["meter"], Decimal(value)) for entry in readings for name, value in entry["values"].items()
    ]
    result["readings"] = {
        "client_saved": len(readings),
        "registers": len(registers),
        "stored_once_with_value": sum(1 for name, meter, value in registers if stored.get((name, meter)) == [value]),
        "missing_or_different": [
            [meter, name] for name, meter, value in registers if stored.get((name, meter)) != [value]
        ][:50],
        "stored_registers": sum(len(values) for values in stored.values()),
        "stored_twice": [list(key) for key, values in stored.items() if len(values) > 1],
        "refused_by_form": len(sent.get("reading_refused", [])),
    }
    result["readings"]["ok"] = (
        result["readings"]["stored_once_with_value"] == len(registers) and not result["readings"]["stored_twice"]
    )

    # Appeals: every appeal the client saw filed exists, once.
    filed = [entry["appeal"] for entry in sent.get("appeal", [])]
    existing = set(Appeal.objects.filter(pk__in=filed).exclude(state="draft").values_list("pk", flat=True))
    result["appeals"] = {
        "client_filed": len(filed),
        "found": len(existing),
        "missing": sorted(set(filed) - existing),
        "phase_appeals": Appeal.objects.filter(pk__gt=mark["appeal"]).count(),
        "staff_steps": dict(Counter(entry["action"] for entry in sent.get("staff", []))),
    }
    result["appeals"]["ok"] = len(existing) == len(set(filed))
    result["documents_sent_by_email"] = len(sent.get("document_send", []))
    result["signin_refused"] = len(sent.get("signin_refused", []))
    return result


def main(argv: list[str]) -> None:
    command, *rest = argv
    if command == "marks":
        output = marks()
    elif command == "sent-meters":
        output = sent_meters()
    elif command == "pdf-batch":
        output = pdf_batch(int(rest[0]), Path(rest[1]))
    elif command == "pdf-status":
        output = pdf_status(Path(rest[0]))
    elif command == "pending":
        output = pending(json.loads(Path(rest[0]).read_text()))
    elif command == "verify":
        folder = Path(rest[1])
        output = verify(json.loads(Path(rest[0]).read_text()), folder, Path(rest[2]))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(output, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)

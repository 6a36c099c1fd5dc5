"""Payment QR codes of ГОСТ Р 56042-2014: the payload any Russian bank app reads, and its image."""

import base64
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import qrcode
import qrcode.constants
from PIL import Image

# «ST» + format version «0001» + character set «2», which the standard assigns to UTF-8.
PAYLOAD_HEADER = "ST00012"
SEPARATOR = "|"
# The standard's length limits for the fields we fill that a long real-world value could exceed.
MAX_LENGTH = {"Name": 160, "BankName": 45, "Purpose": 210}
# 8 px per module: a version 17 code is 744 px wide, sharper than a 600 dpi print of 36 mm needs.
MODULE_PX = 8


def field_value(name: str, value) -> str:
    """A value as the standard allows it: one line, no separator, within the field's length."""
    text = re.sub(r"\s+", " ", str(value).replace(SEPARATOR, " ")).strip()
    return text[: MAX_LENGTH.get(name, len(text))]


def kopecks(amount) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def payment_payload(
    *, supplier: dict, amount, purpose: str, account_number: str, payer: dict[str, str], payer_address: str
) -> str:
    """The ГОСТ Р 56042-2014 string for paying the supplier; Sum (kopecks) only when something is due.

    The order of the fields is the standard's: the mandatory block (Name … CorrespAcc), then the
    additional ones. Empty values are left out, because a bank app shows an empty field as an error.
    """
    fields = {
        "Name": supplier["full_name"],
        "PersonalAcc": supplier["bank_account"],
        "BankName": supplier["bank_name"],
        "BIC": supplier["bik"],
        "CorrespAcc": supplier["correspondent_account"],
        "PayeeINN": supplier["inn"],
        "KPP": supplier["kpp"],
        "Sum": kopecks(amount) if amount and Decimal(str(amount)) > 0 else "",
        "Purpose": purpose,
        "PersAcc": account_number,
        "LastName": payer.get("last_name", ""),
        "FirstName": payer.get("first_name", ""),
        "MiddleName": payer.get("middle_name", ""),
        "PayerAddress": payer_address,
    }
    cleaned = {name: field_value(name, value) for name, value in fields.items()}
    return SEPARATOR.join([PAYLOAD_HEADER, *(f"{name}={value}" for name, value in cleaned.items() if value)])


def qr_matrix(payload: str) -> list[list[bool]]:
    """The modules of the QR code (error correction M, the usual for printed receipts), quiet zone included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload.encode("utf-8"))  # bytes: the ST00012 header promises UTF-8
    code.make(fit=True)
    return code.get_matrix()


def qr_png(payload: str, *, module_px: int = MODULE_PX) -> bytes:
    """The QR code as a small black-and-white PNG, `module_px` pixels per module.

    A raster image costs WeasyPrint next to nothing to embed, where an SVG path of a thousand
    squares took a third of a receipt's render time. Drawn with nearest-neighbour scaling
    (CSS image-rendering: pixelated), its edges stay sharp on screen and on paper.
    """
    matrix = qr_matrix(payload)
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


def qr_data_uri(payload: str) -> str:
    """The QR code as an <img src> that needs no file and no network."""
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode()

"""Pounds and pence, VAT and text checks: integer arithmetic only, never floats."""

import re

from ep_events.core.errors import DomainError

# The most anything may cost or be paid in one go: £1,000,000. Bounds the arithmetic and the columns.
MAX_PENCE = 100_000_000
MAX_QUANTITY = 1000
BASIS_POINTS = 10_000  # 100%

# "150", "150.5", "150.50", "£1,500.00": ASCII digits, commas between thousands, at most two decimals.
_POUNDS = re.compile(r"£?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")
_PERCENT = re.compile(r"([0-9]{1,3})(?:\.([0-9]{1,2}))?\s*%?")
# C0 and C1 control characters, DEL, and lone surrogates; a multi-line field allows line breaks and tabs.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def parse_pounds(text: str | int, field: str = "amount") -> int:
    """An amount typed in pounds ("150.00") as integer pence; a whole number of pence passes through.

    Fractions of a penny, negative amounts, other digits and amounts over the maximum are refused.
    """
    if isinstance(text, bool):
        raise DomainError("Enter an amount in pounds and pence, like 150.00", field=field)
    if isinstance(text, int):
        pence = text
    else:
        match = _POUNDS.fullmatch((text or "").strip())
        if not match:
            if re.fullmatch(r"£?\s*[0-9,]+\.[0-9]{3,}", (text or "").strip()):
                raise DomainError("Enter an amount in whole pence, with no more than 2 decimal places", field=field)
            raise DomainError("Enter an amount in pounds and pence, like 150.00", field=field)
        pounds, decimals = match.group(1).replace(",", ""), (match.group(2) or "").ljust(2, "0")
        if len(pounds.lstrip("0")) > len(str(MAX_PENCE)):
            # Far over the maximum; and Python refuses to read an int of more than 4,300 digits.
            raise DomainError("Enter an amount of £1,000,000.00 or less", field=field)
        pence = int(pounds) * 100 + int(decimals)
    if pence < 0:
        raise DomainError("Enter an amount that is not negative", field=field)
    if pence > MAX_PENCE:
        raise DomainError("Enter an amount of £1,000,000.00 or less", field=field)
    return pence


def format_pounds(pence: int) -> str:
    """'£1,500.00'; a credit shows as '-£150.00'."""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def parse_vat_rate(text: str | int, field: str = "rate") -> int:
    """A VAT rate typed as a percentage ("17.5" or "20%") as basis points; an int is already basis points."""
    if isinstance(text, bool):
        raise DomainError("Enter the VAT rate as a percentage, like 20", field=field)
    if isinstance(text, int):
        basis_points = text
    else:
        match = _PERCENT.fullmatch((text or "").strip())
        if not match:
            raise DomainError("Enter the VAT rate as a percentage with up to 2 decimal places, like 17.5",
                              field=field)
        basis_points = int(match.group(1)) * 100 + int((match.group(2) or "").ljust(2, "0"))
    if not 0 <= basis_points <= BASIS_POINTS:
        raise DomainError("Enter a VAT rate from 0 to 100%", field=field)
    return basis_points


def format_rate(basis_points: int) -> str:
    """'20%', '17.5%', '0%'."""
    whole, rest = divmod(basis_points, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def vat_on(net_pence: int, basis_points: int) -> int:
    """VAT on a line's net amount, rounded half-up to the penny (HMRC allows rounding per line)."""
    if net_pence < 0:
        raise ValueError("VAT is worked out on a line's amount before any credit")
    pence, remainder = divmod(net_pence * basis_points, BASIS_POINTS)
    return pence + (1 if 2 * remainder >= BASIS_POINTS else 0)


def line_figures(quantity: int, unit_price_pence: int, basis_points: int) -> dict:
    """Every figure a line stores: net, VAT (half-up, on this line alone) and their total."""
    net = quantity * unit_price_pence
    vat = vat_on(net, basis_points)
    return {"quantity": quantity, "unit_price_pence": unit_price_pence, "vat_basis_points": basis_points,
            "net_pence": net, "vat_pence": vat, "line_total_pence": net + vat}


def clean_text(value: str | None, field: str, name: str, max_length: int, required: bool = True,
               multiline: bool = False) -> str:
    """Free text for a money document: trimmed, within its length, no control characters.

    `name` is what the field is called in a sentence ("billing address"): "Enter the billing address".
    """
    value = (value or "").strip()
    named = name[0].upper() + name[1:]
    if required and not value:
        raise DomainError(f"Enter the {name}", field=field)
    if len(value) > max_length:
        raise DomainError(f"{named} must be {max_length:,} characters or fewer", field=field)
    if (_CONTROL_BUT_LINES if multiline else _CONTROL).search(value):
        raise DomainError(f"{named} must not contain control characters", field=field)
    return value

"""Spreadsheet downloads: the one CSV writer every download uses.

Two things a spreadsheet program does with a CSV file that we must not let happen:

- A cell starting with `=`, `+`, `-` or `@` (or a tab, CR or LF, which Excel skips before looking
  for one of those) is run as a formula: a name typed as `=HYPERLINK(...)` would become a live link
  or worse in a facilitator's Excel. Such cells get a leading `'`, as OWASP's "CSV Injection" page
  advises; Excel shows the text as typed.
- Without a byte-order mark, Excel reads a CSV file as the local ANSI code page and "Zoë" comes out
  as "ZoÃ«". The file is UTF-8 with a BOM, which Excel, LibreOffice and Numbers all recognise.
"""

import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
CSV_ENCODING = "utf-8-sig"  # UTF-8 preceded by the byte-order mark


def safe_cell(value) -> str:
    """The cell as text that a spreadsheet program shows rather than runs."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A CSV file (UTF-8 with BOM, CRLF line ends) with every cell, header included, made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue().encode(CSV_ENCODING)


def csv_download(filename: str, content: bytes) -> Response:
    """A response that downloads a file made by `csv_bytes` as `filename`."""
    return Response(content, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

"""One-off: extract the EP National Practice Standards from the Adoption England toolkit text.

Run once (python tools/extract_practice_standards.py SEED > ep_events/standards/editions/2023.json) and
review the output by hand; the application reads only the JSON, never this script.

The toolkit's table exported as text: a line starting with a tab opens a cell, the lines after it without
a tab continue that cell. A sub-standard row is: number, text, comments, RAG, actions, resources.
"""
import json
import re
import sys

HEADER = re.compile(r"^Standard (\d): +(.+?)\s*$")
NUMBER = re.compile(r"^(\d)\.(\d{1,2})$")
BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
COLUMN_HEADINGS = {"Comments", "RAG rating", "Actions",
                   "Resources available on the Adoption England Website to help RAAs meet this standard"}


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", BOOKMARK.sub("", text).replace("\u00a0", " ")).strip()


def cells(lines: list[str]) -> list[list[str]]:
    """The cells of one standard's table, each a list of its lines."""
    found: list[list[str]] = []
    for line in lines:
        if line.startswith("\t"):
            found.append([line[1:]])
        elif found:
            found[-1].append(line)
    return found


def resources(cell: list[str]) -> list[str]:
    items: list[str] = []
    for line in cell:
        item = clean(line.lstrip("·").strip())
        if item and not item.endswith(":") and item not in items:
            items.append(item)
    return items


def standard(number: int, title: str, lines: list[str]) -> dict:
    table = cells(lines)
    code = f"S{number}"
    headline = next(clean(" ".join(table[i + 1])) for i, c in enumerate(table) if clean(" ".join(c)) == code)
    subs = []
    i = 0
    while i < len(table):
        label = clean(" ".join(table[i]))
        if NUMBER.match(label) and i + 5 < len(table) + 1:
            row = table[i:i + 6]
            subs.append({"number": label, "text": clean(" ".join(row[1])),
                         "resources": resources(row[5]) if len(row) > 5 else []})
            i += 6
        else:
            i += 1
    return {"code": code, "number": number, "title": clean(title), "headline": headline, "substandards": subs}


def main(path: str) -> None:
    with open(path, encoding="utf-8") as seed:
        lines = seed.read().splitlines()
    starts = [(i, HEADER.match(line)) for i, line in enumerate(lines) if HEADER.match(line)]
    standards = []
    for n, (start, match) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        standards.append(standard(int(match.group(1)), match.group(2), lines[start + 1:end]))
    edition = {"key": "2023", "title": "Early permanence national practice standards (Adoption England, Spring 2023)",
               "source": "Self-assessment toolkit for the early permanence national practice standards",
               "standards": standards}
    json.dump(edition, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

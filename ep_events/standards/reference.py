"""The standards and sub-standards of each edition, loaded once from `editions/<key>.json`."""
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ep_events.core.errors import DomainError

CURRENT_EDITION_KEY = "2023"
EDITIONS_DIR = Path(__file__).parent / "editions"
EDITION_KEY = re.compile(r"\A[0-9a-z-]{1,20}\Z")
STANDARD_CODE = re.compile(r"\AS([1-9][0-9]?)\Z")
SUBSTANDARD_NUMBER = re.compile(r"\A([1-9][0-9]?)\.([1-9][0-9]?)\Z")
CHOICE_TEXT_LENGTH = 90


@dataclass(frozen=True)
class SubStandard:
    number: str            # "2.10": always a string, so 2.10 never becomes 2.1
    standard_code: str     # "S2"
    text: str
    resources: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.number} {shortened(self.text)}"


@dataclass(frozen=True)
class Standard:
    code: str              # "S1"
    number: int            # 1
    title: str
    headline: str
    substandards: tuple[SubStandard, ...]

    @property
    def label(self) -> str:
        return f"{self.code}: {self.title}"


@dataclass(frozen=True)
class Edition:
    key: str
    title: str
    standards: tuple[Standard, ...]
    _by_code: dict = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self):
        by_code = {standard.code: standard for standard in self.standards}
        by_code.update({sub.number: sub for standard in self.standards for sub in standard.substandards})
        object.__setattr__(self, "_by_code", by_code)

    def standard(self, code: str) -> Standard | None:
        found = self._by_code.get(code)
        return found if isinstance(found, Standard) else None

    def substandard(self, number: str) -> SubStandard | None:
        found = self._by_code.get(number)
        return found if isinstance(found, SubStandard) else None

    @property
    def substandards(self) -> tuple[SubStandard, ...]:
        return tuple(sub for standard in self.standards for sub in standard.substandards)

    def label(self, code: str) -> str:
        """"S4: Children are matched …" or "4.2 The LA's Nominated Officer …"; the code itself if unknown."""
        found = self._by_code.get(code)
        return found.label if found else code


def shortened(text: str, length: int = CHOICE_TEXT_LENGTH) -> str:
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@cache
def edition(key: str) -> Edition | None:
    """The edition with this key, or None (the key is checked before any file is named by it)."""
    if not isinstance(key, str) or not EDITION_KEY.match(key):
        return None
    path = EDITIONS_DIR / f"{key}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    standards = tuple(
        Standard(code=s["code"], number=s["number"], title=s["title"], headline=s["headline"],
                 substandards=tuple(SubStandard(number=sub["number"], standard_code=s["code"], text=sub["text"],
                                                resources=tuple(sub["resources"])) for sub in s["substandards"]))
        for s in data["standards"])
    return Edition(key=data["key"], title=data["title"], standards=standards)


def current_edition() -> Edition:
    found = edition(CURRENT_EDITION_KEY)
    assert found is not None, f"editions/{CURRENT_EDITION_KEY}.json is missing"
    return found


def standard_choices(edition: Edition | None = None) -> list[tuple[str, str]]:
    """[("S1", "S1: Principles …"), …] for a select or checkboxes."""
    return [(standard.code, standard.label) for standard in (edition or current_edition()).standards]


def substandard_choices(edition: Edition | None = None) -> list[tuple[str, str]]:
    """[("1.1", "1.1 The child’s welfare …"), …], the text shortened to about 90 characters."""
    return [(sub.number, sub.label) for sub in (edition or current_edition()).substandards]


def practice_standard_label(code: str, edition: Edition | None = None) -> str:
    """How a tag reads where it is listed: "S4: Children are matched …", "4.2 The LA’s …" (the code if unknown)."""
    return (edition or current_edition()).label(code)


def code_sort_key(code: str) -> tuple:
    """Standards first (S1 < S2 … < S10), then sub-standards by number (1.1 < 1.2 < 1.10 < 2.1)."""
    if match := STANDARD_CODE.match(code):
        return (0, int(match.group(1)), 0, "")
    if match := SUBSTANDARD_NUMBER.match(code):
        return (1, int(match.group(1)), int(match.group(2)), "")
    return (2, 0, 0, code)


def validate_codes(codes: Iterable[str], edition: Edition | None = None) -> tuple[str, ...]:
    """The codes stripped, without repeats and sorted; DomainError naming the first code the edition lacks."""
    edition = edition or current_edition()
    found: set[str] = set()
    for raw in codes or ():
        code = str(raw).strip()
        if not code:
            continue
        if edition.standard(code) is None and edition.substandard(code) is None:
            shown = code if len(code) <= 20 else code[:20] + "…"
            raise DomainError(f'There is no practice standard "{shown}"', field="practice_standards")
        found.add(code)
    return tuple(sorted(found, key=code_sort_key))

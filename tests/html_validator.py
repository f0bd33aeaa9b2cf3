"""The W3C Nu Html Checker (npm `vnu-jar`, needs Java) run once over many saved pages.

Starting a JVM costs seconds, so pages are saved to a folder as they are visited and checked together.
Nothing skips: without Java or the jar the check fails and says what to install.
"""

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class PageFolder:
    """Saves HTML pages under readable file names and remembers which address each came from."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sources: dict[str, str] = {}
        self.lock = threading.Lock()  # the live server answers requests on several threads

    def save(self, label: str, html: bytes | str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-")[:80] or "page"
        with self.lock:
            path = self.folder / f"{len(self.sources) + 1:04d}-{slug}.html"
            self.sources[path.name] = label
        path.write_bytes(html.encode() if isinstance(html, str) else html)
        return path

    def errors(self) -> list[str]:
        """Every validation error in the saved pages, as 'address line N: message' (empty when valid)."""
        paths = sorted(self.folder.glob("*.html"))
        if not paths:
            return []
        return [f"{self.sources.get(name, name)} {where}: {message}"
                for name, where, message in validate_html_files(paths)]


def validate_html_files(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(file name, 'line N', message) for each error vnu finds in the given files."""
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is needed to validate HTML with vnu-jar: install default-jre-headless")
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR} is missing: run `npm ci` (make setup)")
    # The checker keeps the real clock: under scripts/test-at-times.sh (libfaketime through LD_PRELOAD)
    # the JVM hangs, and Python's timed wait for a child never saw it exit (so no `timeout=`: vnu ends
    # by itself). The pages it reads were made at the moved time.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
                             *map(str, paths)], capture_output=True, text=True, env=env)
    try:
        report = json.loads(result.stderr)  # vnu writes its report to stderr
    except json.JSONDecodeError:
        pytest.fail(f"vnu did not report (exit {result.returncode}): {result.stderr[-2000:]}")
    found = []
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        found.append((name, f"line {message.get('lastLine', '?')}", message["message"]))
    if result.returncode and not found:
        pytest.fail(f"vnu failed (exit {result.returncode}): {result.stderr[-2000:]}")
    return found


class RecordHtmlResponses:
    """WSGI middleware: saves the body of every text/html response the server sends (what the browser got)."""

    def __init__(self, app, pages: PageFolder, label_prefix: str = ""):
        self.app = app
        self.pages = pages
        self.label_prefix = label_prefix

    def __call__(self, environ, start_response):
        seen = {}

        def _start_response(status, headers, exc_info=None):
            seen["status"] = status
            seen["type"] = next((v for k, v in headers if k.lower() == "content-type"), "")
            return start_response(status, headers, exc_info)

        body = self.app(environ, _start_response)
        if not seen.get("type", "").startswith("text/html"):
            return body
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        address = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            address += "?" + environ["QUERY_STRING"]
        self.pages.save(f"{self.label_prefix}{environ['REQUEST_METHOD']} {address} ({seen['status']})",
                        b"".join(chunks))
        return chunks

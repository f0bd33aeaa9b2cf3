"""Load from wrk (C, epoll) where the machine has it.

On a 2-core machine a Python load generator takes a core of its own, so it measures itself as much
as the server; wrk uses a small share of one. `make bench` installs it when it can; without it the
pure-Python generator in bench/loadgen.py is used and the figures say which ran (`load_generator`).
"""

import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# The summary, then every recorded latency with its count, so runs can be added up (bench.__main__).
REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d errors=%d\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.status + e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("LATENCY %d %d\\n", value, count))
  end
end
"""
LINE = re.compile(r"WRK requests=(\d+) duration_us=(\d+) errors=(\d+)")
LATENCY = re.compile(r"^LATENCY (\d+) (\d+)$", re.MULTILINE)


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: int
    latency_counts: dict[int, int]  # microseconds -> how many responses took that long

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest rank over every recorded response."""
        total = sum(self.latency_counts.values())
        if not total:
            return float("nan")
        rank, seen = max(1, math.ceil(p / 100 * total)), 0
        for micros in sorted(self.latency_counts):
            seen += self.latency_counts[micros]
            if seen >= rank:
                return micros / 1000
        raise AssertionError("unreachable: the rank is at most the total")

    def __add__(self, other: "WrkResult") -> "WrkResult":
        counts = dict(self.latency_counts)
        for micros, count in other.latency_counts.items():
            counts[micros] = counts.get(micros, 0) + count
        return WrkResult(self.requests + other.requests, self.seconds + other.seconds,
                         self.errors + other.errors, counts)


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(port: int, path: str, seconds: float, clients: int = 16, cookie: str | None = None,
            warmup: float = 2.0) -> WrkResult:
    """`clients` connections from 2 wrk threads for `seconds`, after a short warm-up run (none if 0)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(REPORT)
        command = ["wrk", "-t2", f"-c{clients}", "--timeout", "10s", "-s", str(script)]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        url = f"http://127.0.0.1:{port}{path}"
        if warmup > 0:
            subprocess.run(command + [f"-d{max(1, int(warmup))}s", url], capture_output=True, check=True, timeout=60)
        done = subprocess.run(command + [f"-d{int(seconds)}s", url], capture_output=True, text=True, check=True,
                              timeout=seconds + 60)
    match = LINE.search(done.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no report:\n{done.stdout}\n{done.stderr}")
    requests, duration_us, errors = (int(g) for g in match.groups())
    counts = {int(micros): int(count) for micros, count in LATENCY.findall(done.stdout)}
    return WrkResult(requests, duration_us / 1e6, errors, counts)

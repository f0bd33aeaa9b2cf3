"""Load from wrk (C, epoll) where the machine has it.

On a 2-core machine a Python load generator takes a core of its own, so it measures itself as much
as the server; wrk uses a small share of one. `make bench` installs it when it can; without it the
pure-Python generator in bench/loadgen.py is used and the figures say which ran (`load_generator`).
"""

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d p95_us=%d errors=%d\\n", summary.requests,
    summary.duration, latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""
LINE = re.compile(r"WRK requests=(\d+) duration_us=(\d+) p95_us=(\d+) errors=(\d+)")


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p95_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        if p != 95:
            raise ValueError("wrk reports the 95th percentile only here")
        return self.p95_ms


def available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(port: int, path: str, seconds: float, clients: int = 16, cookie: str | None = None,
            warmup: float = 2.0) -> WrkResult:
    """`clients` connections from 2 wrk threads for `seconds`, after a short warm-up run."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(REPORT)
        command = ["wrk", "-t2", f"-c{clients}", "--timeout", "10s", "-s", str(script)]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run(command + [f"-d{max(1, int(warmup))}s", url], capture_output=True, check=True, timeout=60)
        done = subprocess.run(command + [f"-d{int(seconds)}s", url], capture_output=True, text=True, check=True,
                              timeout=seconds + 60)
    match = LINE.search(done.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no report:\n{done.stdout}\n{done.stderr}")
    requests, duration_us, p95_us, errors = (int(g) for g in match.groups())
    return WrkResult(requests, duration_us / 1e6, p95_us / 1000, errors)

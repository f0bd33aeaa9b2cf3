"""`make audit`: pip-audit over every Python package installed in .venv (the exact versions the app runs).

Known vulnerabilities fail it (exit 1). pip-audit asks PyPI's vulnerability API about each package; when that
service cannot be reached (a machine without internet: every package then comes back "not found"), nothing
has been audited, and this says so in one plain line rather than printing pip-audit's "No known
vulnerabilities found". Set AUDIT_REQUIRED=1 to make an unreachable service fail too (a CI with internet).
"""

import json
import os
import subprocess  # nosec B404
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def verdict(report: dict, required: bool) -> tuple[list[str], int]:
    """The lines to print for pip-audit's JSON report, and the exit status."""
    lines, audited, unknown = [], 0, 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            unknown += 1
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"vulnerable: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if lines:
        return lines + [f"pip-audit: {len(lines)} known vulnerabilities in the installed packages"], 1
    if audited == 0:
        return [f"pip-audit: PyPI's vulnerability service could not be reached from this machine; none of the "
                f"{unknown} installed packages was audited"], int(required)
    return [f"pip-audit: no known vulnerabilities in {audited} packages"
            + (f" ({unknown} could not be looked up)" if unknown else "")], 0


def main() -> int:
    required = os.environ.get("AUDIT_REQUIRED") == "1"
    # Fixed arguments, no shell: pip-audit from this virtualenv.
    result = subprocess.run(  # nosec B603
        [str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off"],
        capture_output=True, text=True, timeout=600, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit could not run: {reason}")
        return int(required)
    lines, status = verdict(report, required)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())

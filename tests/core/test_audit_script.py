"""`make audit` reads pip-audit's JSON report: a known vulnerability fails it; an unreachable service is said."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
audit_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_script)

# The shape pip-audit 2.10 prints with --format json.
FLASK = {"name": "flask", "version": "3.1.3", "vulns": []}
JINJA = {"name": "jinja2", "version": "3.0.0", "vulns": [
    {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"], "description": "…"}]}
NOT_FOUND = "Dependency not found on PyPI and could not be audited"


def test_a_known_vulnerability_is_named_with_its_fix_and_fails_the_audit():
    lines, status = audit_script.verdict({"dependencies": [FLASK, JINJA]}, required=False)
    assert status == 1
    assert lines[0] == "vulnerable: jinja2 3.0.0: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"
    assert not any("flask" in line for line in lines)


def test_a_clean_report_says_how_many_packages_were_audited():
    report = {"dependencies": [FLASK, {"name": "ep-events", "version": "0", "skip_reason": NOT_FOUND}]}
    assert audit_script.verdict(report, required=False) == (
        ["pip-audit: no known vulnerabilities in 1 packages (1 could not be looked up)"], 0)


def test_an_unreachable_service_is_said_plainly_and_fails_only_when_required():
    offline = {"dependencies": [dict(FLASK, skip_reason=NOT_FOUND), dict(JINJA, skip_reason=NOT_FOUND)]}
    lines, status = audit_script.verdict(offline, required=False)
    assert status == 0
    assert lines == ["pip-audit: PyPI's vulnerability service could not be reached from this machine; none of the "
                     "2 installed packages was audited"]
    assert audit_script.verdict(offline, required=True)[1] == 1


"""Every action the site records in the audit log reads as words on the audit page, not as its code."""

import ast
from pathlib import Path

import ep_events
from ep_events.core.audit_labels import ACTION_LABELS, action_label

PACKAGE = Path(ep_events.__file__).parent


def _recorded_actions() -> dict[str, str]:
    """Each action code passed to record_audit as a literal, with where it is recorded."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", None))
            if (isinstance(node, ast.Call) and name == "record_audit" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)):
                found.setdefault(node.args[1].value, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_the_scan_finds_the_actions_of_every_programme():
    actions = _recorded_actions()
    assert {"surgery.slot.cancel", "network.place.name", "workshop.register", "billing.invoice"} <= set(actions)


def test_every_recorded_action_has_words():
    missing = {code: where for code, where in _recorded_actions().items() if code not in ACTION_LABELS}
    assert not missing, f"add these to ACTION_LABELS in ep_events/core/audit_labels.py: {missing}"


def test_a_label_is_a_sentence_in_the_past_tense_without_its_code():
    for code, label in ACTION_LABELS.items():
        assert label[:1].isupper() and code not in label and not label.endswith("."), code
    assert action_label("network.place.name") == "Named a person for a Network Day place"

"""The uploaded import file, kept between the preview and the organiser's "Import N people".

The decoded text (up to 2 MB) is too big for the cookie session and for a hidden form field (Werkzeug reads
at most 500 KB of form fields), so it is kept on the server, in the instance folder, under a random id that
only the preview page knows. The file records the programme and the organiser, and is refused to anyone
else, after UPLOAD_TTL, or once used. On confirm the rows are checked again against the list as it is then.
This assumes one server (or a shared instance folder), as the SQLite default does.
"""

import hashlib
import json
import secrets
import time
from pathlib import Path

from flask import current_app

UPLOAD_TTL = 60 * 60  # seconds
UPLOAD_ID_MAX = 64
_FOLDER = "invitation-imports"


def _folder() -> Path:
    folder = Path(current_app.instance_path) / _FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(upload_id: str) -> Path:
    # The file is named by a hash of the id: whatever a request sends, it never names a path of its choosing.
    return _folder() / (hashlib.sha256(upload_id.encode("utf-8")).hexdigest() + ".json")


def discard_stale(now: float | None = None) -> int:
    """Delete uploads older than UPLOAD_TTL (previews the organiser walked away from); how many went.
    Run at each upload and by the `purge-uploads` job, so a list nobody imports into again is not kept."""
    now = now or time.time()
    discarded = 0
    for path in _folder().glob("*.json"):
        try:
            if path.stat().st_mtime < now - UPLOAD_TTL:
                path.unlink()
                discarded += 1
        except OSError:
            pass  # gone already (another instance's run, or the organiser's confirm)
    return discarded


def keep_upload(programme, actor, text: str) -> str:
    """Keep `text` for `actor` importing into `programme`; the id to post back with the confirmation."""
    discard_stale()
    upload_id = secrets.token_urlsafe(24)
    record = {"programme_id": programme.id, "user_id": actor.id, "created": time.time(), "text": text}
    _path(upload_id).write_text(json.dumps(record), encoding="utf-8")
    return upload_id


def load_upload(programme, actor, upload_id: str | None) -> str | None:
    """The text kept under `upload_id` for this organiser and programme, or None (unknown, expired, other's)."""
    if not upload_id or len(upload_id) > UPLOAD_ID_MAX:
        return None
    path = _path(upload_id)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("programme_id") != programme.id or record.get("user_id") != actor.id \
            or record.get("created", 0) < time.time() - UPLOAD_TTL:
        return None
    return record.get("text")


def discard_upload(upload_id: str) -> None:
    if upload_id and len(upload_id) <= UPLOAD_ID_MAX:
        _path(upload_id).unlink(missing_ok=True)

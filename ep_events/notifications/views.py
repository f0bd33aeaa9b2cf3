from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ep_events.core.forms import Form
from ep_events.extensions import db
from ep_events.notifications.feeds import personal_feed, regenerate_feed_token, user_for_feed_token

bp = Blueprint("notifications", __name__)


@bp.get("/calendar/<token>.ics")
def personal_calendar(token: str):
    user = user_for_feed_token(token)
    if user is None:
        abort(404)
    return Response(personal_feed(user), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="ep-events.ics"',
                             "Cache-Control": "private, max-age=300"})


@bp.get("/account/calendar-feed/change")
@login_required
def change_calendar_feed():
    """Confirm before the address changes: every calendar subscribed to the old one stops updating."""
    if current_user.feed_token is None:
        return redirect(url_for("accounts.profile") + "#calendar-feed")
    return render_template("accounts/change_calendar_feed.html")


@bp.post("/account/calendar-feed")
@login_required
def regenerate_calendar_feed():
    if Form().validate_on_submit():
        had_one = current_user.feed_token is not None
        regenerate_feed_token(current_user)
        db.session.commit()
        flash("Your calendar address has been " + ("changed: the old address no longer works."
                                                   if had_one else "created."), "success")
    return redirect(url_for("accounts.profile") + "#calendar-feed")

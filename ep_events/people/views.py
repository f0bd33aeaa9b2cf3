"""A person's own pages across every programme: My bookings, the personal calendar feed, deleting
the account. They read programmes through the seam in ep_events/bookings, never a programme package."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from ep_events.accounts import services as accounts
from ep_events.accounts.forms import DeleteAccountForm
from ep_events.bookings.feeds import personal_feed
from ep_events.bookings.mine import my_bookings as read_my_bookings
from ep_events.bookings.people import delete_account as delete_person
from ep_events.bookings.personal_data import personal_data_zip
from ep_events.core.audit import record_audit
from ep_events.core.forms import Form
from ep_events.core.inputs import page_arg
from ep_events.core.limits import person_key
from ep_events.core.time import to_uk, utcnow
from ep_events.cpd.personal_data import cpd_personal_data
from ep_events.extensions import db, limiter

bp = Blueprint("people", __name__)

BOOKINGS_PER_PAGE = 20


@bp.route("/bookings")
@login_required
def my_bookings():
    page = page_arg("page", last=9_999)
    mine = read_my_bookings(current_user, page, BOOKINGS_PER_PAGE)
    return render_template("people/my_bookings.html", mine=mine, page=page)


@bp.get("/calendar/<token>.ics")
def personal_calendar(token: str):
    user = accounts.user_for_feed_token(token)
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
        accounts.regenerate_feed_token(current_user)
        db.session.commit()
        flash("Your calendar address has been " + ("changed: the old address no longer works."
                                                   if had_one else "created."), "success")
    return redirect(url_for("accounts.profile") + "#calendar-feed")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        ok, _ = form.apply(lambda: delete_person(user, form.password.data))
        if ok:
            logout_user()
            flash("Your account has been deleted.", "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/delete.html", form=form), 400 if form.errors else 200


# Making the file reads every table about the person: enough for anyone, too few to load the database.
DATA_DOWNLOADS_PER_PERSON = "10 per hour"


@bp.get("/account/my-data")
@login_required
def my_data():
    return render_template("people/my_data.html")


@bp.post("/account/my-data")
@login_required
@limiter.limit(DATA_DOWNLOADS_PER_PERSON, key_func=person_key, deduct_when=lambda response: response.status_code == 200)
def download_my_data():
    """UK GDPR Article 15: the person's own copy of everything held about them, as a zip."""
    if not Form().validate_on_submit():
        return redirect(url_for("people.my_data"))
    user = current_user._get_current_object()
    now = utcnow()
    content = personal_data_zip(user, now, more=cpd_personal_data(user))
    record_audit(user, "user.data_download", user, f"{user.email} downloaded their data")
    db.session.commit()
    filename = f"ep-events-my-data-{to_uk(now):%Y-%m-%d}.zip"
    return Response(content, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})

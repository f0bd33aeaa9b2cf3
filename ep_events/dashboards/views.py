"""Dashboard pages: the list of programmes a person may see the dashboards of, one programme's dashboard, and
each of its tables as CSV. Only the programme's organisers and site admins see them."""

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from ep_events.accounts.policy import can_manage_programme, is_admin, staff_page
from ep_events.core.inputs import page_arg
from ep_events.core.spreadsheets import csv_bytes, csv_download
from ep_events.dashboards.filters import DashboardFilterForm, uk_today
from ep_events.dashboards.tables import EVENTS_PER_PAGE, build_table, table_names
from ep_events.extensions import login_manager
from ep_events.programmes.services import get_programme_by_slug, list_programmes

bp = Blueprint("dashboards", __name__)


def _programme(slug: str):
    programme = get_programme_by_slug(slug[:80])
    if programme is None:
        abort(404)
    return programme


def _filter_form():
    return DashboardFilterForm(formdata=request.args)


@bp.route("/dashboards")
def index():
    """The programmes whose dashboards the person may see (all of them for a site admin)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    programmes = [p for p in list_programmes() if can_manage_programme(current_user, p)]
    if not programmes and not is_admin(current_user):
        abort(403)
    return render_template("dashboards/index.html", programmes=programmes)


@bp.route("/dashboards/<slug>")
def programme_dashboard(slug: str):
    programme = _programme(slug)
    if (refused := staff_page(can_manage_programme, programme)) is not None:
        return refused
    form = _filter_form()
    today = uk_today()
    filters = form.filters(today)
    if filters is None:
        return render_template("dashboards/programme.html", programme=programme, form=form, tables=[]), 400
    page = page_arg()
    memo: dict = {}
    tables = [build_table(programme, name, filters, page=page, today=today, memo=memo)
              for name in table_names(programme)]
    summary = memo["summary"]
    pages = max(1, -(-(summary.events_offered + summary.events_cancelled) // EVENTS_PER_PAGE))
    query = filters.query_args()
    return render_template(
        "dashboards/programme.html", programme=programme, form=form, tables=tables, filters=filters,
        query=urlencode(query), page=page, pages=pages,
        page_url=lambda n: url_for("dashboards.programme_dashboard", slug=programme.slug) + "?"
        + urlencode(query + [("page", str(n))]) + "#events")


@bp.route("/dashboards/<slug>/<name>.csv")
def table_csv(slug: str, name: str):
    programme = _programme(slug)
    if (refused := staff_page(can_manage_programme, programme)) is not None:
        return refused
    if name not in table_names(programme):
        abort(404)
    form = _filter_form()
    today = uk_today()
    filters = form.filters(today)
    if filters is None:
        return render_template("dashboards/programme.html", programme=programme, form=form, tables=[]), 400
    table = build_table(programme, name, filters, today=today)
    return csv_download(f"{programme.slug}-{name}-{filters.first}-to-{filters.last}.csv",
                        csv_bytes(table.columns, table.csv_rows))

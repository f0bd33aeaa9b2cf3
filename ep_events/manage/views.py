from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from ep_events.accounts.models import Role
from ep_events.accounts.policy import can_manage_programme, is_admin, require, runs_a_programme
from ep_events.network_days.staff import staff_tools as network_day_tools
from ep_events.programmes.services import list_programmes
from ep_events.surgeries.staff import staff_tools as surgery_tools
from ep_events.workshops.staff import staff_tools as workshop_tools

bp = Blueprint("manage", __name__)

# Each programme kind that has staff tools says what they are; the others have none yet.
TOOLS = {"practice_surgeries": surgery_tools, "network_days": network_day_tools, "workshops": workshop_tools}


def _programmes_run_by(user) -> list:
    """Programmes where the person is an organiser or facilitator; every programme for a site admin."""
    if is_admin(user):
        return list_programmes()
    found = {g.programme.id: g.programme for g in user.grants
             if g.role in (Role.ORGANISER, Role.FACILITATOR) and g.programme is not None}
    return sorted(found.values(), key=lambda p: p.name)


@bp.route("/manage")
@login_required
def index():
    require(runs_a_programme(current_user) or is_admin(current_user))
    programmes = _programmes_run_by(current_user)
    rows = []
    for programme in programmes:
        can_organise = can_manage_programme(current_user, programme)
        roles = [r.label for r in (Role.ORGANISER, Role.FACILITATOR)
                 if current_user.has_role(r, programme=programme)] or ["Site admin"]
        tools = TOOLS.get(programme.kind)
        tools = tools(programme, can_organise) if tools else None
        if tools and (current_user.has_role(Role.ORGANISER, programme=programme) or is_admin(current_user)):
            # How many reflections each event has (counts only: reflections are private to their authors).
            tools["links"] = tools["links"] + [("CPD reflections written",
                                                url_for("cpd.reflection_counts", programme_id=programme.id))]
        rows.append({"programme": programme, "roles": roles, "tools": tools})
    return render_template("manage/index.html", rows=rows)

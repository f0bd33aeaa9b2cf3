"""No input gives a 500: every route in the URL map, as every role, on SQLite and on PostgreSQL.

Ids, query values and form values are generated (huge and negative integers, non-ASCII digits, NUL,
lone surrogates, 100,000 characters, dates in the year 9999, a date sent 0 to 4 times) and mixed with
plausible ones, so that forms get past their first check and the hostile value reaches the code behind.
Hypothesis is derandomized and each route gets a fresh copy of the same database: a run is repeatable.
"""

import inspect
import json
import os
import re
import shutil
import time
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text
from wtforms.fields.core import UnboundField

from ep_events import create_app
from ep_events.accounts.models import Role
from ep_events.core.errors import DomainError
from ep_events.core.forms import Form
from ep_events.core.inputs import DATABASE_ID_MAX
from ep_events.core.time import utcnow
from ep_events.extensions import db
from ep_events.surgeries.bookings import book_slot
from tests import factories
from tests.conftest import make_app

EXAMPLES_PER_ROUTE = 10
ROLES = ("anonymous", "practitioner", "facilitator", "organiser", "agency_admin", "admin")
HUGE = "x" * 100_000
HOSTILE = [
    str(2**63), str(2**63 - 1), str(2**31), str(DATABASE_ID_MAX), "-1", "0", "-" + str(2**63), "1" * 5000,
    "١", "²", "١٠", "𝟙", "surgery-date-²", "surgery-date-١", f"surgery-date-{2**63}", f"surgery-date-{2**31}",
    "\x00", "1\x00", "a\x00b", "\ud800", "x\udfff", HUGE, "99999999999999999999:00", "24:00", "9:99",
    "9999-12-31", "0001-01-01", "2026-02-30", "31 12 9999", "", " ", "1e9", "%", "../../etc/passwd", "'",
    "<script>", "Ω≈ç√", "\u202e",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet="0123456789١٢٣²³߀𝟘𝟙-:. ", max_size=12),
    st.text(max_size=20),
)
QUERY_NAMES = ["page", "q", "action", "target", "actor", "status", "from", "to", "programme", "next", "email"]


def _rules():
    app = create_app("testing")
    rules = [r for r in app.url_map.iter_rules()]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


RULES = _rules()
INT_RULES = [r for r in RULES if any(type(c).__name__ == "DatabaseIdConverter" for c in r._converters.values())]
_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _form_field_names() -> list[str]:
    """Every field of every form in the app (and the admin grant form's prefixed names)."""
    names, todo = set(), list(Form.__subclasses__())
    while todo:
        form_class = todo.pop()
        todo.extend(form_class.__subclasses__())
        for klass in form_class.__mro__:
            names.update(n for n, v in vars(klass).items() if isinstance(v, UnboundField))
    names -= {"submit", "csrf_token"}
    return sorted(names | {f"grant-{n}" for n in ("role", "programme", "organisation")})


FIELD_NAMES = _form_field_names()
_FORM_CLASSES = {}


def _fields_read_by(view) -> list[str]:
    """The fields of the forms a view names in its source (all fields when it names none), so that
    generated values land where the view reads them."""
    if not _FORM_CLASSES:
        todo = list(Form.__subclasses__())
        while todo:
            form_class = todo.pop()
            todo.extend(form_class.__subclasses__())
            _FORM_CLASSES[form_class.__name__] = form_class
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        return FIELD_NAMES
    names = {n for klass_name, klass in _FORM_CLASSES.items() if re.search(rf"\b{klass_name}\b", source)
             for k in klass.__mro__ for n, v in vars(k).items() if isinstance(v, UnboundField)}
    names -= {"submit", "csrf_token"}
    return sorted(names) or FIELD_NAMES


# --- The same small world on every database --------------------------------------------------

def _build_world() -> dict:
    """A programme with a published date (one slot booked), a draft date, and a person for each role."""
    organisation = factories.organisation()
    programme = factories.surgery_programme(slug="mtc")
    people = {
        "practitioner": factories.user(organisation=organisation),
        "facilitator": factories.user(roles=[(Role.FACILITATOR, programme)]),
        "organiser": factories.user(roles=[(Role.ORGANISER, programme)]),
        "agency_admin": factories.user(roles=[(Role.AGENCY_ADMIN, organisation)]),
        "admin": factories.admin(),
    }
    published = _surgery_date_from(programme, days_ahead=10)
    _surgery_date_from(programme, days_ahead=published.day.toordinal() - utcnow().date().toordinal() + 1,
                       publish=False)
    book_slot(published.slots[0], people["practitioner"], "general", "An outline")
    db.session.commit()
    day = published.day + timedelta(weeks=4)  # a working day, as the published one is
    return {
        "people": {role: person.get_id() for role, person in people.items()},
        "form": _plausible_form(day, people["practitioner"].email, organisation.id, published.slots[1].id),
    }


def _surgery_date_from(programme, days_ahead: int, publish: bool = True):
    """The first date from `days_ahead` days on that takes a surgery (not a weekend or bank holiday)."""
    for extra in range(14):
        try:
            with db.session.begin_nested():
                return factories.surgery_date(programme, days_ahead=days_ahead + extra, publish=publish)
        except DomainError:
            continue
    raise AssertionError("no working day in a fortnight")


def _plausible_form(day, email: str, organisation_id: int, slot_id: int) -> dict:
    """A value for each field that would pass its own check, so the generated one is what fails."""
    plausible = {
        "day": [str(day.day), str(day.month), str(day.year)], "session": "am", "custom_starts": "10:00",
        "custom_ends": "12:00", "theme": "general", "outline": "Placement planning", "reason": "Unwell",
        "slot": str(slot_id), "message": "Sorry, the facilitator is unwell", "teams_url": factories.TEAMS_URL,
        "attendance": "attended", "slot_minutes": "30", "buffer_minutes": "0", "booking_close_hours": "24",
        "max_upcoming_bookings": "3", "offer_hours": "12", "outline_retention_days": "30", "am_starts": "09:30",
        "am_ends": "12:30", "pm_starts": "13:30", "pm_ends": "16:30", "reminder_hours": "24, 1", "email": email,
        "name": "Alex Example", "job_title": "Social worker", "organisation": str(organisation_id),
        "organisation_other": "", "kind": "other", "region": "London", "slug": "new-programme",
        "contact_email": "programme@example.org", "description": "A programme", "teams_provider": "manual",
        "confirmed": "y", "role": "facilitator", "grant-role": "facilitator", "understood": "y",
        # Never the real password: the test must not delete or sign out the people it acts as.
        "password": "not-the-password", "confirm": "not-the-password", "current_password": "not-the-password",
        "new_password": "another-password-1",
    }
    return {name: plausible.get(name, "x") for name in FIELD_NAMES}


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory, smtp_server):
    path = tmp_path_factory.mktemp("no-500") / "world.db"
    app = make_app(f"sqlite:///{path}", smtp_server.port)
    with app.app_context():
        db.create_all()
        world = _build_world()
        db.session.remove()
        db.engine.dispose()
    return path, world


@pytest.fixture(scope="module")
def postgres_world(postgres_url, smtp_server):
    """A database built once and used as the template of each route's own copy."""
    # One per test process: with the suite on two processes and one PostgreSQL server, a shared name would let
    # one process drop the template the other is copying.
    name = f"ep_no_500_template_{os.getpid()}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_url.rsplit("/", 1)[0]
    app = make_app(f"{base}/{name}", smtp_server.port)
    with app.app_context():
        db.create_all()
        world = _build_world()
        db.session.remove()
        db.engine.dispose()
    yield admin, base, name, world
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world_app(request, tmp_path, smtp_server):
    """An app on a fresh copy of the world, with its app context pushed; yields (app, world)."""
    overrides = {"DEV_MAIL_DIR": str(tmp_path / "mail"), "RATELIMIT_ENABLED": False}
    if request.param == "sqlite":
        path, world = request.getfixturevalue("sqlite_world")
        shutil.copyfile(path, tmp_path / "copy.db")
        app = make_app(f"sqlite:///{tmp_path / 'copy.db'}", smtp_server.port, **overrides)
        dropped = None
    else:
        admin, base, template, world = request.getfixturevalue("postgres_world")
        copy = f"ep_no_500_{os.getpid()}_{time.monotonic_ns()}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"'))
        app = make_app(f"{base}/{copy}", smtp_server.port, **overrides)
        dropped = copy
    with app.app_context():
        yield app, world
        db.session.remove()
        db.engine.dispose()
    if dropped:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))


@pytest.fixture(scope="module")
def shared_world_apps(tmp_path_factory, smtp_server):
    """One app per database on its own copy of the world, made once and shared by the id tests: an id no row can
    have is refused before anything is read or written, so those tests need no copy each. (Built lazily, and on
    PostgreSQL only when a PostgreSQL test asks.)"""
    apps, dropped = {}, []

    def app_for(request, kind: str):
        if kind not in apps:
            overrides = {"DEV_MAIL_DIR": str(tmp_path_factory.mktemp("mail")), "RATELIMIT_ENABLED": False}
            if kind == "sqlite":
                path, world = request.getfixturevalue("sqlite_world")
                copy = tmp_path_factory.mktemp("no-500-ids") / "copy.db"
                shutil.copyfile(path, copy)
                apps[kind] = make_app(f"sqlite:///{copy}", smtp_server.port, **overrides), world
            else:
                admin, base, template, world = request.getfixturevalue("postgres_world")
                copy = f"ep_no_500_ids_{os.getpid()}_{time.monotonic_ns()}"
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"'))
                dropped.append((admin, copy))
                apps[kind] = make_app(f"{base}/{copy}", smtp_server.port, **overrides), world
        return apps[kind]

    yield app_for
    for app, _ in apps.values():
        with app.app_context():
            db.engine.dispose()
    for admin, copy in dropped:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()  # postgres_world may have been finished (and its engine disposed) before this


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_world_app(request, shared_world_apps):
    """The shared app of `shared_world_apps` for this database, with its app context pushed; yields (app, world)."""
    app, world = shared_world_apps(request, request.param)
    with app.app_context():
        yield app, world
        db.session.remove()


# --- Requests -----------------------------------------------------------------------------------

def _quote(value: str) -> str:
    # A lone surrogate cannot be sent as UTF-8; a browser would send its surrogatepass bytes, which
    # Werkzeug decodes to U+FFFD. The JSON body below is where a real lone surrogate arrives.
    return quote(value, safe="", errors="surrogatepass")


def _url(rule, values: dict, query: list) -> str:
    path = _PLACEHOLDER.sub(lambda m: _quote(values[m.group(2)]), rule.rule)
    if query:
        path += "?" + urlencode(query, doseq=True, errors="surrogatepass")
    return path


def _converter_value(converter) -> st.SearchStrategy:
    plausible = ["1", "2", "3", "5", "mtc", "surgery-date-1"]
    if type(converter).__name__ == "DatabaseIdConverter":
        plausible = ["1", "2", "3", "4", "5"]
    return st.one_of(st.sampled_from(plausible), HOSTILE_TEXT)


def _send(client, method: str, url: str, **kwargs):
    try:
        return client.open(url, method=method, **kwargs)
    except Exception as error:  # Flask's testing mode raises what would have been a 500
        pytest.fail(f"{method} {url[:200]!r} raised {error!r}")


def _act_as(client, world: dict, role: str) -> None:
    with client.session_transaction() as session:
        session.clear()
        if role != "anonymous":
            session["_user_id"] = world["people"][role]
            session["_fresh"] = True


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}:{r.rule}" for r in RULES])
def test_no_generated_input_gives_a_server_error(world_app, rule):
    app, world = world_app
    client = app.test_client()
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    field_value = st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, max_size=4))

    @settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None)
    @given(role=st.sampled_from(ROLES),
           values=st.fixed_dictionaries({k: _converter_value(c) for k, c in rule._converters.items()}),
           query=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), HOSTILE_TEXT), max_size=2),
           form=st.dictionaries(st.sampled_from(_fields_read_by(app.view_functions[rule.endpoint])), field_value,
                                max_size=3),
           as_json=st.booleans())
    def run(role, values, query, form, as_json):
        _act_as(client, world, role)
        url = _url(rule, values, query)
        for method in methods:
            if method == "GET":
                response = _send(client, "GET", url)
            elif as_json:
                response = _send(client, method, url, data=json.dumps({**world["form"], **form}),
                                 content_type="application/json")
            else:
                body = urlencode({**world["form"], **form}, doseq=True, errors="surrogatepass")
                response = _send(client, method, url, data=body, content_type="application/x-www-form-urlencoded")
            assert response.status_code < 500, f"{method} {url[:200]!r} as {role}: {response.status_code}"

    run()


# --- The cases from the issue, on every id route ------------------------------------------------

@pytest.mark.parametrize("rule", INT_RULES, ids=[r.rule for r in INT_RULES])
def test_an_id_that_no_row_can_have_is_page_not_found_on_every_id_route(shared_world_app, rule):
    app, world = shared_world_app
    client = app.test_client()
    for role in ("anonymous", "admin"):
        _act_as(client, world, role)
        for bad in (str(2**63), str(DATABASE_ID_MAX + 1), "١", "²", "0"):
            values = {k: (bad if type(c).__name__ == "DatabaseIdConverter" else "mtc")
                      for k, c in rule._converters.items()}
            url = _url(rule, values, [])
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = _send(client, method, url)
                assert response.status_code == 404, (method, url[:100], role, response.status_code)
                assert "Page not found" in response.get_data(as_text=True)

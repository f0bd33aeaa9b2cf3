"""The faster import check gives the same pages as Jinja's own; kept components are the macros' own markup."""

import re

from jinja2 import DictLoader

from ep_events.core.templating import EPEnvironment, EPTemplate


def _env(app):
    env = EPEnvironment(app, loader=DictLoader({
        "macros.html": "{% macro shout(x) %}{{ x | upper }}{{ extra | default('') }}{% endmacro %}",
        "page.html": "{% from 'macros.html' import shout %}{{ shout(word) }}",
    }))
    return env


def test_flask_renders_with_the_faster_template_class(app):
    assert app.jinja_env.template_class is EPTemplate


def test_imports_without_new_globals_reuse_the_module_and_render_the_same(app):
    env = _env(app)
    page = env.get_template("page.html")
    assert page.render(word="hi") == "HI"
    assert page.render(word="again") == "AGAIN"


def test_a_template_with_its_own_globals_still_passes_them_to_imports(app):
    env = _env(app)
    page = env.get_template("page.html", globals={"extra": "!"})
    assert page.render(word="hi") == "HI!"


def test_a_kept_component_is_the_macro_s_own_markup_and_follows_its_values(app, client):
    from ep_events.core import templating

    env = app.jinja_env
    macros = env.get_template("govuk_frontend_jinja/components/service-navigation/macro.html").module
    menu = {"navigation": [{"text": "Home", "href": "/", "active": True}, {"text": "Sign in", "href": "/sign-in"}],
            "navigationLabel": "Menu"}
    assert env.component("service-navigation", menu) == macros.govukServiceNavigation(menu)
    assert env.component("service-navigation", menu) is env.component("service-navigation", menu)  # kept
    moved = {**menu, "navigation": [{**menu["navigation"][0], "active": False},
                                    {**menu["navigation"][1], "active": True}]}
    assert env.component("service-navigation", moved) == macros.govukServiceNavigation(moved)
    assert env.component("service-navigation", moved) != env.component("service-navigation", menu)
    # Through a page: the menu marks the page a person is on.
    def marked(path: str) -> list[str]:
        html = client.get(path).get_data(as_text=True)
        return re.findall(r'__item--active">\s*<a class="govuk-service-navigation__link" href="([^"]+)"', html)

    assert marked("/sign-in") == ["/sign-in"]
    assert marked("/sign-up") == ["/sign-up"]
    assert marked("/sign-in") == ["/sign-in"]
    # Bounded: never more than COMPONENT_CACHE_SIZE sets of values are kept.
    for number in range(templating.COMPONENT_CACHE_SIZE + 5):
        env.component("phase-banner", {"tag": {"text": "Beta"}, "text": f"Version {number}"})
    assert len(env._components) <= templating.COMPONENT_CACHE_SIZE

"""The faster import check gives the same pages as Jinja's own."""

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

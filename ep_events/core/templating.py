"""Jinja settings for speed: GOV.UK Frontend's macros import other templates on every call.

On each `{% from ... import ... %}` Jinja 3.1 works out whether the importing template has globals
that the imported one lacks (`ctx.globals_keys - self.globals.keys()`, a set against a ChainMap, in
Python): two dozen times a GOV.UK page, a tenth of a request's time in a gunicorn worker. The answer
only changes when globals are added, so each template keeps its global names as a frozenset and
the check becomes one C-level subset test. Same result as Jinja's check.
"""

from collections import ChainMap

from flask.templating import Environment
from jinja2 import Template


class EPTemplate(Template):
    def _global_names(self) -> frozenset:
        own = self.globals.maps[0] if isinstance(self.globals, ChainMap) else self.globals
        stamp = (len(self.environment.globals), len(own))  # globals are only ever added to
        cached = getattr(self, "_ep_global_names", None)
        if cached is None or cached[0] != stamp:
            cached = (stamp, frozenset(self.globals))
            self._ep_global_names = cached
        return cached[1]

    def _get_default_module(self, ctx=None):
        if ctx is not None and ctx.globals_keys <= self._global_names():
            ctx = None  # no globals the imported template lacks: Jinja would use the cached module too
        return super()._get_default_module(ctx)




# GOV.UK Frontend components whose markup follows from a few values only (the header, the menu, the phase banner):
# each is rendered by its own macro once per distinct set of values and kept, as frozen markup, for this process.
# Every page shows them; rendering them afresh was a third of a signed-in page's time. Bounded: the values are
# links and labels from our own templates (a few dozen sets), never what a person typed.
COMPONENT_CACHE_SIZE = 256


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


class EPEnvironment(Environment):
    template_class = EPTemplate

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._components: dict = {}
        self.globals["component"] = self.component

    def component(self, name: str, params: dict):
        """The GOV.UK Frontend component `name` ("service-navigation") rendered with `params`, as its macro
        renders it, from this process's copy when the same values were rendered before."""
        key = (name, _frozen(params))
        markup = self._components.get(key)
        if markup is None:
            macro = "govuk" + "".join(part.title() for part in name.split("-"))
            module = self.get_template(f"govuk_frontend_jinja/components/{name}/macro.html").module
            markup = getattr(module, macro)(params)
            if len(self._components) >= COMPONENT_CACHE_SIZE:
                self._components.clear()
            self._components[key] = markup
        return markup

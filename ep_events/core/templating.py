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


class EPEnvironment(Environment):
    template_class = EPTemplate

"""Jinja settings for speed: GOV.UK Frontend's macros import other templates on every call.

Jinja 3.1 checks, on each `{% from ... import ... %}`, whether the importing template has globals that
the imported one lacks, by taking the difference of two ChainMaps' keys: about 0.01 ms a time, which on
a GOV.UK page (two dozen imports per render) was a quarter of the time to render the base layout.
When the importing template's own globals add nothing beyond the shared environment globals (always so
here: templates get their data through the render context), that answer is known to be "none" at once.
"""

from collections import ChainMap
from collections.abc import KeysView

from flask.templating import Environment
from jinja2 import Template


class EPTemplate(Template):
    def _get_default_module(self, ctx=None):
        if ctx is not None:
            keys = ctx.globals_keys
            mapping = getattr(keys, "_mapping", None) if isinstance(keys, KeysView) else None
            if (isinstance(mapping, ChainMap) and isinstance(self.globals, ChainMap)
                    and len(mapping.maps) == 2 and mapping.maps[1] is self.environment.globals
                    and all(key in self.globals for key in mapping.maps[0])):
                ctx = None  # no new globals: the cached module is the right one
        return super()._get_default_module(ctx)


class EPEnvironment(Environment):
    template_class = EPTemplate

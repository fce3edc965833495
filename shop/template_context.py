"""Each render's context made from the environment's globals in one dict copy.

Jinja keeps a template's globals as a ChainMap of its own (almost always none) over the
environment's, and copies them into every render's context with dict(), which asks the
ChainMap for each of our ~40 globals in turn: a KeyError raised and caught in the empty
template layer for every one, and their names gathered twice more. When the template has
no globals of its own, the environment's dict holds exactly the same names and values, so
the context is made from it directly; a template given globals of its own keeps Jinja's way.
"""

from collections import ChainMap

from flask import Flask
from jinja2 import Template
from jinja2.runtime import Context, new_context


def init_template_context(app: Flask) -> None:
    """Before the first template is loaded: templates are made of this class from then on."""
    app.jinja_env.template_class = LayeredGlobalsTemplate


class LayeredGlobalsTemplate(Template):
    def new_context(self, vars=None, shared=False, locals=None) -> Context:
        template_globals = self.globals
        if type(template_globals) is ChainMap:
            maps = template_globals.maps
            if len(maps) == 2 and not maps[0]:  # (the template's own, the environment's)
                template_globals = maps[1]
        return new_context(
            self.environment, self.name, self.blocks, vars, shared, template_globals, locals
        )

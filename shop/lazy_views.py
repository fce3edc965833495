"""The back office's views, imported by a worker on the first request to one of their pages.

A storefront worker never opens a back-office page, yet importing those views (their forms,
services and helpers: ~100 modules) cost every worker ~6 MB (issue 16). So each back-office
blueprint is registered from shop/lazy_routes.py, a table written from the eager app by
`python -m shop.lazy_views`: its URL rules (url_for and `flask routes` see every one), each
view's name, module and access rule (shop/auth/policy.py, the private-page headers and the
access matrix read them), whether CSRF exempts it, and the template filters and globals the
blueprint adds app-wide. Each view, filter and global is a stub until first called; the
first call imports the module (once, under a lock: two threads may arrive together) and
hands over to the real function.

A blueprint can be lazy only if it has no request hooks, error handlers or context
processors of its own (writing the table refuses one that has); tests/test_lazy_views.py
checks the table against the eager app, so a route added without rewriting the table fails.
"""

import importlib
import pprint
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace

from flask import Blueprint, Flask

# The back office and what only signed-in members, admins and the operator open.
LAZY_MODULES = (
    "shop.operator.views", "shop.coops.views", "shop.fulfilment.views", "shop.payouts.views",
    "shop.reports.views", "shop.notifications.views", "shop.jobs.views", "shop.products.views",
    "shop.dashboards.views", "shop.sales.views", "shop.audit.views", "shop.reviews.views",
    "shop.savings.views", "shop.shu.views", "shop.reconciliation.views", "shop.rat.views",
    "shop.supervision.views", "shop.payouts.iris_webhook",
)  # fmt: skip
TABLE_FILE = Path(__file__).with_name("lazy_routes.py")
# Blueprint attributes holding hooks that would have to run before the module is imported.
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "error_handler_spec", "url_value_preprocessors", "url_default_functions",
         "template_context_processors")  # fmt: skip


class _Module:
    """One lazy blueprint's module: its real views, filters and globals once imported."""

    def __init__(self, app: Flask, name: str, global_values: tuple[str, ...]):
        self._app = app
        self._name = name
        self._global_values = global_values
        self._lock = threading.Lock()
        self._functions: dict[str, Callable] | None = None

    def function(self, key: str) -> Callable:
        functions = self._functions
        if functions is None:
            with self._lock:
                if self._functions is None:
                    self._functions = self._load()
            functions = self._functions
        return functions[key]

    def _load(self) -> dict[str, Callable]:
        recorded = record(importlib.import_module(self._name).bp)
        for name in self._global_values:  # values, not functions: set for the module's pages
            self._app.jinja_env.globals[name] = recorded.globals[name]
        return {
            **{f"view:{endpoint}": view for endpoint, view in recorded.views.items()},
            **{f"filter:{name}": f for name, f in recorded.filters.items()},
            **{f"global:{name}": f for name, f in recorded.globals.items()},
        }


def register_lazily(app: Flask, module_name: str, entry: dict) -> None:
    """The blueprint of `module_name` from its entry in shop/lazy_routes.BLUEPRINTS, each
    view, filter and global a stub that imports the module when first called."""
    from shop.extensions import csrf

    module = _Module(app, module_name, tuple(entry["global_values"]))
    bp = Blueprint(entry["name"], module_name)
    for rule, endpoint, methods, options, view in entry["rules"]:
        stub = _stub(module, f"view:{endpoint}", view["name"], module_name)
        stub.access_rule = view["access_rule"]
        if view["csrf_exempt"]:
            csrf.exempt(f"{module_name}.{view['name']}")
        local_endpoint = endpoint.split(".", 1)[1]
        bp.add_url_rule(rule, local_endpoint, stub, methods=methods, **options)
    app.register_blueprint(bp)
    for name in entry["filters"]:
        app.jinja_env.filters[name] = _stub(module, f"filter:{name}", name, module_name)
    for name in entry["global_functions"]:
        app.jinja_env.globals[name] = _stub(module, f"global:{name}", name, module_name)
    for name in entry["global_values"]:  # a template of another module may read them first
        app.jinja_env.globals[name] = _LazyMapping(module, f"global:{name}")


class _LazyMapping(Mapping):
    """A label table (a global value) that imports its module when first read; the module's
    load then puts the real table in its place."""

    def __init__(self, module: _Module, key: str):
        self._module, self._key = module, key

    def __getitem__(self, key):
        return self._module.function(self._key)[key]

    def __iter__(self):
        return iter(self._module.function(self._key))

    def __len__(self) -> int:
        return len(self._module.function(self._key))


def _stub(module: _Module, key: str, name: str, module_name: str) -> Callable:
    def stub(*args, **kwargs):
        return module.function(key)(*args, **kwargs)

    stub.__name__ = stub.__qualname__ = name
    stub.__module__ = module_name  # Flask-WTF's CSRF exemptions are by module and name
    return stub


def record(bp: Blueprint) -> SimpleNamespace:
    """What registering `bp` would give the app: views by endpoint, filters and globals."""
    fresh = Blueprint("fresh", __name__)  # what every blueprint has (Flask's own processor)
    for hooks in HOOKS:
        if _non_empty(getattr(bp, hooks)) != _non_empty(getattr(fresh, hooks)):
            raise ValueError(f"blueprint {bp.name} has {hooks}: it cannot be loaded lazily")
    environment = SimpleNamespace(filters={}, globals={}, tests={})
    state = _RecordingState(bp, SimpleNamespace(jinja_env=environment))
    for deferred in bp.deferred_functions:
        deferred(state)
    if environment.tests:
        raise ValueError(f"blueprint {bp.name} adds template tests: not supported lazily")
    for name, function in {**environment.filters, **environment.globals}.items():
        if hasattr(function, "jinja_pass_arg"):  # a stub cannot pass Jinja's context along
            raise ValueError(f"{bp.name}'s {name} takes Jinja's context: it cannot be lazy")
    return SimpleNamespace(
        views=state.views, filters=environment.filters, globals=environment.globals
    )


def _non_empty(hooks: dict) -> dict:
    return {key: value for key, value in hooks.items() if value}


class _RecordingState:
    """Stands in for Flask's BlueprintSetupState: records instead of registering."""

    first_registration = True

    def __init__(self, bp: Blueprint, app: SimpleNamespace):
        self.blueprint, self.app, self.views = bp, app, {}

    def add_url_rule(self, rule, endpoint=None, view_func=None, **options) -> None:
        self.views[f"{self.blueprint.name}.{endpoint or view_func.__name__}"] = view_func


def table_of(app: Flask) -> dict:
    """shop/lazy_routes.BLUEPRINTS as the eagerly built `app` has it."""
    from shop.extensions import csrf

    table = {}
    for module_name in LAZY_MODULES:
        bp = importlib.import_module(module_name).bp
        recorded = record(bp)
        rules = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint, rule.rule)):
            if rule.endpoint not in recorded.views:
                continue
            view = recorded.views[rule.endpoint]
            options = {"defaults": rule.defaults} if rule.defaults else {}
            if not rule.strict_slashes:
                options["strict_slashes"] = False
            methods = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
            attributes = {
                "name": view.__name__,
                "access_rule": getattr(view, "access_rule", None),
                "csrf_exempt": f"{view.__module__}.{view.__name__}" in csrf._exempt_views,
            }
            rules.append((rule.rule, rule.endpoint, methods, options, attributes))
        values = sorted(name for name, value in recorded.globals.items() if not callable(value))
        for name in values:
            if not isinstance(recorded.globals[name], Mapping):
                raise ValueError(f"{module_name}: global {name} is neither a function nor a table")
        table[module_name] = {
            "name": bp.name,
            "rules": rules,
            "filters": sorted(recorded.filters),
            "global_functions": sorted(set(recorded.globals) - set(values)),
            "global_values": values,
        }
    return table


def write_table() -> None:
    """Writes shop/lazy_routes.py from the app built with every blueprint imported."""
    from shop import create_app

    app = create_app(LAZY_VIEWS=False)
    text = (
        '"""Written by `python -m shop.lazy_views` (shop/lazy_views.py): do not edit."""\n\n'
        f"BLUEPRINTS = {pprint.pformat(table_of(app), width=100, sort_dicts=True)}\n"
    )
    TABLE_FILE.write_text(text)
    print(f"wrote {TABLE_FILE}", file=sys.stderr)


if __name__ == "__main__":
    write_table()

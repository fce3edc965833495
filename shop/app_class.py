"""The application's Flask class: Flask, with less work around each request's hooks.

Flask hands every view, before- and after-request hook, teardown and context processor
(about ten a request) to ensure_sync, which asks inspect whether it is a coroutine function,
unwrapping methods and partials each time. Ours are plain functions: such a function is
returned at once, as inspect would have it; anything else still goes through Flask's check.
"""

from inspect import CO_COROUTINE
from types import FunctionType

from flask import Flask


class ShopFlask(Flask):
    def ensure_sync(self, func):
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and getattr(func, "_is_coroutine_marker", None) is None  # inspect.markcoroutinefunction
        ):
            return func
        return super().ensure_sync(func)

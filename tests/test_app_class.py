"""shop/app_class.py: plain functions are handed back by ensure_sync without inspect's
check; a coroutine function is still made synchronous by Flask."""

import asyncio
import inspect

import pytest


def test_a_plain_function_is_returned_without_inspecting_it(app, monkeypatch):
    def view():
        return "page"

    def refuse(func):
        raise AssertionError("inspected")

    monkeypatch.setattr("flask.app.iscoroutinefunction", refuse)
    assert app.ensure_sync(view) is view


def test_a_coroutine_function_is_still_made_synchronous(app):
    pytest.importorskip("asgiref")

    async def view():
        await asyncio.sleep(0)
        return "page"

    wrapped = app.ensure_sync(view)
    assert wrapped is not view and not inspect.iscoroutinefunction(wrapped)


def test_a_bound_method_goes_through_flasks_check(app):
    class Hooks:
        def after(self, response):
            return response

    method = Hooks().after
    assert app.ensure_sync(method) == method

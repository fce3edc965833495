"""shop/template_context.py: a render's context is made from the environment's globals in one
copy, and holds the same names and values as Jinja's own way; a template with globals of its
own keeps them."""

from collections import ChainMap

from flask import render_template_string


def test_a_render_copies_the_environments_globals_without_asking_the_chain(app, monkeypatch):
    asked = []
    original = ChainMap.__getitem__

    def counting(self, key):
        asked.append(key)
        return original(self, key)

    monkeypatch.setattr(ChainMap, "__getitem__", counting)
    with app.test_request_context("/"):
        assert render_template_string("{{ LANGUAGE_NAMES['en'] }}") == "English"
    assert asked == []


def test_the_context_holds_what_jinjas_would(app):
    template = app.jinja_env.from_string("x")
    context = template.new_context({"page": 1})
    assert context.parent == {**app.jinja_env.globals, "page": 1}
    assert context.globals_keys == set(app.jinja_env.globals)


def test_a_template_with_globals_of_its_own_keeps_them(app):
    template = app.jinja_env.from_string("{{ own }} {{ LANGUAGE_NAMES['id'] }}", {"own": "mine"})
    assert template.render() == "mine Bahasa Indonesia"

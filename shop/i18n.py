"""Language choice (Indonesian unless the visitor picks English) and the Jinja filters."""

import pickle
from functools import cache

from babel import Locale
from flask import Flask, current_app, has_request_context, session
from flask.globals import _cv_app
from flask_babel import (
    Domain,
    format_date,
    format_datetime,
    format_timedelta,
    get_locale,
    get_translations,
)
from jinja2 import pass_context, pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup

from shop.money import format_bp_as_percent, format_rupiah, format_rupiah_html, member_receives
from shop.seo.services import absolute_url, canonical_url
from shop.timeutil import utcnow

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> str:
    """The visitor's chosen language; Indonesian outside a request (CLI, mail jobs)."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in current_app.config["LANGUAGES"]:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale_kept() -> Locale:
    """select_locale()'s language as a Locale kept for the process: Flask-Babel parses the
    selector's string into a new Locale on every request, and a new Locale loads its data
    anew when a page formats a date or a number."""
    return _kept_locale(select_locale())


@cache
def _kept_locale(language: str) -> Locale:
    return Locale.parse(language)


def current_language() -> str:
    """The language a page is written in: the visitor's choice as Flask-Babel keeps it for
    the request (read from the session once, not at each of a page's calls), or the one
    force_locale() sets."""
    return _for_locale("shop_language", _language)


def _language() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else select_locale()


def _translations():
    """Flask-Babel's translations for the request's locale: the templates' _() went through
    three lookups of the request's Babel state for each of a page's 30-40 strings."""
    return _for_locale("shop_translations", get_translations)


def _for_locale(name: str, make):
    """make() once for the request's locale, kept beside it in Flask-Babel's request state
    (g._flask_babel) under `name`: Flask-Babel's own lookups cost a few of the request's
    context-local proxies each, and str() of a locale builds the string anew. A locale forced
    or refreshed since is another object, so it is seen. The state is read from the app
    context itself (Flask's context variable), not through the proxy `g`: a page asks 5-30
    times."""
    state = _babel_state()
    if state is not None:
        kept, locale = state.get(name), state.get("babel_locale")
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
    value = make()
    state = _babel_state()  # make() has set the locale
    if state is not None and state.get("babel_locale") is not None:
        state[name] = (state["babel_locale"], value)
    return value


def _babel_state() -> dict | None:
    """The attributes of Flask-Babel's request state (a SimpleNamespace), if it has one yet."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    namespace = app_context.g.__dict__.get("_flask_babel")
    return None if namespace is None else namespace.__dict__


class RequestCachedDomain(Domain):
    """Flask-Babel's default domain, its translations looked up once per request and locale.

    Python code's gettext (flash messages, labels, form errors: 40-50 calls on an order page)
    went through Flask-Babel's lookup of the request's domain, locale and translations on
    each call, a dozen context-local proxies and a str() of the locale every time: a sixth of
    the order page's CPU. The translations found are the same (_for_locale sees a forced or
    refreshed locale)."""

    def get_translations(self):
        return _for_locale("shop_translations", super().get_translations)


def install_fast_gettext(app: Flask) -> None:
    """The templates' gettext callables, as Flask-Babel installs them but for the lookup."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["_"] = _template_gettext


@pass_context
def _template_gettext(context: Context, string: str, /, **variables) -> str:
    """The templates' _(), as Jinja's newstyle gettext does it (the translation made Markup
    when autoescaping, then always formatted with the variables, which are escaped), in one
    call: Jinja's _ looks up the template's `gettext` and calls it, which calls ours, each
    through the context's call(): 20-40 a page)."""
    translated = _translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # Our own catalog's text, as Jinja's gettext marks it; the variables are escaped by %.
        translated = Markup(translated)  # nosec B704
    return translated % variables


def load_locale_data(languages: tuple[str, ...]) -> None:
    """Babel's data for our languages, loaded as Babel loads a language without a region
    (the root locale's data, then the language's own), but without Babel's global.dat.

    Babel unpickles the whole of global.dat (2.2 MB a process) only to look up whether the
    language has a parent other than root. None of ours has (tests/test_i18n_memory.py
    compares the result with Babel's own): a worker serving pages then never loads the
    file; anything else that needs it (time-zone names, say) still loads it on first use.
    """
    from babel import localedata

    with localedata._cache_lock:  # Babel's own cache of loaded locales, shared by threads
        for language in languages:
            if language in localedata._cache:
                continue
            data = localedata.load("root").copy()
            with open(localedata.resolve_locale_filename(language), "rb") as file:
                # Babel's own data file, installed with it, which Babel itself unpickles.
                localedata.merge(data, pickle.load(file))  # noqa: S301  # nosec B301
            localedata._cache[language] = data


@pass_eval_context
def rupiah(eval_context: EvalContext, amount: int | None) -> str:
    """|rupiah: "Rp 25.000" with a no-break space in a page, a plain one in a text mail (a
    .txt template, not escaped), which must read as any other text."""
    return format_rupiah_html(amount) if eval_context.autoescape else format_rupiah(amount)


def register_filters(app: Flask) -> None:
    install_fast_gettext(app)
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["percent_bp"] = format_bp_as_percent
    app.jinja_env.globals["member_receives"] = member_receives
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    # How long ago, in words ("3 hari"): how late a waiting order is.
    app.jinja_env.filters["age"] = lambda moment: (
        format_timedelta(utcnow() - moment, threshold=1) if moment else ""
    )
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["canonical_url"] = canonical_url

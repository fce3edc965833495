"""The filters every listing offers (search, category, cooperative and member pages), as one
table: the query-string arguments each one reads and the chip that shows it is on. A chip
is a plain link to the same listing without that filter, so it works without JavaScript.

The arguments are read by shop/search/forms.py and applied by statements.ids_statement;
a page that sets a filter itself (a category page's category) neither shows it nor offers
to remove it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from shop.i18n import current_language
from shop.money import format_rupiah_html
from shop.search.forms import SearchForm
from shop.search.services import FilterChoices, SearchParams


@dataclass(frozen=True)
class Chip:
    label: str
    args: dict[str, str]  # the listing's query string without this filter (first page)


@dataclass(frozen=True)
class Filter:
    name: str  # as in SearchParams, SearchForm.notes and a page's fixed filters
    args: tuple[str, ...]  # the query-string arguments it reads
    describe: Callable[[SearchParams, FilterChoices], str | None]  # None: not on


def _words(params: SearchParams, choices: FilterChoices) -> str | None:
    return _("Words: %(words)s", words=params.q) if params.q else None


def _category(params: SearchParams, choices: FilterChoices) -> str | None:
    chosen = next((c for c in choices.categories if c.slug == params.category), None)
    return chosen.name_in(current_language()) if chosen else None


def _cooperative(params: SearchParams, choices: FilterChoices) -> str | None:
    chosen = next((c for c in choices.cooperatives if c.slug == params.cooperative), None)
    return chosen.name if chosen else None


def _price(params: SearchParams, choices: FilterChoices) -> str | None:
    low, high = params.min_price, params.max_price
    if low is not None and high is not None:
        return f"{format_rupiah_html(low)} – {format_rupiah_html(high)}"
    if low is not None:
        return _("From %(price)s", price=format_rupiah_html(low))
    if high is not None:
        return _("Up to %(price)s", price=format_rupiah_html(high))
    return None


def _in_stock(params: SearchParams, choices: FilterChoices) -> str | None:
    return _("In stock only") if params.in_stock else None


FILTERS = (
    Filter("q", ("q",), _words),
    Filter("category", ("category",), _category),
    Filter("cooperative", ("cooperative",), _cooperative),
    Filter("price", ("min_price", "max_price"), _price),
    Filter("in_stock", ("in_stock",), _in_stock),
)


def active_chips(form: SearchForm, choices: FilterChoices) -> list[Chip]:
    """A chip for each filter that is on and that the page does not set itself."""
    args = form.url_args()
    chips = []
    for item in FILTERS:
        if item.name in form.fixed:
            continue
        label = item.describe(form.params, choices)
        if label:
            rest = {name: value for name, value in args.items() if name not in item.args}
            chips.append(Chip(label, rest))
    return chips

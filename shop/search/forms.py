"""The search form: whatever arrives in the query string becomes SearchParams, and what had
to be ignored becomes a note for the shopper. It never fails."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from shop.money import parse_rupiah
from shop.pagination import parse_page_number
from shop.search.services import FilterChoices, SearchParams
from shop.search.sorts import SORTS

MAX_QUERY_LENGTH = 100
MAX_ECHO = 40  # characters of a filter's value kept: enough for a slug or a price

_TRUE = {"1", "on", "true", "yes", "ya"}

# What the shopper is told when a filter's value is dropped.
REJECTED = {
    "min_price": _l("The lowest price “%(value)s” is not an amount in Rupiah, so it was ignored."),
    "max_price": _l("The highest price “%(value)s” is not an amount in Rupiah, so it was ignored."),
    "category": _l("There is no category “%(value)s”, so every category is shown."),
    "cooperative": _l(
        "There is no cooperative “%(value)s” selling here, so every cooperative is shown."
    ),
}


@dataclass(frozen=True)
class SearchForm:
    params: SearchParams
    min_price_text: str = ""  # as typed, shown back in the form
    max_price_text: str = ""
    # What was ignored and why, by field (q, min_price, max_price, category, cooperative),
    # to show next to that field.
    notes: dict[str, str] = field(default_factory=dict)
    fixed: frozenset[str] = frozenset()  # what the page sets itself, never in its links

    @property
    def has_filter_notes(self) -> bool:
        """Whether a filter was ignored: the filters are then shown open."""
        return any(name != "q" for name in self.notes)

    def url_args(self) -> dict[str, str]:
        """The search as query-string arguments, first page, without empty or rejected values."""
        params = self.params
        args = {
            "q": params.q,
            "category": params.category or "",
            "cooperative": params.cooperative or "",
            "min_price": "" if params.min_price is None else str(params.min_price),
            "max_price": "" if params.max_price is None else str(params.max_price),
            "in_stock": "1" if params.in_stock else "",
            "sort": params.sort or "",
        }
        return {name: value for name, value in args.items() if value and name not in self.fixed}


def parse_search_args(
    args: Mapping[str, str], choices: FilterChoices, fixed: Mapping[str, object] | None = None
) -> SearchForm:
    """SearchParams from request arguments; each value we cannot use is dropped with a note.
    `fixed` holds what the page itself sets (a category page's category): the arguments of
    the same names are ignored."""
    fixed = fixed or {}
    args = {name: value for name, value in args.items() if name not in fixed}
    notes: dict[str, str] = {}

    def reject(name: str) -> None:
        notes[name] = REJECTED[name] % {"value": _typed(args, name)}

    q = " ".join((args.get("q") or "").split())[:MAX_QUERY_LENGTH]
    min_text, max_text = _typed(args, "min_price"), _typed(args, "max_price")
    min_price, max_price = parse_rupiah(min_text), parse_rupiah(max_text)
    for name, text, amount in (
        ("min_price", min_text, min_price),
        ("max_price", max_text, max_price),
    ):
        if text and amount is None:
            reject(name)
    if min_price is not None and max_price is not None and min_price > max_price:
        min_price, max_price, min_text, max_text = max_price, min_price, max_text, min_text
        notes["max_price"] = _("The lowest price was above the highest, so the two were swapped.")
    category, cooperative = _typed(args, "category"), _typed(args, "cooperative")
    if category and not choices.has_category(category):
        reject("category")
        category = ""
    if cooperative and not choices.has_cooperative(cooperative):
        reject("cooperative")
        cooperative = ""
    params = SearchParams(
        q=q,
        category=category or None,
        cooperative=cooperative or None,
        min_price=min_price,
        max_price=max_price,
        in_stock=_typed(args, "in_stock").lower() in _TRUE,
        sort=_sort(args.get("sort")),
        page=parse_page_number(args.get("page")),
    )
    params = replace(params, **fixed)
    if q and not params.terms:
        notes["q"] = _("Your search has no letters or numbers to look for. Please type a word.")
    return SearchForm(params, min_text, max_text, notes, frozenset(fixed))


def _typed(args: Mapping[str, str], name: str) -> str:
    """A filter's value as sent, trimmed to what a note or an input may repeat."""
    return (args.get(name) or "").strip()[:MAX_ECHO]


def _sort(raw: str | None) -> str | None:
    return raw if raw in SORTS else None  # unknown or missing: the default order for the query

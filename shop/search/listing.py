"""A listing as a page shows it: the search, category, cooperative and member pages all read
the same arguments, show the same filters, chips and sorts, and run the same search."""

from collections.abc import Mapping
from dataclasses import dataclass, replace

from shop.pagination import Page
from shop.search.filters import Chip, active_chips
from shop.search.forms import SearchForm, parse_search_args
from shop.search.services import FilterChoices, search_products
from shop.search.sorts import SORTS
from shop.search.vocabulary import corrections


@dataclass(frozen=True)
class Listing:
    form: SearchForm
    choices: FilterChoices
    page: Page
    chips: list[Chip]
    # "Did you mean": the corrected words, when the typed ones found nothing and these did
    # (the page then shows these words' results).
    corrected_q: str | None = None

    @property
    def sorts(self):
        return SORTS.values()

    def url_args(self, **changes: str) -> dict[str, str]:
        return self.form.url_args() | changes


def list_products(
    args: Mapping[str, str], choices: FilterChoices, fixed: Mapping[str, object] | None = None
) -> Listing:
    """The listing these request arguments ask for, within what the page fixes. A search for
    words that finds nothing is tried once more with each unknown word replaced by the
    closest word of the catalog ('kripik' -> 'keripik'): one query to the vocabulary, and a
    second search only when there is something to correct."""
    form = parse_search_args(args, choices, fixed)
    params = form.params
    page = search_products(params)
    corrected_q = None
    if page.total == 0 and params.terms:
        closest = corrections(params.terms)
        if closest:
            words = " ".join(closest.get(term.lower(), term) for term in params.terms)
            retried = search_products(replace(params, q=words))
            if retried.total:
                page, corrected_q = retried, words
    return Listing(form, choices, page, active_chips(form, choices), corrected_q)

"""Page weight of the home, category and product pages as a phone downloads them, product
photos excluded: the HTML and every stylesheet, script, font, icon and non-product image it
pulls in, each gzip-compressed; and every request that leaves our origin.

    .venv/bin/python bench/page_weight.py --database-url sqlite:///bench/results/pasar_10k.db
    .venv/bin/python bench/page_weight.py --base-url http://127.0.0.1:8000   # a running server

The budget (the storefront issue) is 60 KB transferred per page with gzip, and no
render-blocking third-party request. Sizes are gzip level 6 (--level), a common nginx
setting (nginx's own default, gzip_comp_level 1, compresses less). Response headers are
counted separately: they are sent uncompressed over HTTP/1.1 and compressed over HTTP/2.
Anchors to other sites (WhatsApp links) are listed but cost nothing until followed.
"""

import argparse
import gzip
import re
import urllib.request
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from common import describe_url, make_app, resolve_database_url

BUDGET_BYTES = 60 * 1024
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)
PRODUCT_PHOTO_PREFIXES = ("/media/",)  # excluded from the budget by the issue
REQUESTING_LINK_RELS = {
    "stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
    "icon", "shortcut", "apple-touch-icon", "manifest",
}  # fmt: skip
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


@dataclass
class Resource:
    url: str
    kind: str  # stylesheet, script, image, font, icon...
    render_blocking: bool = False


@dataclass
class PageParts:
    resources: list[Resource] = field(default_factory=list)
    outbound_links: list[str] = field(default_factory=list)
    product_links: list[str] = field(default_factory=list)


class ResourceFinder(HTMLParser):
    """What a browser would request while loading the page, from its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.parts = PageParts()
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif tag == "link":
            self._link(attributes)
        elif tag == "script" and attributes.get("src"):
            deferred = "async" in attributes or "defer" in attributes
            deferred = deferred or attributes.get("type") == "module"
            self._add(attributes["src"], "script", self.in_head and not deferred)
        elif tag in ("img", "source", "iframe", "video", "audio", "embed"):
            self._media(tag, attributes)
        elif tag == "a" and attributes.get("href"):
            self._anchor(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False

    def _add(self, url: str, kind: str, render_blocking: bool = False) -> None:
        self.parts.resources.append(Resource(url, kind, render_blocking))

    def _link(self, attributes: dict[str, str]) -> None:
        rels = set(attributes.get("rel", "").lower().split())
        if not rels & REQUESTING_LINK_RELS or not attributes.get("href"):
            return
        if "stylesheet" in rels:
            blocking = attributes.get("media", "all") in ("all", "screen", "")
            self._add(attributes["href"], "stylesheet", blocking)
        else:
            self._add(attributes["href"], "/".join(sorted(rels & REQUESTING_LINK_RELS)))

    def _media(self, tag: str, attributes: dict[str, str]) -> None:
        urls = [attributes["src"]] if attributes.get("src") else []
        for candidate in attributes.get("srcset", "").split(","):
            if candidate.strip():
                urls.append(candidate.split()[0])
        for url in urls:
            self._add(url, "iframe" if tag == "iframe" else "image")

    def _anchor(self, attributes: dict[str, str]) -> None:
        href = attributes["href"]
        if urlsplit(href).netloc:
            self.parts.outbound_links.append(href)
        if "product-link" in attributes.get("class", "").split():
            self.parts.product_links.append(href)


class Fetcher:
    """GET through a running server (--base-url) or the app's test client."""

    def __init__(self, base_url: str | None, database_url: str | None) -> None:
        self.base_url = base_url or "http://localhost"
        self.client = None
        if base_url is None:
            app = make_app(resolve_database_url(database_url), PAGE_CACHE_SECONDS=0)
            self.client = app.test_client(use_cookies=False)

    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def get(self, url: str) -> tuple[int, dict[str, str], bytes]:
        headers = {"User-Agent": PHONE_USER_AGENT, "Accept-Encoding": "identity"}
        if self.client is not None:
            response = self.client.get(urlsplit(url).path or "/", headers=headers)
            return response.status_code, dict(response.headers), response.get_data()
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()


def header_bytes(status: int, headers: dict[str, str]) -> int:
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers.items()]
    return len("\r\n".join(lines).encode()) + 4


def css_references(css: bytes, css_url: str) -> list[Resource]:
    found = []
    for match in CSS_URL.finditer(css.decode("utf-8", "replace")):
        reference = match.group(1) or match.group(2)
        if reference.startswith("data:"):
            continue
        kind = "stylesheet" if match.group(2) else "font/image (from CSS)"
        found.append(
            Resource(urljoin(css_url, reference), kind, render_blocking=bool(match.group(2)))
        )
    return found


@dataclass
class Row:
    url: str
    kind: str
    raw: int
    gzipped: int
    headers: int


def weigh(url: str, kind: str, fetched: tuple[int, dict[str, str], bytes], level: int) -> Row:
    status, headers, body = fetched
    return Row(url, kind, len(body), len(gzip.compress(body, level)), header_bytes(status, headers))


def weigh_page(fetcher: Fetcher, path: str, level: int) -> tuple[list[Row], PageParts, list]:
    """Rows for the page and every same-origin file it pulls in (stylesheets' own url()s
    and @imports too), its parts, and the resources it would request from other sites."""
    page_url = urljoin(fetcher.base_url, path)
    fetched = fetcher.get(page_url)
    if fetched[0] != 200:
        raise SystemExit(f"{path}: HTTP {fetched[0]}")
    finder = ResourceFinder()
    finder.feed(fetched[2].decode("utf-8", "replace"))
    rows = [weigh(path, "html", fetched, level)]
    third_party: list[Resource] = []
    pending = [replace(r, url=urljoin(page_url, r.url)) for r in finder.parts.resources]
    seen: set[str] = set()
    while pending:
        resource = pending.pop(0)
        if resource.url in seen:
            continue
        seen.add(resource.url)
        if not resource.url.startswith(fetcher.origin() + "/"):
            third_party.append(resource)
        elif not urlsplit(resource.url).path.startswith(PRODUCT_PHOTO_PREFIXES):
            fetched = fetcher.get(resource.url)
            rows.append(weigh(resource.url, resource.kind, fetched, level))
            if resource.kind == "stylesheet":
                pending += css_references(fetched[2], resource.url)
    return rows, finder.parts, third_party


def print_page(
    name: str, rows: list[Row], parts: PageParts, third_party: list[Resource], origin: str
) -> int:
    print(f"\n{name}")
    for row in rows:
        shown = row.url.removeprefix(origin)
        print(f"  {row.kind:<22} {row.raw:9,d} B raw {row.gzipped:9,d} B gzip  {shown}")
    total_gzip = sum(row.gzipped for row in rows)
    total_headers = sum(row.headers for row in rows)
    verdict = "within" if total_gzip + total_headers <= BUDGET_BYTES else "OVER"
    print(
        f"  total: {total_gzip:,d} B gzip + {total_headers:,d} B headers = "
        f"{(total_gzip + total_headers) / 1024:.1f} KB, {verdict} the {BUDGET_BYTES // 1024} KB "
        f"budget; {len(rows)} requests"
    )
    for resource in third_party:
        blocking = "RENDER-BLOCKING " if resource.render_blocking else ""
        print(f"  {blocking}third-party request: {resource.kind} {resource.url}")
    if not third_party:
        print("  third-party requests: none")
    outbound = sorted(set(urlsplit(link).netloc for link in parts.outbound_links))
    if outbound:
        print(f"  links to other sites (no request until followed): {', '.join(outbound)}")
    return total_gzip + total_headers


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="test-client mode: default DATABASE_URL or SQLite")
    parser.add_argument("--base-url", help="measure a running server instead of the test client")
    parser.add_argument("--category", default="/kategori/kuliner")
    parser.add_argument("--level", type=int, default=6, help="gzip level (nginx: gzip_comp_level)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    fetcher = Fetcher(args.base_url, args.database_url)
    source = args.base_url or describe_url(resolve_database_url(args.database_url))
    print(f"source: {source}  gzip level {args.level}  budget {BUDGET_BYTES // 1024} KB per page")
    totals = {}
    for name, path in (("home", "/"), ("category", args.category)):
        rows, parts, third_party = weigh_page(fetcher, path, args.level)
        totals[name] = print_page(f"{name}: {path}", rows, parts, third_party, fetcher.origin())
    if not parts.product_links:
        raise SystemExit(f"{args.category} lists no product: generate data first")
    product_path = urlsplit(parts.product_links[0]).path  # the category's first product
    rows, parts, third_party = weigh_page(fetcher, product_path, args.level)
    totals["product"] = print_page(
        f"product: {product_path}", rows, parts, third_party, fetcher.origin()
    )
    print(
        "\nsummary: " + ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in totals.items())
    )


if __name__ == "__main__":
    main()

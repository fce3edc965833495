"""Lighthouse (mobile) scores for the home, a category and a product page.

Usage: .venv/bin/python bench/lighthouse.py [--base-url http://127.0.0.1:5000]

Runs npm's lighthouse (fetched by npx on first use) with Debian's Chromium (CHROME_PATH) against
a running server, e.g. `make run`, or gunicorn on the demo data. Prints each category's score
and the audits that cost points. Targets from the storefront issue: performance >= 95,
accessibility 100, best practices >= 95, SEO 100.
"""

import argparse
import json
import os
import re
import subprocess
import tempfile
import urllib.request

LIGHTHOUSE = "lighthouse@12.8.2"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = "performance,accessibility,best-practices,seo"


def first_product_path(base_url: str) -> str:
    html = urllib.request.urlopen(base_url + "/kategori/kuliner").read().decode()
    return re.search(r'href="(/produk/[^"]+)"', html).group(1)


def run_lighthouse(url: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            ["npx", "--yes", LIGHTHOUSE, url, "--quiet", f"--chrome-flags={CHROME_FLAGS}",
             f"--only-categories={CATEGORIES}", "--output=json", f"--output-path={report.name}"],
            check=True,
            env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        )  # fmt: skip
        return json.load(open(report.name))


def lost_points(result: dict) -> list[str]:
    lost = []
    for name, category in result["categories"].items():
        for ref in category["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                lost.append(f"{name}: {ref['id']} {audit['score']} {audit.get('displayValue', '')}")
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    base_url = parser.parse_args().base_url.rstrip("/")
    for path in ("/", "/kategori/kuliner", first_product_path(base_url)):
        result = run_lighthouse(base_url + path)
        scores = {name: round(c["score"] * 100) for name, c in result["categories"].items()}
        print(f"{path:40} {scores}")
        for line in lost_points(result):
            print("    " + line)


if __name__ == "__main__":
    main()

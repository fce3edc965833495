"""HTML escaping for markup that Python writes as plain text (product cards, member lists).

markupsafe.escape returns a Markup, made by a Python __new__ that asks the text for an
__html__ method: about twice the cost of the five replacements themselves, for each of the
hundreds of values a listing escapes, only for the Markup to be turned back into text by the
f-string around it. escape_text writes exactly what markupsafe.escape writes for a str
(tests/test_html_text.py compares them on any text).
"""


def escape_text(text: str) -> str:
    """str(markupsafe.escape(text)) for a str: & < > " ' as &amp; &lt; &gt; &#34; &#39;."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )

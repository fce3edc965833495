"""A member's sales over time and their best products, drawn as server-side SVG charts."""

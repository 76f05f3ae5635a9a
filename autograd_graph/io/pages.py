"""Self-contained HTML pages: the head every page of the library shares.

The comparison report, the sweep report and the explorer are single files
that load nothing: a Content-Security-Policy that allows only what the page
holds inline, and an empty icon so that no browser asks for one.

Examples
--------
>>> head = page_head("a &amp; b", "default-src 'none'", "body { margin: 0 }")
>>> head.startswith("<!DOCTYPE html>") and head.endswith("</head>\\n")
True
>>> "<title>a &amp; b</title>" in head
True
"""

from __future__ import annotations

__all__ = ["page_head"]


def page_head(title: str, csp: str, style: str) -> str:
    """From ``<!DOCTYPE html>`` to ``</head>``: ``title`` (HTML, escaped already), policy ``csp``, ``style`` inline."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>{style}</style>
</head>
"""

"""Pages are served with a Content-Security-Policy that allows stylesheets from this site only
(``style-src 'self'``), so a ``<style>`` block or a ``style=`` attribute in a page is silently
ignored by the browser. Every page template (one that extends the site's base) keeps its styles
in a static stylesheet. Templates rendered to PDF (forms, receipts, rosters) are not served as
pages and may carry their own styles."""

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "yibao"


def test_no_page_template_carries_inline_styles():
    offenders = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        if '{% extends "web/base.html" %}' not in text:
            continue
        if "<style" in text or ' style="' in text:
            offenders.append(str(path.relative_to(SRC)))
    assert not offenders, f"inline styles the CSP refuses, move them to a static stylesheet: {offenders}"


def test_the_policy_refuses_inline_styles():
    from yibao.web.middleware import SecurityHeadersMiddleware

    assert "style-src 'self'" in SecurityHeadersMiddleware.CSP and "unsafe-inline" not in SecurityHeadersMiddleware.CSP

"""PDF documents laid out by WeasyPrint: A4 forms in the Noto CJK fonts of the system.

The fonts are embedded as subsets and nothing is fetched from anywhere: the url fetcher refuses
every URL, so a document is laid out from its own HTML and CSS alone. ``BASE_CSS`` is the page
set-up and typography the printed forms share; a document adds its own rules after it.

Layout of a long document takes a while (WeasyPrint lays out about 20 table rows a second), so
``write_pdf`` can report each page as it is laid out, for a progress bar.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

# Font stacks for CSS (constants of ours, safe to put into a <style> element as they are).
SANS: SafeString = mark_safe('"Noto Sans CJK SC", "Noto Sans CJK", sans-serif')
SERIF: SafeString = mark_safe('"Noto Serif CJK SC", "Noto Serif CJK", serif')

_BASE_CSS = f"""
@page {{
  size: A4;
  margin: 18mm 16mm 18mm 16mm;
  @bottom-center {{ content: "第 " counter(page) " 页 共 " counter(pages) " 页";
                   font-family: {SANS}; font-size: 8pt; color: #333; }}
}}
html {{ font-family: {SERIF}; font-size: 10.5pt; color: #000; }}
body {{ margin: 0; }}
h1 {{ font-family: {SERIF}; font-weight: bold; font-size: 19pt; text-align: center; margin: 0 0 1mm 0;
      letter-spacing: 0.5pt; }}
.subtitle {{ text-align: center; font-size: 11pt; margin: 0 0 3mm 0; }}
.meta {{ display: flex; justify-content: space-between; font-size: 9.5pt; margin: 0 0 1.5mm 0; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 0.6pt solid #000; }}
.num {{ text-align: right; font-family: {SANS}; white-space: nowrap; }}
.c {{ text-align: center; }}
.blank {{ display: inline-block; border-bottom: 0.6pt solid #000; }}
"""
# Our own fixed rules (the only values put in are the font stacks above), for a <style> element.
BASE_CSS: SafeString = mark_safe(_BASE_CSS)  # noqa: S308


def no_fetch_fetcher():
    """A URL fetcher that fetches nothing: the documents carry no external resources."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: a plain function is the fetcher
        def refuse(url, *args, **kwargs):
            raise ValueError(f"external resources are not loaded: {url[:80]}")

        return refuse

    class NoFetch(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"external resources are not loaded: {url[:80]}")

    return NoFetch()


class PageProgress(logging.Handler):
    """Turns WeasyPrint's layout log ("Step 5 - Creating layout - Page N") into ``progress(N)``
    calls, for the render running on this thread only (workers render several at once)."""

    def __init__(self, progress: Callable[[int], object]):
        super().__init__(logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and record.msg.startswith("Step 5 - Creating layout - Page") and record.args:
            self.progress(int(record.args[0]))


def write_pdf(document_html: str, progress: Callable[[int], object] | None = None) -> bytes:
    """The HTML document as a PDF. ``progress(page)`` is called as each page is laid out."""
    from weasyprint import HTML

    if progress is None:
        return HTML(string=document_html, base_url=None, url_fetcher=no_fetch_fetcher()).write_pdf()
    logger = logging.getLogger("weasyprint.progress")
    handler = PageProgress(progress)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        return HTML(string=document_html, base_url=None, url_fetcher=no_fetch_fetcher()).write_pdf()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def estimated_pages(rows: int, rows_per_page: int) -> int:
    """Pages a table of ``rows`` rows will take at ``rows_per_page`` a page (at least one), to
    size a progress bar before the layout is done."""
    return max(1, -(-rows // rows_per_page))

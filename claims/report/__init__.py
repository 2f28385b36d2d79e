"""What a run publishes for people: the HTML and Markdown report (``html``), its charts
(``chart``) and the Prefect artifacts (``artifacts``)."""

from claims.report.html import (
    DATA_DOCS_INDEX,
    counted,
    markdown_value,
    read_report,
    report_paths,
    safe_href,
    write_report,
)

__all__ = [
    "DATA_DOCS_INDEX",
    "counted",
    "markdown_value",
    "read_report",
    "report_paths",
    "safe_href",
    "write_report",
]

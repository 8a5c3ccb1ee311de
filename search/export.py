"""All results of a search (not one page) as CSV."""
from __future__ import annotations

import csv
import io

CSV_COLUMNS = ("id", "title", "date", "year", "lang", "score", "officials", "regions", "districts", "sectors", "place")


def csv_lines(engine, request):
    """The CSV export, a line at a time (the web app streams it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    rows = engine.export_rows(request)
    yield line(CSV_COLUMNS)
    for row in rows:
        yield line([";".join(v) if isinstance(v, list) else ("" if v is None else v) for v in (row[c] for c in CSV_COLUMNS)])


def write_csv(engine, request, out) -> None:
    for text in csv_lines(engine, request):
        out.write(text)

"""All results of a search (not one page) as CSV."""
from __future__ import annotations

import csv

CSV_COLUMNS = ("id", "title", "date", "year", "lang", "score", "officials", "regions", "districts", "sectors")


def write_csv(engine, request, out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in engine.export_rows(request):
        writer.writerow([";".join(v) if isinstance(v, list) else ("" if v is None else v) for v in (row[c] for c in CSV_COLUMNS)])

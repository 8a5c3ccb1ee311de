#!/usr/bin/env python3
"""Validate index/data/office_terms.tsv and print how well it covers the heads of the regions.

Checks: seven tab-separated columns; dates are YYYY-MM-DD, YYYY-MM or YYYY; start <= end; acting is 0 or 1;
regions are column 1 of regions.tsv (districts.tsv for полпред, empty for federal offices); within a region
(or, for federal offices, within an office) no two terms overlap. Terms may touch: a handover day is usually
both the last day of one holder and the first of the next.

Dates known only to the month or year are checked with their widest reading (earliest start, latest end)
for coverage and their narrowest reading for overlaps, so an approximate date never makes an error by itself;
the coverage report says which regions are covered only thanks to such dates.

Usage: python3 bench/check_office_terms.py [path/to/office_terms.tsv]
Exit status 1 when a line is malformed or two terms overlap, else 0.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "index" / "data"
TODAY = dt.date(2026, 12, 31)  # "still in office" is read as in office through the end of 2026
SINCE = (dt.date(2000, 1, 1), dt.date(2012, 1, 1))
# Subjects that did not exist (as subjects of the Russian Federation) on the dates above.
JOINED = {
    "Республика Крым": dt.date(2014, 3, 18),
    "Севастополь": dt.date(2014, 3, 18),
    "Донецкая Народная Республика": dt.date(2022, 9, 30),
    "Луганская Народная Республика": dt.date(2022, 9, 30),
    "Запорожская область": dt.date(2022, 9, 30),
    "Херсонская область": dt.date(2022, 9, 30),
    "Пермский край": dt.date(2005, 12, 1),
    "Камчатский край": dt.date(2007, 7, 1),
    "Забайкальский край": dt.date(2008, 3, 1),
}
# Offices held by several people at once: overlaps are checked per person only.
COLLECTIVE = {"заместитель председателя правительства", "первый заместитель председателя правительства"}
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def data_lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            out.append((no, line))
    return out


def first_column(path: Path) -> set[str]:
    return {line.split("\t")[0].strip() for _, line in data_lines(path)}


def parse(value: str) -> tuple[dt.date, dt.date, bool]:
    """(earliest, latest, exact) days a possibly partial ISO date can stand for."""
    m = DATE_RE.match(value)
    if not m:
        raise ValueError(f"bad date {value!r}")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if d:
        day = dt.date(y, int(mo), int(d))
        return day, day, True
    if mo:
        mo = int(mo)
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), False
    return dt.date(y, 1, 1), dt.date(y, 12, 31), False


def merge(intervals: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    out: list[list[dt.date]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + dt.timedelta(days=1):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def gaps(intervals, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    found, cursor = [], start
    for s, e in merge(intervals):
        if e < cursor:
            continue
        if s > cursor:
            found.append((cursor, min(s - dt.timedelta(days=1), end)))
        cursor = max(cursor, e + dt.timedelta(days=1))
        if cursor > end:
            break
    if cursor <= end:
        found.append((cursor, end))
    return [g for g in found if g[0] <= g[1]]


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DATA / "office_terms.tsv"
    regions = first_column(DATA / "regions.tsv")
    districts = first_column(DATA / "districts.tsv")
    errors: list[str] = []
    terms = []  # (key, person, office, s_lo, s_hi, e_lo, e_hi, exact, acting, lineno)
    unverified = partly = 0
    persons = set()
    for no, line in data_lines(path):
        cols = line.split("\t")
        if len(cols) != 7:
            errors.append(f"line {no}: {len(cols)} columns, expected 7")
            continue
        person, office, region, start, end, acting, source = (c.strip() for c in cols)
        if not person or not office or not start or not source:
            errors.append(f"line {no}: person, office, start and source are required")
            continue
        if len(person.split()) < 2:
            errors.append(f"line {no}: person {person!r} is not 'Имя Фамилия'")
        if acting not in ("0", "1"):
            errors.append(f"line {no}: acting must be 0 or 1, not {acting!r}")
        if office == "полпред":
            if region not in districts:
                errors.append(f"line {no}: {region!r} is not a district of districts.tsv")
        elif region and region not in regions:
            errors.append(f"line {no}: {region!r} is not a region of regions.tsv")
        try:
            s_lo, s_hi, s_exact = parse(start)
            if end:
                e_lo, e_hi, e_exact = parse(end)
            else:
                e_lo = e_hi = TODAY
                e_exact = True
        except ValueError as exc:
            errors.append(f"line {no}: {exc}")
            continue
        if s_lo > e_hi:
            errors.append(f"line {no}: start {start} is after end {end}")
        if not (s_exact and e_exact) and "unknown" not in source:
            errors.append(f"line {no}: a partial date needs 'day unknown' (or similar) in the source")
        if "from memory, unverified" in source:
            if source.startswith("from memory"):
                unverified += 1
            else:
                partly += 1
        persons.add(person)
        key = region if region else "(federal) " + office
        if office in COLLECTIVE:
            key += " / " + person  # several deputy prime ministers serve at once
        terms.append((key, person, office, s_lo, s_hi, e_lo, e_hi, s_exact and e_exact, acting, no))

    by_key = defaultdict(list)
    for t in terms:
        by_key[t[0]].append(t)
    for key, ts in by_key.items():
        ts.sort(key=lambda t: (t[3], t[5]))
        for a, b in zip(ts, ts[1:]):
            # Definite overlap: the later term surely starts before the earlier one surely ends.
            if b[4] < a[5]:
                errors.append(
                    f"{key}: lines {a[9]} ({a[1]}) and {b[9]} ({b[1]}) overlap"
                )

    heads = [t for t in terms if t[0] in regions]
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(terms)} terms, "
          f"{len(persons)} persons, {len(heads)} terms of regional heads in "
          f"{len({t[0] for t in heads})} of {len(regions)} regions")
    print(f"lines wholly from memory (unverified): {unverified}; lines with a part from memory: {partly}; "
          f"lines with a date known only to the month or year: {sum(1 for t in terms if not t[7])}")
    for since in sorted(SINCE, reverse=True):
        exact_ok, approx_ok, missing = [], [], []
        for region in sorted(regions):
            start = max(since, JOINED.get(region, since))
            ts = [t for t in heads if t[0] == region]
            wide = gaps([(t[3], t[6]) for t in ts], start, TODAY)
            narrow = gaps([(t[4], t[5]) for t in ts], start, TODAY)
            if not narrow:
                exact_ok.append(region)
            elif not wide:
                approx_ok.append(region)
            else:
                missing.append((region, wide))
        print(f"\nsince {since}: {len(exact_ok)} regions covered on every day, "
              f"{len(approx_ok)} covered only if approximate dates are read widely, "
              f"{len(missing)} with gaps")
        if approx_ok:
            print("  covered with approximate dates: " + ", ".join(approx_ok))
        for region, gs in missing:
            shown = "; ".join(f"{a}..{b}" for a, b in gs[:4]) + (" …" if len(gs) > 4 else "")
            print(f"  gap  {region}: {shown}")
    if errors:
        print(f"\n{len(errors)} errors:")
        for e in errors:
            print("  " + e)
        return 1
    print("\nno errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

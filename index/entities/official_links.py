"""Officials completed by the whole corpus's names, applied when the index is read.

The extractor links what it can as it reads a document: to the document's
own full names, the knowledge base, the names of earlier runs and those its
process has seen so far. A bare surname ("Шапши") or, in an Italian text, a
name in Latin script ("Vladislav Shapsha") may still be left, its full name
in a document read later, by another process or in a later run. The index
keeps such a name as the document gave it, and this file maps each one to
the one full name the corpus has for it (``persons.official_links``), or to
"" while it has none. The indexer writes the map with every commit, from the
names of every run so far; the query side reads it with the index and shows,
counts and filters every document under the linked names.

A one-word name the corpus never completes is an official only if some
document gives it a role word («губернатор Шапша») or it is a known
person's: otherwise it maps to ``NOT_AN_OFFICIAL`` («Главкнига», «Лексус»:
the NER model's persons that nothing vouches for), and the query side
leaves it out of the facet, the roles and the marked mentions. Which names
a role vouches for is kept beside the map (``VOUCHED_FILE``), for the runs
that follow.

So a document is written once; a later document that completes a name links
the earlier ones too, in this run or the next; and a name that turns out
ambiguous (a second full name with that surname) is unlinked everywhere.
The map is by name, not by document: a Latin-script name that links in an
Italian text links where a Russian text has it too.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "official-links.json"
VOUCHED_FILE = "official-vouched.json"  # one-word names a document gives a role
NOT_AN_OFFICIAL = "\x00"  # the link of a one-word name nothing vouches for


def load_links(index_dir: Path | str) -> dict[str, str] | None:
    """Every name that may link -> its full name, or "" if it has none yet;
    None if the file is missing or unreadable (an index written before the
    map, or a damaged file: the indexer then finds the names in the index)."""
    path = Path(index_dir) / FILE
    try:
        links = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in links.items()} if isinstance(links, dict) else None


def save_links(index_dir: Path | str, links: dict[str, str]) -> None:
    """Written whole and then renamed, so a reader never sees half of it."""
    _save(Path(index_dir) / FILE, links)


def load_vouched(index_dir: Path | str) -> set[str]:
    """The one-word names earlier runs saw with a role word; none if the
    file is missing (an index written before it: the run that reads it
    reprocesses every document) or unreadable."""
    try:
        names = json.loads((Path(index_dir) / VOUCHED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(n) for n in names} if isinstance(names, list) else set()


def save_vouched(index_dir: Path | str, names: set[str]) -> None:
    _save(Path(index_dir) / VOUCHED_FILE, sorted(names))


def _save(path: Path, value) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def facet_renames(links: dict[str, str]) -> dict[str, str]:
    """The links the query side applies: a name -> its full name, or
    ``NOT_AN_OFFICIAL``; names mapped to "" are left out (they stay)."""
    return {name: full for name, full in links.items() if full}


def relink_fields(fields: dict, linked: dict[str, str]) -> dict:
    """A document's stored fields with its officials renamed (a map from
    ``load_links``; names mapped to "" stay, to ``NOT_AN_OFFICIAL`` go, their
    mentions marked as persons): the facet's values, the roles and the
    marked mentions, so that the document page links a mention to the
    value the facet has. Returns a new dict; ``fields`` is unchanged."""
    names = [n for n in (fields.get("official") or "").split(",") if n]
    if not any(linked.get(n) for n in names):
        return fields
    officials = []
    for name in names:
        name = (linked.get(name) or name).replace(",", " ")
        if name not in officials and name != NOT_AN_OFFICIAL:
            officials.append(name)
    roles: dict[str, list[str]] = {}
    for name, stated in (fields.get("roles") or {}).items():
        if linked.get(name) == NOT_AN_OFFICIAL:
            continue
        merged = roles.setdefault(linked.get(name) or name, [])
        merged += [role for role in stated if role not in merged]
    spans = [_relinked_span(span, linked) for span in fields.get("entity_spans") or []]
    return {**fields, "official": ",".join(officials), "roles": roles, "entity_spans": spans}


def _relinked_span(span, linked: dict[str, str]) -> tuple:
    start, end, kind, value = span
    if kind != "official":
        return span
    full = linked.get(value) or value
    return (start, end, "person", value) if full == NOT_AN_OFFICIAL else (start, end, kind, full)

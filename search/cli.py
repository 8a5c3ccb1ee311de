"""``search-cli QUERY``: search the index from a terminal."""
from __future__ import annotations

import argparse
import json
import os
import sys

from index.config import resolve_index_dir

from . import highlight
from index.store.sphinx import BadBackendUrl

from .engine import BadRequest, IndexUnavailable, SearchRequest, make_engine, public_record
from .sphinx_backend import ClusterDown
from .export import write_csv

FILTER_OPTIONS = ("official", "region", "district", "sector", "place", "year", "lang")
VALUE_OPTIONS = {"--index", "--backend", "--limit", "--page", "--sort", "--format", "--color", "--official-info", *(f"--{name}" for name in FILTER_OPTIONS)}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2, no traceback
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="search-cli",
        description='Search Promsearch from a terminal. Words match in any form; "phrases", OR, NOT/-word, !exact, prefix*, title:word.',
    )
    parser.add_argument("query", nargs="*", help="the query (empty: browse everything, newest first)")
    parser.add_argument("--index", help="index directory (default: $PROMSEARCH_INDEX or var/index)")
    parser.add_argument("--backend", help="search a cluster instead: sphinx://HOST:PORT/INDEX (default: $PROMSEARCH_BACKEND)")
    parser.add_argument("--limit", type=int, default=10, help="results per page (1-100)")
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--sort", choices=("relevance", "date"), default="relevance")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--no-translate", action="store_true", help="no Russian<->Italian glossary expansion")
    parser.add_argument("--no-transliterate", action="store_true",
                        help="names only in the script typed (no Putin for Путин)")
    parser.add_argument("--no-entities", action="store_true",
                        help="no documents of the officials and places the words name, unless the words are in them")
    parser.add_argument("--no-inferred", action="store_true",
                        help="a region filter leaves out documents whose region is only inferred from an official")
    parser.add_argument("--no-collapse", action="store_true",
                        help="every copy of a story (default: one hit per story of near-duplicates, the best-ranked)")
    parser.add_argument("--count", choices=("documents", "stories"), default="documents",
                        help="what the facet counts count (JSON)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--official-info", metavar="NAME",
                        help="an official's terms of office, documents a year, regions and sectors (text or --format json)")
    for name in FILTER_OPTIONS:
        parser.add_argument(f"--{name}", action="append", default=[], metavar="VALUE", help=f"filter by {name} (repeatable: OR)")
    return parser


def _query_words_first(argv: list[str]) -> list[str]:
    """A query word may start with "-" (NOT: "-экспорт"); argparse would take
    it for an unknown option. It reads an argument with a space in it as a
    positional one, and the query's spaces do not matter."""
    out, previous = [], None
    for arg in argv:
        is_word = arg.startswith("-") and not arg.startswith("--") and arg not in ("-", "-h")
        out.append(" " + arg if is_word and previous not in VALUE_OPTIONS else arg)
        previous = arg
    return out


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so a closed pipe is met inside the try
        return status
    except BrokenPipeError:
        # The reader went away (search-cli ... | head): nothing left to say
        # to it. Python would complain about stdout again as it exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(_query_words_first(sys.argv[1:] if argv is None else argv))
    request = SearchRequest(
        q=" ".join(args.query),
        filters={name: getattr(args, name) for name in FILTER_OPTIONS if getattr(args, name)},
        sort=args.sort,
        page=args.page,
        per_page=args.limit,
        translate=not args.no_translate,
        transliterate=not args.no_transliterate,
        entities=not args.no_entities,
        inferred=not args.no_inferred,
        collapse=not args.no_collapse,
        count=args.count,
    )
    try:
        request.validate()
    except BadRequest as exc:
        print(f"search-cli: {exc}", file=sys.stderr)
        return 2
    try:
        engine = make_engine(resolve_index_dir(args.index), args.backend)
    except BadBackendUrl as exc:
        print(f"search-cli: {exc}", file=sys.stderr)
        return 2
    if args.official_info is not None:
        return _official_info(engine, args.official_info, args.format)
    try:
        if args.format == "csv":
            write_csv(engine, request, sys.stdout)
            return 0
        record = engine.search(request)
    except ClusterDown as exc:  # an unreachable cluster is the caller's to fix, like a bad URL
        print(f"search-cli: {exc}", file=sys.stderr)
        return 2
    except IndexUnavailable as exc:
        print(f"search-cli: {exc}", file=sys.stderr)
        return 1
    except BadRequest as exc:
        print(f"search-cli: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(public_record(record), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
        sys.stdout.write(render_text(record, color))
    return 0


def _official_info(engine, name: str, output: str) -> int:
    """``--official-info NAME``: the record ``/api/official/<name>`` serves;
    a name that names nobody, one line and exit status 2."""
    try:
        record = engine.official(name)
    except (ClusterDown, IndexUnavailable) as exc:
        print(f"search-cli: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ClusterDown) else 1
    if record["match"] == "none":
        like = ", ".join(s["name"] for s in record["suggestions"])
        print(f"search-cli: no official called {record['query']!r}" + (f"; spelled alike: {like}" if like else ""),
              file=sys.stderr)
        return 2
    if output == "json":
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_official(record))
    return 0


def render_official(record: dict) -> str:
    """An official's record as text: terms, documents a year, regions, sectors."""
    if record["match"] == "several":
        lines = [f"«{record['query']}» may be any of {len(record['candidates'])}:"]
        lines += [f"  {c['name']} ({_documents(c['documents'])})" + (f": {'; '.join(c['offices'])}" if c["offices"] else "")
                  for c in record["candidates"]]
        return "\n".join(lines) + "\n"
    lines = [f"{record['name']}: {_documents(record['documents'])}" + (f", {record['undated']} undated" if record["undated"] else "")]
    lines.append("Terms of office:" if record["terms"] else "Terms of office: none in the knowledge base")
    for term in record["terms"]:
        where = f", {term['region']}" if term["region"] else ""
        acting = "acting " if term["acting"] else ""
        unverified = " [unverified]" if not term["verified"] else ""
        lines.append(f"  {term['start']} – {term['end'] or 'in office'}  {acting}{term['office']}{where}{unverified}")
        lines += [f"      {url}" for url in term["sources"]]
    if record["years"]:
        lines.append("Documents a year: " + ", ".join(f"{y['value']}: {y['count']}" for y in record["years"]))
    if record["regions"]:
        lines.append("Regions: " + ", ".join(f"{r['value']} ({r['count']}" + (f", {r['inferred']} inferred)" if r["inferred"] else ")")
                                             for r in record["regions"]))
    if record["sectors"]:
        lines.append("Sectors: " + ", ".join(f"{s['value']} ({s['count']})" for s in record["sectors"]))
    return "\n".join(lines) + "\n"


def render_text(record: dict, color: bool) -> str:
    lines = []
    q = record["query"]
    unit = ("story", "stories") if record.get("collapsed") else ("result", "results")
    lines.append(f"{record['total']} {unit[record['total'] != 1]}" + (f" for «{q}»" if q else "")
                 + (f" (page {record['page']} of {record['pages']})" if record["pages"] > 1 else ""))
    if record["suggestion"]:
        lines.append(f"Did you mean: {record['suggestion']}")
    if record["ignored"]:
        lines.append("Ignored: " + "; ".join(record["ignored"]))
    for number, hit in enumerate(record["hits"], start=(record["page"] - 1) * record["per_page"] + 1):
        meta = ", ".join(x for x in (hit["date"] or "no date", hit["lang"], hit["id"]) if x)
        via = f" [via {hit['matched_via']}]" if hit["matched_via"] not in ("lemma", "exact") else ""
        lines.append("")
        lines.append(f"{number}. {hit['title']}  ({meta}){via}")
        for segs in hit["snippet_segments"]:
            lines.append("   " + highlight.to_terminal(segs, color))
        tags = [f"{name}: {', '.join(hit[name])}" for name in ("officials", "regions", "sectors") if hit[name]]
        tags += [f"place: {hit['place']}"] if hit.get("place") else []
        if hit.get("similar") and record.get("collapsed"):
            tags.append(f"{hit['similar']} similar (story {hit['story']}{', with a translation' if hit['translation'] else ''})")
        if tags:
            lines.append("   " + " | ".join(tags))
    explain = format_explain(record["explain"])
    entities = format_entities(record.get("entities") or [])
    if explain or entities:
        lines.append("")
    if explain:
        lines.append("Matched forms: " + explain)
    if entities:
        lines.append("Names: " + entities)
    return "\n".join(lines) + "\n"


def format_explain(explain: list[dict]) -> str:
    parts = []
    for item in explain:
        forms = ", ".join(f"{f['form']} ({f['count']})" for f in item["forms"]) or "no matches"
        label = f"{item['word']} -> {item['lemma']}" if item["word"] != item["lemma"] else item["word"]
        kind = " [glossary]" if item["glossary"] else " [transliteration]" if item.get("transliteration") else ""
        parts.append(f"{label}{kind}: {forms}")
    return "; ".join(parts)


def format_entities(entities: list[dict]) -> str:
    """What the query's words name: "Дегтярёв -> official Михаил Дегтярёв
    (15 documents; also Александр Дегтярев (1))", or the several a name may
    be, none of which is searched."""
    parts = []
    for item in entities:
        others = ", ".join(f"{c['value']} ({c['documents']})" for c in item["candidates"])
        if item["candidates_total"] > len(item["candidates"]):
            others += f" and {item['candidates_total'] - len(item['candidates'])} more"
        if item["entity"]:
            entity = item["entity"]
            also = f"; not {others}" if others else ""
            parts.append(f"{item['words']} -> {entity['facet']} {entity['value']} ({_documents(entity['documents'])}{also})")
        else:
            parts.append(f"{item['words']}: may be any of {others}; none searched (add a first name, or filter by one)")
    return "; ".join(parts)


def _documents(count: int) -> str:
    return f"{count} document{'' if count == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())

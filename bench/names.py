"""Officials and places typed three ways: how many documents each spelling
finds, with the words alone and with the search's expansions (entities,
the other script, the glossary), and how many the three share; then how
fast queries without results answer.

    python bench/names.py --index PATH            # a Markdown table and the latencies
    python bench/names.py --index PATH --json out.json

The README's table comes from an index of both real corpora
(../shared/corpora/ru_news.jsonl.gz and it_news.jsonl.gz).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index  # noqa: E402,F401  (sets one BLAS thread before numpy loads)

from search.engine import SearchEngine, SearchRequest  # noqa: E402

# (what it is, Russian, Latin (English or a transliteration scheme), Italian)
NAMES = [
    ("Владимир Путин", "Путин", "Putin", "Putin"),
    ("Михаил Мишустин", "Мишустин", "Mishustin", "Mishustin"),
    ("Дмитрий Медведев", "Медведева", "Medvedev", "Medvedev"),
    ("Сергей Лавров", "Лавров", "Lavrov", "Lavrov"),
    ("Сергей Шойгу", "Шойгу", "Shoigu", "Shoigu"),
    ("Рамзан Кадыров", "Кадыров", "Kadyrov", "Kadirov"),
    ("Сергей Собянин", "Собянин", "Sobyanin", "Sobjanin"),
    ("Денис Мантуров", "Мантуров", "Manturov", "Manturov"),
    ("Алексей Навальный", "Навальный", "Navalny", "Navalnyj"),
    ("Владимир Зеленский", "Зеленский", "Zelensky", "Zelenskij"),
    ("Михаил Горбачёв", "Горбачёв", "Gorbachev", "Gorbaciov"),
    ("Ангела Меркель", "Меркель", "Merkel", "Merkel"),
    ("Stefano Bonaccini", "Бонаккини", "Bonaccini", "Bonaccini"),
    ("Sergio Mattarella", "Маттарелла", "Mattarella", "Mattarella"),
    ("Москва", "Москва", "Moscow", "Mosca"),
    ("Санкт-Петербург", "Петербург", "Saint Petersburg", "San Pietroburgo"),
    ("Чеченская Республика", "Чечня", "Chechnya", "Cecenia"),
    ("Республика Крым", "Крым", "Crimea", "Crimea"),
    ("Республика Татарстан", "Татарстан", "Tatarstan", "Tatarstan"),
    ("Хабаровский край", "Хабаровск", "Khabarovsk", "Chabarovsk"),
]
NO_RESULTS = ["zzqxv", "губрнатор", "импортозамешение", "bvgjhnjpfvtotybt", "промышленость", "esportazzione",
              "qwertyuiop", "сельскохозяйственая", "xylofono", "metallurgico", "ghbdtn", "Шмудельбергер",
              "Glorbinski", "эксппорт", "industriall", "Ямало-Ненецкийй"]


def documents(engine: SearchEngine, q: str, expanded: bool) -> set[str]:
    request = SearchRequest(q, translate=expanded, transliterate=expanded, entities=expanded)
    return {row["id"] for row in engine.export_rows(request)}


def names_table(engine: SearchEngine) -> list[dict]:
    rows = []
    for name, *spellings in NAMES:
        found = [documents(engine, q, True) for q in spellings]
        alone = [documents(engine, q, False) for q in spellings]
        rows.append({"name": name, "spellings": spellings, "found": [len(f) for f in found],
                     "alone": [len(a) for a in alone], "shared": len(set.intersection(*found)),
                     "shared_alone": len(set.intersection(*alone))})
    return rows


def latencies(engine: SearchEngine, queries: list[str], rounds: int = 5) -> dict:
    for q in queries:
        engine.search(SearchRequest(q))  # warm: the view's spelling index is built on its first unknown word
    samples, totals = [], {}
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            totals[q] = engine.search(SearchRequest(q))["total"]
            samples.append(time.perf_counter() - started)
    ms = sorted(s * 1000 for s in samples)
    return {"queries": len(queries), "runs": len(samples), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1), "totals": totals}


def markdown(rows: list[dict]) -> str:
    lines = ["| official or place | Russian | Latin | Italian | shared by the three |",
             "|---|---|---|---|---|"]
    for r in rows:
        cells = [f"{q}: {n:,} ({a:,})" for q, n, a in zip(r["spellings"], r["found"], r["alone"])]
        lines.append(f"| {r['name']} | " + " | ".join(cells) + f" | {r['shared']:,} ({r['shared_alone']:,}) |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    engine = SearchEngine(args.index)
    engine.search(SearchRequest("промышленность"))
    rows = names_table(engine)
    print(markdown(rows))
    timing = latencies(engine, NO_RESULTS)
    print(f"\nqueries without results ({timing['queries']} queries, {timing['runs']} runs): "
          f"p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps({"names": rows, "no_results": timing}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

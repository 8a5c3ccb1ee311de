"""How selective the translation rule is on a real build: every Russian and
Italian pair of an index's documents that the rule even looks at (dated,
naming an official in common, in either script), and how many are left after
each of its tests in turn. The real corpora share no event (a Moscow daily,
a Modena paper), so every pair that passed would be a wrong merge: this
counts the unrelated pairs that come closest, and prints the ones that get
furthest for reading by hand.

    python bench/stories/translation_check.py --index DIR [--show 10]
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import date as Date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from index.stories.grouping import StoryIndex  # noqa: E402
from index.stories.settings import story_settings  # noqa: E402
from index.stories.state import load_state  # noqa: E402


def stages(index_dir: Path, show: int) -> int:
    settings = story_settings()
    state = load_state(index_dir, settings.permutations)
    if state is None:
        print(f"{index_dir}: no story state (built with --no-stories, or not an index)", file=sys.stderr)
        return 2
    by_key: dict[str, set[int]] = defaultdict(set)
    dated = [t for t in state.traits if t.date and t.lang in ("ru", "it")]
    for n, traits in enumerate(dated):
        for key in StoryIndex._official_keys(traits):
            by_key[key].add(n)
    pairs: set[tuple[int, int]] = set()
    for members in by_key.values():
        ru = [n for n in members if dated[n].lang == "ru"]
        it = [n for n in members if dated[n].lang == "it"]
        pairs.update((a, b) for a in ru for b in it)
    counts = {"an official in common (surname, either script)": len(pairs)}
    left = [(dated[a], dated[b]) for a, b in pairs
            if abs((Date.fromisoformat(dated[a].date) - Date.fromisoformat(dated[b].date)).days) <= settings.max_days_apart]
    counts[f"and dated at most {settings.max_days_apart} days apart"] = len(left)

    def shared_officials_ok(a, b) -> bool:
        shared = sum(1 for keys in a.officials if any(keys & other for other in b.officials))
        return shared >= settings.min_shared_officials and shared >= settings.min_official_overlap * min(
            len(a.officials), len(b.officials))

    left = [(a, b) for a, b in left if shared_officials_ok(a, b)]
    counts[f"and at least {settings.min_official_overlap:.0%} of the officials of the one naming fewer"] = len(left)
    left = [(a, b) for a, b in left if len(set(a.regions) & set(b.regions)) >= settings.min_shared_regions]
    counts["and a region in common"] = len(left)
    near = sorted(left, key=lambda p: -len(p[0].terms & p[1].terms))
    left = [(a, b) for a, b in left if len(a.terms & b.terms) >= settings.min_shared_terms]
    counts[f"and at least {settings.min_shared_terms} glossary concepts or sectors in common"] = len(left)
    index = StoryIndex(settings)
    joined = [(a, b) for a, b in left if index.is_translation(a, b)]
    counts[f"and their Jaccard similarity at least {settings.min_term_similarity}: joined as a translation"] = len(joined)
    print(f"{len(dated)} dated documents ({sum(t.lang == 'ru' for t in dated)} Russian, "
          f"{sum(t.lang == 'it' for t in dated)} Italian); Russian-Italian pairs:")
    for what, count in counts.items():
        print(f"{count:>10,}  {what}")
    if show:
        print(f"\nthe {min(show, len(near))} pairs with a region in common that share the most terms:")
        for a, b in near[:show]:
            shared = sorted(a.terms & b.terms)
            print(f"  {a.id} {a.date} | {b.id} {b.date}: {len(shared)} shared of {len(a.terms | b.terms)}"
                  f" ({', '.join(shared[:6])})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--show", type=int, default=10, help="the closest pairs to print for reading")
    args = parser.parse_args()
    return stages(args.index, args.show)


if __name__ == "__main__":
    sys.exit(main())

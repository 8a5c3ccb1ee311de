"""What a search loads: the query path stays light, and the modules it keeps
Whoosh from loading still work when something does use them."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# What a search for a Russian word the index knows does not load: natasha and
# its models (search-cli must never load them), simplemma (Latin-script words
# only), rapidfuzz (spelling suggestions only), and modules Whoosh would load
# for features nothing here uses.
NOT_ON_THE_QUERY_PATH = ("natasha", "slovnet", "navec", "simplemma", "rapidfuzz",
                         "asyncio", "urllib.request", "whoosh.lang.morph_en")
# Nor the write side's modules: a search reads the index through
# ``index.store`` and shares only the text chain (``index.analysis``) and the
# officials' links with the build.
WRITE_SIDE = ("index.build", "index.ingest", "index.entities.extractor", "index.entities.officials",
              "index.entities.ner")


def run_python(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_search_cli_finds_results_without_loading_what_it_does_not_use(seed_index):
    result = run_python(f"""
        import contextlib, io, json, sys
        from search import cli
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(["импортозамещение", "--index", {str(seed_index)!r}, "--format", "json"])
        loaded = [name for name in {NOT_ON_THE_QUERY_PATH + WRITE_SIDE!r} if name in sys.modules]
        print(json.dumps({{"code": code, "total": json.loads(out.getvalue())["total"], "loaded": loaded}}))
    """)
    assert result["code"] == 0
    assert result["total"] >= 2
    assert result["loaded"] == []


def test_modules_kept_from_whoosh_work_when_used(tmp_path):
    source = tmp_path / "source.txt"
    source.write_text("скачано", encoding="utf-8")
    target = tmp_path / "target.txt"
    result = run_python(f"""
        import json, sys
        import index  # imports Whoosh without the three modules
        assert "asyncio" not in sys.modules
        from cached_property import cached_property
        import whoosh.compat, whoosh.query

        class Box:
            calls = 0
            @cached_property
            def value(self):
                Box.calls += 1
                return 42
            @cached_property
            async def later(self):
                return 7

        box = Box()
        cached = [box.value, box.value, Box.calls]  # computed once, before asyncio is loaded
        whoosh.compat.urlretrieve({source.as_uri()!r}, {str(target)!r})
        import asyncio, urllib.request
        async def main():
            return await Box().later
        print(json.dumps({{
            "cached": cached,
            "coroutine": asyncio.run(main()),
            "variations": sorted(whoosh.query.terms.variations("render")),
            "real": [hasattr(asyncio, "run"), hasattr(urllib.request, "Request"),
                     type(sys.modules["whoosh.lang.morph_en"].variations).__name__],
        }}))
    """)
    assert result["cached"] == [42, 42, 1]
    assert target.read_text(encoding="utf-8") == "скачано"
    assert result["coroutine"] == 7
    assert {"render", "rendered", "rendering", "renders"} <= set(result["variations"])
    assert result["real"] == [True, True, "function"]

"""Indexes written before ``index`` had subpackages still open, search and
take new documents: their table of contents pickles the schema's filters,
a column type and the segments' codec under the modules of the time
(``index/old_paths.py``)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from index.analysis.chain import CaseFilter, LemmaFilter, StopFilter, WordTokenizer, YoFilter
from index.store.codec import ZstdStoredCodec
from index.store.schema import STRING_COLUMN

from conftest import write_docs

# class -> the module an index written before the move names it by
OLD_MODULES = {
    WordTokenizer: "index.analysis", CaseFilter: "index.analysis", YoFilter: "index.analysis",
    LemmaFilter: "index.analysis", StopFilter: "index.analysis",
    STRING_COLUMN: "index.schema",
    ZstdStoredCodec: "index.stored",
}


def _as_written_before_the_move(index_dir, monkeypatch) -> bytes:
    """Writes the index's table of contents again, naming the classes by
    their old modules, as the code before the move did; returns the file."""
    storage = FileStorage(str(index_dir))
    toc = TOC.read(storage, "MAIN")
    with monkeypatch.context() as patch:
        # Pickling checks that the old path gives the very class: it does,
        # through the aliases.
        for cls, module in OLD_MODULES.items():
            patch.setattr(cls, "__module__", module)
        storage.delete_file(TOC._filename("MAIN", toc.generation))
        toc.write(storage, "MAIN")
    return (index_dir / TOC._filename("MAIN", toc.generation)).read_bytes()


def test_an_index_written_before_the_move_opens_and_searches(seed_index, tmp_path, monkeypatch):
    index_dir = tmp_path / "old-index"
    shutil.copytree(seed_index, index_dir)
    toc = _as_written_before_the_move(index_dir, monkeypatch)
    for old in (b"index.analysis\nCaseFilter", b"index.schema\nSTRING_COLUMN", b"index.stored"):
        assert old in toc
    for new in (b"index.analysis.chain", b"index.store.schema", b"index.store.codec"):
        assert new not in toc

    # a fresh interpreter, which has imported none of the old paths yet
    code = f"""
        import contextlib, io, json, sys
        from whoosh import index as whoosh_index
        from search import cli
        from index.analysis.chain import StopFilter
        from index.store.codec import ZstdStoredCodec

        ix = whoosh_index.open_dir({str(index_dir)!r})
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(["импортозамещение", "--index", {str(index_dir)!r}, "--format", "json"])
        print(json.dumps({{
            "code": code,
            "total": json.loads(out.getvalue())["total"],
            "filters_are_todays": isinstance(ix.schema["body"].analyzer.items[-1], StopFilter),
            "codecs_are_todays": all(isinstance(s.codec(), ZstdStoredCodec) for s in ix._segments()),
            "old_paths_loaded": sorted(m for m in ("index.schema", "index.stored") if m in sys.modules),
        }}))
    """
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result == {"code": 0, "total": result["total"], "filters_are_todays": True,
                      "codecs_are_todays": True, "old_paths_loaded": ["index.schema", "index.stored"]}
    assert result["total"] >= 2


def test_an_index_written_before_the_move_takes_new_documents(seed_index, tmp_path, monkeypatch, build_index):
    index_dir = tmp_path / "old-index"
    shutil.copytree(seed_index, index_dir)
    _as_written_before_the_move(index_dir, monkeypatch)
    extra = write_docs(tmp_path / "extra", {"new": "Завод в Калужской области наладил импортозамещение станков."})
    report = build_index(index_dir, [extra])
    assert report.indexed == 1, report.summary()
    toc = (index_dir / TOC._filename("MAIN", TOC._latest_generation(FileStorage(str(index_dir)), "MAIN"))).read_bytes()
    assert b"index.store.codec" in toc and b"index.stored" not in toc  # written by today's code


def test_an_old_path_is_the_moved_module_itself():
    import index.schema
    import index.store.schema
    import index.stored
    import index.store.codec

    assert index.schema is index.store.schema and index.stored is index.store.codec
    assert index.store.schema.__spec__.name == "index.store.schema"
    assert index.stored.ZstdStoredCodec is ZstdStoredCodec

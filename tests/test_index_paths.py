"""The fast indexing paths give exactly what the straightforward ones give:
tokens made in the NLP step equal the schema analyzers run on plain text, and
worker processes equal one process."""
from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from index.store.arrays import SegmentArrays
from index.config import SEEDS_DIR
from index.build.indexer import IndexBuilder, content_hash, open_or_create
from index.ingest.reader import read_raw

TEXT_FIELDS = ("title", "body", "exact")


def postings(index_dir: Path) -> dict:
    """field -> {(term, document id): positions} of the live documents: from
    each segment's posting arrays, where the indexer keeps these fields, or
    from Whoosh's own postings (an index Whoosh's writer wrote)."""
    ix = whoosh_index.open_dir(str(index_dir))
    out = {fieldname: {} for fieldname in TEXT_FIELDS}
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            ids = leaf.column_reader("id")
            arrays = SegmentArrays.load(index_dir, leaf)
            for fieldname in TEXT_FIELDS:
                table = out[fieldname]
                if arrays is not None and arrays.knows_all(fieldname):
                    for term in arrays.terms_with_prefix(fieldname, ""):
                        docs, positions = arrays.positions(fieldname, term)
                        for docnum, position in zip(docs.tolist(), positions.tolist()):
                            if not leaf.is_deleted(docnum):
                                table.setdefault((term, ids[docnum]), []).append(position)
                else:
                    for term in leaf.lexicon(fieldname):
                        for docnum, value in leaf.postings(fieldname, term).items_as("positions"):
                            table[(term.decode("utf-8"), ids[docnum])] = list(value)
    return out


def test_worker_tokens_equal_the_analyzers_on_plain_text(tmp_path, seed_index, build_index, extractor, ingestor):
    # the same documents, written with plain strings so Whoosh runs the analyzers
    from index.build.pipeline import DocumentProcessor

    processor = DocumentProcessor(lemmatizer=extractor.tokens.lemmatizer, ingestor=ingestor, extractor=extractor)
    plain_dir = tmp_path / "plain"
    ix = open_or_create(plain_dir)
    writer = ix.writer()
    for raw in read_raw([SEEDS_DIR]):
        doc = extractor.enrich(ingestor.ingest(raw))
        fields = processor.index_fields(doc, content_hash(raw))
        fields.update(title=doc.title, body=doc.body, exact=doc.title + "\n" + doc.body)
        del fields["_stored_title"], fields["_stored_body"]
        writer.add_document(**fields)
    writer.commit()
    fast, plain = postings(seed_index), postings(plain_dir)
    for fieldname in TEXT_FIELDS:
        assert fast[fieldname] == plain[fieldname], fieldname
    assert len(fast["body"]) > 500  # the comparison covered real postings


def test_worker_processes_index_exactly_what_one_process_does(tmp_path, seed_index):
    report = IndexBuilder(tmp_path / "parallel", workers=2).build([SEEDS_DIR])
    assert report.indexed == 5 and not report.rejected
    assert postings(tmp_path / "parallel") == postings(seed_index)
    stored = {}
    for index_dir in (seed_index, tmp_path / "parallel"):
        with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
            stored[index_dir] = sorted(
                (f["id"], f.get("official"), f.get("region"), f.get("sector"), f["title"], f["body"])
                for f in searcher.all_stored_fields())
    assert stored[seed_index] == stored[tmp_path / "parallel"]


def test_known_parses_are_pymorphys_dictionary_parses(lemmatizer, ingestor):
    """Words the dictionary lacks are not parsed at all; every other word
    gets exactly the parses pymorphy marks as known, in its order. Checked
    on every word of the seeds, as written and lowercased, and on words no
    dictionary holds, one in a script pymorphy cannot name."""
    import re

    from index.analysis.chain import WORD_PATTERN
    from index.ingest.reader import read_text_file

    words = set()
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        doc = ingestor.ingest(read_text_file(path))
        for m in re.finditer(WORD_PATTERN, doc.title + " " + doc.body):
            words.update((m.group(0), m.group(0).lower()))
    words.update(("Шапши", "импортозамещательный", "Мечелом", "А", "ещё"))
    morph = lemmatizer.morph
    unknown = 0
    for word in sorted(words):
        expected = tuple(p for p in morph.parse(word) if p.is_known)
        assert lemmatizer.known_parses(word) == expected, word
        unknown += not expected
    assert unknown >= 20 and len(words) - unknown >= 500
    # pymorphy raises on some rare scripts; such a word has no parses
    assert lemmatizer.known_parses("дом\U00017000ами") == ()
    assert lemmatizer.lemma("дом\U00017000ами", False)

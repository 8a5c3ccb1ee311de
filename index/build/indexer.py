"""Documents -> Whoosh index, incrementally and atomically.

Each input document ends as exactly one of: indexed (new id), updated (known
id, new content), unchanged (same content hash: skipped) or rejected (with a
reason). Whoosh commits a new generation every ``commit_every`` documents
and at the end; each commit is atomic, so a crash or kill mid-run leaves the
last generation whole and searchable, and the next run picks up from there
(what was committed is unchanged by content hash).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from ..analysis.word_ids import WordIds
from ..entities.official_links import load_links, load_vouched, save_links, save_vouched
from ..entities.persons import PersonRegistry, load_known_officials, may_link_later, official_links
from ..ingest.reader import DEFAULT_MAX_CHARS, read_raw
from ..records import RawDocument, Rejection
from ..store.arrays import MIN_POSTINGS, ArraysMissing, remove_other_formats, value_words, write_missing_arrays
from ..store.forms import write_forms
from ..store.merged_arrays import (MERGE_AFTER, convert_plain_merge, covered_slices, forget_merge_of, load_arrays,
                                   needs_merge, remove_unused_merge, segments_of,
                                   write_merged_arrays)
from ..entities.office_terms import office_terms
from ..store.schema import SCHEMA_VERSION, build_schema
from ..stories.files import FILE as STORIES_FILE, save_stories
from ..stories.grouping import StoryIndex
from ..stories.settings import story_settings
from ..stories.state import load_state, remove_state, save_state
from .parallel import SegmentDone, WorkerPool, WorkerSettings, WorkerTimes, Written
from .pipeline import DocumentProcessor, Processed
from .segment_writer import SMALL_SEGMENT, ArraySegmentWriter, IndexStorage

# Bump when cleaning, analysis or extraction change what a document becomes:
# every document is then reprocessed on the next run.
PIPELINE_VERSION = f"11.{SCHEMA_VERSION}"  # 11: each document's story traits (an index before them gets its stories); 10: no region inferred for an undated document without a region head's role stated, nor from the head of a ministry or a company ("глава Минобороны"); 9: the dateline's place a field of its own, a Russian city's region among the regions; 8: a role word and a surname linked to the office holder at the date, office holders known, regions inferred from them; 7: Italian bylines and datelines out of the body and the title, Italian persons by runs of capitalized words, single words and place names in names no longer persons or regions; 6: initials with a surname in an oblique case declined, and linked at read time; 5: a document completed at the end in its mentions and roles too, Latin spellings at the end; 4: names agree in case and gender; surname particles; 3: lone first names as persons, the forms table
LOCK_TIMEOUT_S = 30.0
# Documents handed to a worker and not yet answered: memory stays bounded
# (raw text, ~10 KB each), and a worker has work queued while the main
# process commits.
IN_FLIGHT_PER_WORKER = 512
# One Whoosh segment per this many documents, or fewer (with worker
# processes, one a worker, committed together): Whoosh sorts a
# segment's postings in a pool and, past ``POOL_MB`` (its own estimate), through
# run files pickled to disk and merged at commit (at 100,000 documents in one
# segment, ~16 GB of runs, longer than the NLP). A segment is committed before
# its pool spills: 5,000 news articles of ~900 postings each came to ~1.1 GB,
# and the spill and merge took a third of the commit.
COMMIT_EVERY = 5_000
POOL_MB = 1024
POOL_FULL = 0.9  # of POOL_MB: room for the next document before Whoosh would spill


class IndexBusy(RuntimeError):
    """Another indexer holds the write lock."""


@dataclass
class IndexReport:
    read: int = 0
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    pruned: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    merged_arrays: bool = False  # the segments' posting arrays were merged into one set
    worker_times: WorkerTimes | None = None  # the writing workers', summed (``WorkerTimes``)

    def summary(self) -> str:
        return (
            f"read {self.read}: indexed {self.indexed}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
            + (f"; pruned {self.pruned}" if self.pruned else "")
            + ("; posting arrays merged" if self.merged_arrays else "")
        )

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "pruned": self.pruned,
            "rejected": [{"path": r.path, "reason": r.reason} for r in self.rejected],
        }


def content_hash(raw: RawDocument) -> str:
    digest = hashlib.sha1(PIPELINE_VERSION.encode())
    for part in (raw.text, raw.title, raw.date, raw.lang, raw.url, raw.source):
        digest.update(b"\x00" + (part or "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class IndexBroken(RuntimeError):
    """The index directory holds an index that cannot be read."""


def index_exists(index_dir: Path) -> bool:
    try:
        return Path(index_dir).is_dir() and whoosh_index.exists_in(str(index_dir))
    except Exception:
        return True  # something is there, even if it cannot be read


def open_or_create(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        if whoosh_index.exists_in(str(index_dir)):
            return IndexStorage(str(index_dir)).open_index()
    except Exception as exc:
        # Never written over: it may be the only copy of a long build.
        raise IndexBroken(
            f"the index at {index_dir} cannot be read ({type(exc).__name__}: {exc}); "
            "move it away or delete it, then index again"
        ) from exc
    return IndexStorage(str(index_dir)).create_index(build_schema())


def add_new_fields(ix, timeout: float = LOCK_TIMEOUT_S):
    """The index with the fields of today's schema that it lacks (an index
    written before the ``place`` field): added in a commit of their own,
    before any worker opens a writer of the old schema. The commit holds
    no documents and merges nothing, so it only writes a new table of
    contents; a reader of the old one goes on as it was."""
    missing = [(name, field) for name, field in build_schema().items() if name not in ix.schema]
    if not missing:
        return ix
    try:
        writer = ix.writer(timeout=timeout)
    except LockError as exc:
        raise IndexBusy(f"another indexer is writing to the index; waited {timeout:.0f} s for its lock") from exc
    try:
        for name, field in missing:
            writer.add_field(name, field)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)
    return ix.refresh()


def known_hashes(ix) -> dict[str, str]:
    """id -> content hash of every live document, from two columns (no stored
    text is read: an unchanged 100k corpus is checked in seconds)."""
    out = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not reader.doc_count_all():
            return out
        ids = reader.column_reader("id")
        hashes = reader.column_reader("content_hash")
        for docnum in range(reader.doc_count_all()):
            if not reader.is_deleted(docnum):
                out[ids[docnum]] = hashes[docnum]
    return out


def inputs_to_process(paths, known: dict[str, str], seen: set[str], report: IndexReport,
                      note) -> Iterator[tuple[RawDocument, str]]:
    """Every input read and accounted for in ``report`` (rejected, a
    duplicate id, unchanged since ``known``); yields only what needs the
    NLP, with its content hash. Both builds, embedded and cluster, read so."""
    for item in read_raw(paths):
        report.read += 1
        if isinstance(item, Rejection):
            report.rejected.append(item)
            note("rejected")
            continue
        if item.id in seen:
            report.rejected.append(Rejection(item.path, f"duplicate id {item.id!r} in this run"))
            note("rejected")
            continue
        seen.add(item.id)
        digest = content_hash(item)
        if known.get(item.id) == digest:
            report.unchanged += 1
            note("unchanged")
            continue
        yield item, digest


class IndexBuilder:
    """Reads inputs, sends new or changed documents through the NLP pipeline
    (in worker processes when ``workers`` > 1), and writes them in one commit
    from this process."""

    def __init__(
        self,
        index_dir: Path,
        processor: DocumentProcessor | None = None,
        workers: int = 1,
        lock_timeout: float = LOCK_TIMEOUT_S,
        max_chars: int = DEFAULT_MAX_CHARS,
        ner: bool = True,
        commit_every: int = COMMIT_EVERY,
        array_min_postings: int = MIN_POSTINGS,
        merge_after: int = MERGE_AFTER,
        own_arrays_below: int | None = SMALL_SEGMENT,
        pool_mb: int = POOL_MB,
        stories: bool = True,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.stories = stories  # near-duplicate stories (``index/stories``); off: the index has none
        self.pool_mb = pool_mb
        self.commit_every = max(1, commit_every)
        self.array_min_postings = array_min_postings
        self.merge_after = merge_after
        # a segment the merged arrays hold keeps no arrays of its own if it is
        # this large (a Whoosh merge takes in only smaller ones); None: all keep theirs
        self.own_arrays_below = own_arrays_below
        self.ner = ner
        self._processor = processor
        self.word_ids = WordIds()  # this process's: documents processed here are filed under them
        self.workers = max(1, workers)
        self.lock_timeout = lock_timeout
        self.max_chars = max_chars

    @property
    def processor(self) -> DocumentProcessor:
        if self._processor is None:
            # its documents carry their words' ids for this process's writers
            # (``analysis/word_ids.py``); a processor given to the builder may not
            self._processor = DocumentProcessor(max_chars=self.max_chars, ner=self.ner, word_ids=self.word_ids,
                                                stories=self.stories)
        elif self.stories:
            self._processor.use_stories()  # one given to the builder (tests share theirs)
        return self._processor

    def build(
        self,
        paths: Iterable[Path],
        prune: bool = False,
        on_item: Callable[[str], None] | None = None,
        on_phase: Callable[[str], None] | None = None,
    ) -> IndexReport:
        """Indexes what is new or changed in ``paths``. ``on_item`` hears of
        each input as it is accounted for; ``on_phase`` of the work that
        follows the last one (writing, committing, merging), which can take
        a while on a large run."""
        report = IndexReport()
        ix = add_new_fields(open_or_create(self.index_dir), self.lock_timeout)
        known = known_hashes(ix)
        registry = PersonRegistry(load_known_officials(), office_terms().persons())
        registry.load(self.index_dir)
        batch = _Batch(self, ix, registry)
        seen: set[str] = set()
        note = on_item or (lambda _outcome: None)
        phase = on_phase or (lambda _what: None)
        with self._pool(batch) as pool:
            try:
                work = inputs_to_process(paths, known, seen, report, note)
                results = (pool.results(work, on_drained=lambda: phase("writing the last segments")) if pool
                           else ((0, r) for r in self._results(work)))
                for worker, result in results:
                    if isinstance(result, SegmentDone):
                        batch.segment_done(worker, result)
                        continue
                    if isinstance(result, Rejection):
                        report.rejected.append(result)
                        note("rejected")
                        continue
                    batch.record_names(result)
                    if isinstance(result, Written):  # a worker indexed it
                        batch.written(worker, result, replaces=result.id in known)
                    else:
                        batch.add(result.fields, replaces=result.id in known)
                    outcome = "updated" if result.id in known else "indexed"
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    note(outcome)
                if prune:
                    for doc_id in sorted(set(known) - seen):
                        batch.delete(doc_id)
                        report.pruned += 1
            except BaseException:
                batch.cancel()
                raise
        if batch.worker_times:
            report.worker_times = sum(batch.worker_times.values(), WorkerTimes())
        phase("committing")
        batch.finish()
        report.merged_arrays = batch.merge_arrays(on_start=lambda: phase("merging posting arrays"))
        return report


    @property
    def pool_full_bytes(self) -> float:
        """The posting pool's size (Whoosh's estimate) at which a segment is
        committed or closed, for the main writer and the workers' alike."""
        return POOL_FULL * self.pool_mb * 1024 * 1024

    def _worker_settings(self, write: bool) -> WorkerSettings:
        return WorkerSettings(str(self.index_dir), self.max_chars, self.ner, write,
                              pool_mb=self.pool_mb, pool_full_bytes=self.pool_full_bytes,
                              min_postings=self.array_min_postings, stories=self.stories)

    @contextmanager
    def _pool(self, batch: "_Batch") -> Iterator[WorkerPool | None]:
        """With more than one worker, processes that each write what they
        processed into a segment of their own, which the batch commits."""
        if self.workers == 1:
            yield None
            return
        with WorkerPool(self.workers, self._worker_settings(write=True), IN_FLIGHT_PER_WORKER) as pool:
            batch.workers = pool
            try:
                yield pool
            finally:
                batch.workers = None

    def _results(self, work: Iterator[tuple[RawDocument, str]]) -> Iterator[Processed | Rejection]:
        """Processed documents, in this process, nothing written."""
        processor = self.processor
        processor.extractor.use_registry(processor.extractor.registry_for(self.index_dir))
        for raw, digest in work:
            try:
                yield processor.process(raw, digest)
            except Exception as exc:  # one bad document never stops the run
                yield Rejection(raw.path, f"failed to process: {type(exc).__name__}: {exc}")

    def nlp_alone(self, paths: Iterable[Path]) -> int:
        """A build's NLP over ``paths``, with nothing written: the rate a
        build is compared with (``bench/``). Workers answer as a build's do,
        with a document's id and names (``Written``), not its fields: sending
        those back cost the main process and the workers 1.5 ms of CPU a
        document, which a build does not spend. Returns how many documents
        were processed (or rejected by the NLP)."""
        work = ((raw, "") for raw in read_raw(paths) if not isinstance(raw, Rejection))
        if self.workers == 1:
            return sum(1 for _ in self._results(work))
        with WorkerPool(self.workers, self._worker_settings(write=False), IN_FLIGHT_PER_WORKER) as pool:
            return sum(1 for _ in pool.results(work))


class EarlierStories:
    """The stories of earlier runs, to file this run's documents against,
    read when the run first files or removes a document: an unchanged re-run
    never does, and reading them is half a minute at 100,000 documents."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._index: StoryIndex | None = None

    @property
    def index(self) -> StoryIndex:
        if self._index is None:
            state = load_state(self.index_dir, story_settings().permutations)
            self._index = StoryIndex.from_state(state) if state is not None else StoryIndex()
        return self._index

    @property
    def changed(self) -> bool:
        return self._index is not None and self._index.changed


def names_that_may_link(ix, index_dir: Path) -> set[str]:
    """The officials' names in the index that the corpus may complete, read
    from its segments' term tables (no postings): for an index whose links
    file is missing (written before there was one) or damaged."""
    names: set[str] = set()
    slices = covered_slices(index_dir)
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            names.update(value_words(leaf, "official", load_arrays(index_dir, leaf, slices)))
    # the language of the document that holds a name is not at hand: a name
    # in Latin script may link, as it would in an Italian text
    return {name for name in names if may_link_later(name, lang="it")}


class _Batch:
    """The open Whoosh writer: commits a generation every ``commit_every``
    changes, or sooner when its posting pool is nearly full, with the names
    seen so far, and opens the next. While worker processes write segments
    (``parallel.py``), it starts a flush round every ``commit_every``
    documents a worker, and commits the round's segments when it is in."""

    def __init__(self, builder: IndexBuilder, ix, registry: PersonRegistry) -> None:
        self.builder, self.ix, self.registry = builder, ix, registry
        # every official's name in the index that the corpus's names may
        # complete, this run's and the earlier runs' (``entities/official_links.py``)
        links = load_links(builder.index_dir)
        self.may_link: set[str] = set(links) if links is not None else names_that_may_link(ix, builder.index_dir)
        self.vouched: set[str] = load_vouched(builder.index_dir)  # one-word names given a role word
        self.changes = 0  # since the last commit
        self.forms: set[str] = set()  # the lemma-form pairs of the workers' segments
        self.index_was_empty = ix.doc_count_all() == 0
        self.workers: WorkerPool | None = None  # while workers write segments
        self.written_since_round = 0
        # Replaced versions are deleted in the commit that adds the new one:
        # per worker, the ids of those in its open segment; then those of
        # the closed segments waiting for the next commit.
        self.open_replacements: dict[int, list[str]] = defaultdict(list)
        self.closed_segments: list = []
        self.closed_replacements: list[str] = []
        self.worker_times: dict[int, WorkerTimes] = {}  # each worker's, as its last segment said
        self.stories = EarlierStories(builder.index_dir) if builder.stories else None
        self.writer = self._open()
        self.write_arrays()  # an index written before posting arrays, or by a killed run

    def _open(self):
        try:
            # compound=False: Whoosh reads a compound segment by copying all of
            # it into memory (a BytesIO over the mmap), in every searcher
            # process (measured at 10,000 documents: +480 MB RSS at open).
            # Separate segment files are read in place.
            return ArraySegmentWriter(self.ix, self.builder.index_dir, self.builder.array_min_postings,
                                      word_ids=self.builder.word_ids, timeout=self.builder.lock_timeout,
                                      limitmb=self.builder.pool_mb, compound=False)
        except LockError as exc:
            raise IndexBusy(
                f"another indexer is writing to {self.builder.index_dir}; "
                f"waited {self.builder.lock_timeout:.0f} s for its lock"
            ) from exc

    def add(self, fields: dict, replaces: bool = True) -> None:
        # Whoosh's update_document looks the id up in every segment, and at
        # 20 segments that lookup cost more than writing the document. An id
        # the index did not hold when the run began cannot be there now (ids
        # are unique within a run), so it is simply added.
        if replaces:
            self.writer.update_document(**fields)
        else:
            self.writer.add_document(**fields)
        self._changed()

    def written(self, worker: int, written: Written, replaces: bool) -> None:
        """A document a worker wrote into its open segment."""
        if replaces:
            self.open_replacements[worker].append(written.id)
        self.written_since_round += 1
        # while a round is under way, the next starts as soon as it is in
        if self.written_since_round >= self.builder.commit_every * self.workers.count and self.workers.flush():
            self.written_since_round = 0

    def record_names(self, result: Written | Processed) -> None:
        """A processed document's full names (for the registry) and its
        officials' names they may complete."""
        for name in result.names:
            self.registry.add(name)
        self.may_link.update(result.unlinked)
        self.vouched.update(result.vouched)
        if self.stories is not None and result.story is not None:
            self.stories.index.add(result.story)

    def segment_done(self, worker: int, done: SegmentDone) -> None:
        self.forms |= done.forms
        if done.times is not None:
            self.worker_times[worker] = done.times
        if done.segment is not None:
            self.closed_segments.append(done.segment)
        self.closed_replacements += self.open_replacements.pop(worker, [])
        if done.round_complete:
            # After the final round no worker writes a segment, so the
            # commit may delete the files of any the index does not hold.
            self._commit(clean=done.final)
            self.writer = self._open()

    def delete(self, doc_id: str) -> None:
        self.writer.delete_by_term("id", doc_id)
        if self.stories is not None:
            self.stories.index.remove(doc_id)
        self._changed()

    def _changed(self) -> None:
        self.changes += 1
        if self.changes >= self.builder.commit_every or self.writer.pending_bytes() >= self.builder.pool_full_bytes:
            self._commit()
            self.writer = self._open()

    def _commit(self, clean: bool = True) -> None:
        # before the commit: a kill in between leaves extra pairs, never missing ones
        write_forms(self.builder.index_dir, self.forms | self.writer.form_keys(), self.index_was_empty)
        self.forms = set()
        # before the commit, so the generation it makes is never read
        # without the links of its documents' names
        save_vouched(self.builder.index_dir, self.vouched)
        save_links(self.builder.index_dir, official_links(self.may_link, self.registry, self.vouched))
        self._save_stories()
        for doc_id in self.closed_replacements:
            self.writer.delete_by_term("id", doc_id)
        self.writer.commit_with(self.closed_segments, clean=clean)
        self.closed_segments, self.closed_replacements = [], []
        self.changes = 0
        # Names seen in this corpus, for linking lone surnames and
        # transliterations in later runs.
        self.registry.save(self.builder.index_dir)
        self.write_arrays()

    def _save_stories(self) -> None:
        """Before the commit, like the links: a generation is never read
        without its documents' stories. Without story detection the index
        keeps none, rather than stories its documents no longer match."""
        index_dir = self.builder.index_dir
        if self.stories is None:
            (index_dir / STORIES_FILE).unlink(missing_ok=True)
            remove_state(index_dir)
        elif self.stories.changed:
            stories = self.stories.index
            save_state(index_dir, stories.state(), stories.settings.permutations)
            save_stories(index_dir, stories.stories())
            stories.changed = False

    def write_arrays(self) -> None:
        convert_plain_merge(self.builder.index_dir)  # an index of the version before: its merge, packed
        try:
            written = write_missing_arrays(self.ix, self.builder.index_dir, self.builder.array_min_postings,
                                           covered=covered_slices(self.builder.index_dir))
        except ArraysMissing as exc:
            if not self.writer.is_closed:  # opened for this batch: release the lock
                self.writer.cancel()
            raise IndexBroken(f"the index at {self.builder.index_dir} is damaged: {exc}") from exc
        forget_merge_of(self.builder.index_dir, written)
        remove_other_formats(self.builder.index_dir)  # every segment has this format's arrays now

    def finish(self) -> None:
        if self.changes or self.closed_segments or self.closed_replacements:
            self._commit()
        else:
            self.writer.cancel()  # nothing since the last commit

    def cancel(self) -> None:
        self.writer.cancel()

    def merge_arrays(self, on_start: Callable[[], None] = lambda: None) -> bool:
        """One set of posting arrays for the segments, when a search would
        otherwise read too many one by one. Under the write lock, so two
        indexers never merge at once."""
        writer = self._open()
        try:
            with self.ix.reader() as reader:
                segments = segments_of(reader)
                if not needs_merge(self.builder.index_dir, segments, self.builder.merge_after):
                    remove_unused_merge(self.builder.index_dir, segments)
                    return False
                on_start()
                return write_merged_arrays(self.builder.index_dir, segments, self.builder.own_arrays_below)
        finally:
            writer.cancel()


"""NLP worker processes that write their own Whoosh segments.

With one writer process, Whoosh's pure-Python writing (~20 ms of CPU a
document, half of it when a segment is flushed) ran on one core while the
NLP ran on the others, and the NLP waited whenever a segment was flushed.
Here each worker indexes the documents it processed into a segment of its
own, as Whoosh's own ``MpWriter(multisegment=True)`` does; the main process
reads the input, hands it out, keeps the corpus-wide state (names, forms,
deletions of replaced versions) and commits the workers' segments into the
index. A commit is a round: every worker closes its segment and goes on with
a new one, and when the last reply is in, the main process commits them all
in one generation.

Messages from one worker arrive in the order it sent them, so the main
process knows which documents each segment holds.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from ..analysis.word_ids import WordIds
from ..records import RawDocument, Rejection
from ..stories.traits import StoryTraits
from .pipeline import Processed, init_worker, process_in_worker
from .segment_writer import SMALL_SEGMENT, ArraySegmentWriter, IndexStorage

FLUSH = "flush"  # a task: close your segment and send it
# When the input runs out, a worker with at least this many documents queued
# and a segment of at least ``SMALL_SEGMENT`` documents closes that segment
# before its next document (``WorkerPool.results``).
CLOSE_EARLY_QUEUED = 64
_DONE, _CLOSED, _FLUSHED, _FAILED = "done", "closed", "flushed", "failed"
# How long the main process waits on the results before it checks that the
# workers are still alive (a killed worker sends nothing).
_POLL_S = 1.0


@dataclass
class Written:
    """A document a worker wrote into its segment: what the main process
    still needs to know of it (``Processed`` has the same names). Its
    lemma-form pairs come with its segment (``SegmentDone.forms``)."""

    id: str
    names: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    vouched: list[str] = field(default_factory=list)
    story: StoryTraits | None = None


@dataclass
class WorkerTimes:
    """Where workers' time went, in seconds of the wall clock: loading the
    models, the NLP (cleaning, entities, lemmas), writing (adding documents
    to the segment, closing segments) and waiting for a task. Measured
    inside a build, so the writing's share is known at any size, on a
    machine whose speed changes between one run and the next."""

    starting: float = 0.0
    nlp: float = 0.0
    writing: float = 0.0
    waiting: float = 0.0

    def __add__(self, other: "WorkerTimes") -> "WorkerTimes":
        return WorkerTimes(*(a + b for a, b in zip(astuple(self), astuple(other))))

    @contextmanager
    def counting(self, part: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            setattr(self, part, getattr(self, part) + time.perf_counter() - started)


@dataclass
class SegmentDone:
    """A worker's closed segment (None when it wrote nothing since its last).
    ``round_complete``: the last reply to a flush round; ``final``: after it
    the workers get no more documents, so no segment is being written."""

    segment: object | None
    round_complete: bool = False
    final: bool = False
    forms: set[str] = field(default_factory=set)  # "lemma<SEP>form" of its documents' words
    times: WorkerTimes | None = None  # the worker's, from its start to this segment's close


@dataclass
class WorkerSettings:
    index_dir: str
    max_chars: int
    ner: bool
    write: bool  # index the documents (False: the NLP alone, answered as if written)
    pool_mb: int  # Whoosh's limit for the segment writer's posting pool
    pool_full_bytes: float  # the segment is closed at this size, before Whoosh would spill to disk
    min_postings: int
    stories: bool = False  # make each document's story traits (``index/stories``)


class WorkerFailed(RuntimeError):
    """A worker process failed outside any one document (a bug, or killed)."""


class _WorkerStorage(IndexStorage):
    """The index directory, with temporary files in a directory of the
    worker's own: Whoosh names a writer's temporary directory after the
    index, and the main process's writer deletes it when it commits."""

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'tmp'}-{os.getpid()}")


class WorkerSegment:
    """A worker's open segment: documents go in as the worker processes
    them; ``close`` finishes the segment's files and returns Whoosh's record
    of it, which the main process commits."""

    def __init__(self, settings: WorkerSettings, word_ids: WordIds | None = None) -> None:
        self.settings = settings
        self.word_ids = word_ids  # the worker's, which its documents' fields carry ids from
        self.ix = _WorkerStorage(settings.index_dir).open_index()
        self.writer: ArraySegmentWriter | None = None  # opened by the first document

    def add(self, fields: dict) -> None:
        if self.writer is None:
            s = self.settings
            # _lk=False: the main process holds the index's lock for the run
            self.writer = ArraySegmentWriter(self.ix, Path(s.index_dir), s.min_postings, word_ids=self.word_ids,
                                             _lk=False, limitmb=s.pool_mb, compound=False)
        self.writer.add_document(**fields)

    def full(self) -> bool:
        return self.writer is not None and self.writer.pending_bytes() >= self.settings.pool_full_bytes

    def close(self) -> SegmentDone:
        """The segment, closed (None if nothing was written since the last)."""
        writer, self.writer = self.writer, None
        if writer is None:
            return SegmentDone(None)
        # the segment's lemma-form pairs, sent with it: far fewer than each
        # document's pairs sent with it (words repeat)
        forms = writer.form_keys()
        segment = writer._finalize_segment()
        writer._finish()  # removes its temporary directory; it holds no lock
        return SegmentDone(segment, forms=forms)

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()  # the files stay until the next commit cleans them
            self.writer = None


def _collect_and_freeze() -> None:
    """A worker's only cyclic garbage collection, once its models are
    loaded. A worker holds millions of long-lived objects (models,
    dictionaries, the parse caches), and the automatic collector walked
    them again and again (with Python's default thresholds, 5.6 s of a
    worker's CPU in 2,500 documents, a tenth), though the work makes almost
    no cyclic garbage: about 550 objects in 2,500 documents, and none when a
    segment is written (``IndexStorage``; a test checks that a closed
    segment's writer is freed without a collection). So the automatic
    collector is off in a worker, and what the models left is frozen
    (``gc.freeze``) after one collection."""
    gc.collect()
    gc.freeze()


def _worker_main(number: int, tasks, results, settings: WorkerSettings, close_early) -> None:
    segment = None
    times = WorkerTimes()

    def closed() -> SegmentDone:
        with times.counting("writing"):
            done = segment.close() if segment else SegmentDone(None)
        done.times = replace(times)
        return done

    try:
        # the tokenizer gives each word its ids, which the segment files as they are
        word_ids = WordIds() if settings.write else None
        with times.counting("starting"):
            init_worker(settings.index_dir, settings.max_chars, settings.ner, word_ids, settings.stories)
            _collect_and_freeze()  # the models, loaded
        gc.disable()
        segment = WorkerSegment(settings, word_ids) if settings.write else None
        while True:
            with times.counting("waiting"):
                task = tasks.get()
            if task is None:
                break
            if task == FLUSH:
                close_early.clear()  # closed now anyway
                results.put((_FLUSHED, number, closed()))
                continue
            if close_early.is_set():
                close_early.clear()
                if segment is not None and segment.writer is not None:
                    results.put((_CLOSED, number, closed()))
            with times.counting("nlp"):
                result = process_in_worker(task)
            if isinstance(result, Processed):
                if segment is not None:
                    with times.counting("writing"):
                        segment.add(result.fields)
                result = Written(result.id, result.names, result.unlinked, result.vouched, result.story)
            results.put((_DONE, number, result))
            if segment is not None and segment.full():
                results.put((_CLOSED, number, closed()))
    except BaseException:  # noqa: BLE001 - told to the main process, which stops the run
        results.put((_FAILED, number, traceback.format_exc()))
    finally:
        if segment is not None:
            segment.cancel()


class WorkerPool:
    """``count`` worker processes, each with its own task queue (so a flush
    reaches every worker exactly once) and at most ``in_flight`` documents
    handed to it and not yet answered (memory stays bounded)."""

    def __init__(self, count: int, settings: WorkerSettings, in_flight: int) -> None:
        self.count, self.settings, self.in_flight_limit = count, settings, in_flight
        self.context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.results_queue = self.context.Queue()
        self.tasks = [self.context.Queue() for _ in range(count)]
        # set: close your segment before your next document (read between
        # documents, unlike a task, which waits behind those queued)
        self.close_early = [self.context.Event() for _ in range(count)]
        self.processes = [
            self.context.Process(target=_worker_main,
                                 args=(n, self.tasks[n], self.results_queue, settings, self.close_early[n]),
                                 name=f"promsearch-worker-{n}", daemon=True)
            for n in range(count)]
        self.unclosed = [0] * count  # documents each worker answered since its last segment
        self.awaiting = 0  # replies still due in the flush round under way
        self.final = False
        self._next_check = 0.0  # when to check that the workers are alive

    def __enter__(self) -> "WorkerPool":
        for process in self.processes:
            process.start()
        return self

    def __exit__(self, *exc_info) -> None:
        failed = exc_info[0] is not None
        for tasks in self.tasks:
            if failed:
                # A dead worker reads no more: its queue's unsent tasks must
                # not hold this process up when it exits.
                tasks.cancel_join_thread()
            tasks.put(None)
        for process in self.processes:
            process.join(timeout=1 if failed else 10)
            if process.is_alive():
                process.terminate()
                process.join()

    def _segment_reply(self, kind: str, payload) -> SegmentDone:
        """A worker's closed segment, or its failure raised."""
        if kind == _FLUSHED:
            self.awaiting -= 1
            payload.round_complete = not self.awaiting
            payload.final = self.final and not self.awaiting
            return payload
        if kind == _CLOSED:  # its pool was full: committed with the next round
            return payload
        raise WorkerFailed(f"an indexing worker failed:\n{payload}")

    def flush(self) -> bool:
        """Starts a flush round, unless one is under way; says whether it did."""
        if not self.settings.write or self.awaiting:
            return False
        self.awaiting = self.count
        for tasks in self.tasks:
            tasks.put(FLUSH)
        return True

    def results(self, work: Iterable[tuple[RawDocument, str]],
                on_drained: Callable[[], None] = lambda: None) -> Iterator[tuple[int, object]]:
        """(worker, Written | Rejection | SegmentDone) as they come, until
        every task (a raw document and its content hash) is answered and,
        when writing, a last round has closed every segment. ``on_drained``
        hears when every document is answered.

        The last round starts as soon as the input is read: its flush waits
        in each worker's queue behind the documents it was given, so the
        worker that finishes first closes its segment while the others still
        process theirs, instead of waiting for them. And a worker with a
        large segment and many documents still queued closes that segment
        before its next document (``close_early``): its last segment then
        holds only those, and closing it, while the others may have nothing
        left to do, is short."""
        in_flight = [0] * self.count
        pending = iter(work)
        exhausted = drained = False
        while True:
            while not exhausted:
                worker = min(range(self.count), key=in_flight.__getitem__)
                if in_flight[worker] >= self.in_flight_limit:
                    break
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    self._close_large_segments(in_flight)
                    break
                self.tasks[worker].put(item)
                in_flight[worker] += 1
            # (a round under way is answered first; the last starts after it)
            if exhausted and not self.final and self.flush():
                self.final = True
            if exhausted and not any(in_flight):
                if not drained:
                    drained = True
                    on_drained()
                if not self.awaiting and (self.final or not self.settings.write):
                    return
            kind, worker, payload = self._receive()
            if kind == _DONE:
                in_flight[worker] -= 1
                self.unclosed[worker] += 1
                yield worker, payload
            else:
                self.unclosed[worker] = 0
                yield worker, self._segment_reply(kind, payload)

    def _close_large_segments(self, in_flight: list[int]) -> None:
        if not self.settings.write:
            return
        for worker, close_early in enumerate(self.close_early):
            # a segment that large is never merged with others (``SMALL_SEGMENT``)
            if in_flight[worker] >= CLOSE_EARLY_QUEUED and self.unclosed[worker] >= SMALL_SEGMENT:
                close_early.set()

    def _receive(self) -> tuple[str, int, object]:
        # A killed worker sends nothing: check on the workers between
        # messages too, or the others would do all the work first.
        while True:
            if time.monotonic() >= self._next_check:
                self._check_alive()
            try:
                return self.results_queue.get(timeout=_POLL_S)
            except queue.Empty:
                self._next_check = 0.0

    def _check_alive(self) -> None:
        self._next_check = time.monotonic() + _POLL_S
        for process in self.processes:
            if not process.is_alive():
                raise WorkerFailed(f"an indexing worker exited unexpectedly (exit code {process.exitcode})")

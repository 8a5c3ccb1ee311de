"""Writing to a cluster: rows to their shards, the vocabulary and the meta
index to the head, the commit counter bumped after each batch.

Each node has one connection and one thread that sends it statements in
the order they were given, so the nodes index at the same time, and while
they do, the process that writes makes the next batch's rows: a write
returns at once, and the commit after it is a statement of the head's
queue that waits for the shards' writes before it bumps the counter. At
most ``PENDING_BATCHES`` commits wait; a failure is raised by the next
call (and by ``finish``), as ``ClusterUnavailable``.

Every shard must answer: a write that would miss one stops with a message.
"""
from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor

from ..store import sphinx as sx
from .cluster_rows import VOCAB_COLUMNS, row_values, vocabulary_values

ROWS_A_STATEMENT = 50  # shard rows (tens of KB each) a REPLACE
VOCABULARY_A_STATEMENT = 2000
PENDING_BATCHES = 2
META_IDS = {"generation": 1, "shards": 2, "links": 3, "persons": 4, "stories": 5}


def execute(conn, sql: str) -> list[tuple]:
    """A statement, and ``SHOW META``'s warnings: an agent that did not answer."""
    import pymysql

    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            rows = list(cur.fetchall())
            cur.execute("SHOW META")
            warnings = [value for key, value in cur.fetchall() if key == "warning"]
    except pymysql.err.MySQLError as exc:
        raise sx.ClusterUnavailable(f"the search cluster failed a write or read: {exc.args[-1]}") from exc
    if warnings:
        raise sx.ClusterUnavailable("not every shard answers, and a build needs all: " + "; ".join(warnings))
    return rows


class _Node:
    """One node's connection and the thread that sends it statements in turn."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.queue = ThreadPoolExecutor(max_workers=1)

    def send(self, sql: str, after: list[Future] = ()) -> Future:
        """Sends ``sql`` once the node's earlier statements and ``after`` are done."""
        def run() -> list[tuple]:
            for future in after:
                future.result()
            return execute(self.conn, sql)

        return self.queue.submit(run)

    def close(self) -> None:
        self.queue.shutdown(wait=True)
        try:
            self.conn.close()
        except Exception:
            pass


class ClusterWriter:
    """Connections to every shard's node, from the meta index's list."""

    def __init__(self, url: sx.ClusterUrl) -> None:
        self.url = url
        self.head = _Node(sx.connect(url.host, url.port))
        self.meta = self._meta()
        if "shards" not in self.meta:
            raise sx.ClusterUnavailable(f"{url} is not a Promsearch cluster (no shards in {url.meta}); "
                                        "start one with: search-cluster up --nodes N --dir DIR")
        self._require_vocabulary_layout()
        self.shards = json.loads(self.meta["shards"])
        self.nodes = [_Node(sx.connect(s["host"], s["sql_port"])) for s in self.shards]
        self._vocabulary_written: set[tuple[str, str, str]] = set()  # the rows this writer wrote
        self._writes: list[Future] = []  # the shards' writes since the last commit
        self._pending: list[Future] = []  # commits and meta writes not yet done

    def read(self, sql: str) -> list[tuple]:
        """A statement of the head, after what the head was given before."""
        return self.head.send(sql).result()

    def _meta(self) -> dict[str, str]:
        try:
            return dict(self.read(f"SELECT kind, value FROM {self.url.meta} LIMIT 0,1000"))
        except sx.ClusterUnavailable as exc:
            raise sx.ClusterUnavailable(f"{self.url} is not a Promsearch cluster ({exc})") from exc

    def _require_vocabulary_layout(self) -> None:
        described = {row[0] for row in self.read(f"DESCRIBE {self.url.name}_vocab")}
        if not set(VOCAB_COLUMNS) <= described:
            raise sx.ClusterUnavailable(f"the vocabulary of {self.url} has an older layout; start a new cluster "
                                        "(search-cluster up) and load it again")

    def known_hashes(self) -> dict[str, str]:
        """Every indexed document's id -> content hash."""
        total = self.read(f"SELECT COUNT(*) FROM {self.url.name}")[0][0]
        limit = int(total) + 1
        return dict(self.read(f"SELECT doc_id, content_hash FROM {self.url.name} "
                              f"LIMIT 0,{limit} OPTION max_matches={limit}"))

    def _check(self) -> None:
        """Raises the first failure of a write or a commit sent before."""
        for future in [f for f in self._writes + self._pending if f.done()]:
            future.result()
        self._pending = [f for f in self._pending if not f.done()]

    def write(self, rows: list[dict], after: list[Future] = ()) -> None:
        """Sends the rows to their shards once ``after`` is done (the
        vocabulary of their words: a document the cluster has is not
        written again, nor its words); returns at once."""
        self._check()
        by_shard: dict[int, list[dict]] = {}
        for row in rows:
            by_shard.setdefault(row["id"] % len(self.shards), []).append(row)
        for number, shard_rows in by_shard.items():
            name = self.shards[number]["name"]
            for start in range(0, len(shard_rows), ROWS_A_STATEMENT):
                chunk = shard_rows[start:start + ROWS_A_STATEMENT]
                self._writes.append(self.nodes[number].send(
                    f"REPLACE INTO {name} ({', '.join(chunk[0])}) VALUES " + ", ".join(map(row_values, chunk)), after))

    def write_vocabulary(self, rows) -> list[Future]:
        """Sends the rows (kind, term, lemma) this writer has not written
        yet (a batch repeats most of the words of the batches before it);
        returns at once, with the writes."""
        self._check()
        fresh = list(set(rows) - self._vocabulary_written)
        sent = []
        for start in range(0, len(fresh), VOCABULARY_A_STATEMENT):
            values = ", ".join(vocabulary_values(*row) for row in fresh[start:start + VOCABULARY_A_STATEMENT])
            sent.append(self.head.send(f"REPLACE INTO {self.url.name}_vocab ({', '.join(VOCAB_COLUMNS)}) "
                                       f"VALUES {values}"))
        self._writes += sent
        self._vocabulary_written.update(fresh)
        return sent

    def delete(self, doc_id: str) -> None:
        number = sx.shard_of(doc_id, len(self.shards))
        self._writes.append(self.nodes[number].send(
            f"DELETE FROM {self.shards[number]['name']} WHERE id = {sx.doc_key(doc_id)}"))

    def set_meta(self, kind: str, value: str) -> None:
        """Sent after what the head was given before; returns at once."""
        self._check()
        self._pending.append(self.head.send(
            f"REPLACE INTO {self.url.meta} (id, kind_text, kind, value) "
            f"VALUES ({META_IDS[kind]}, {sx.quote(kind)}, {sx.quote(kind)}, {sx.quote(value)})"))
        self.meta[kind] = value

    def commit(self) -> None:
        """Bumps the counter once the writes sent so far are done (searches
        then make a new view and see them); returns at once, unless
        ``PENDING_BATCHES`` commits are waiting already."""
        self._check()
        writes, self._writes = self._writes, []
        generation = int(self.meta.get("generation") or 0) + 1
        self.meta["generation"] = str(generation)

        def bump() -> list[tuple]:
            for write in writes:
                write.result()
            return execute(self.head.conn, f"REPLACE INTO {self.url.meta} (id, kind_text, kind, value) VALUES "
                                           f"({META_IDS['generation']}, 'generation', 'generation', '{generation}')")

        self._pending.append(self.head.queue.submit(bump))
        while len(self._pending) > PENDING_BATCHES:
            self._pending.pop(0).result()

    def finish(self) -> None:
        """Waits for every write and commit sent."""
        for future in self._writes + self._pending:
            future.result()
        self._writes, self._pending = [], []

    def close(self) -> None:
        for node in (self.head, *self.nodes):
            node.close()

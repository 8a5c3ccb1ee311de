"""Writing to a cluster: rows to their shards, the vocabulary and the meta
index to the head, the commit counter bumped after each batch.

Each node has one connection and one thread that sends it statements in
the order they were given, so the nodes index at the same time, and while
they do, the process that writes makes the next batch's rows: a write
returns at once, and the commit after it is a statement of the head's
queue that waits for the shards' writes before it bumps the counter. At
most ``PENDING_BATCHES`` commits wait; a failure is raised by the next
call (and by ``finish``), as ``ClusterUnavailable``.

A document's record and raw text go to its shard's records index
(``sphinx.RECORDS_SCHEMA``), before its row goes to the shard, so a search
never finds a document without its record.

Every shard must answer: a write that would miss one stops with a message.
"""
from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor

from ..store import cluster_facets
from ..store import sphinx as sx
from .cluster_rows import VOCAB_COLUMNS, row_values, vocabulary_values

ROWS_A_STATEMENT = 50  # shard rows (tens of KB each) a REPLACE
VOCABULARY_A_STATEMENT = 2000
PENDING_BATCHES = 2


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


def execute_batch(conn, statements: list[str]) -> list[list[tuple]]:
    """Several statements in one round trip: each one's rows (a warning
    fails them all, as in ``execute``)."""
    import pymysql

    out = []
    for part in sx.batches(statements):
        results = []
        try:
            with conn.cursor() as cur:
                cur.execute(";\n".join([*part, "SHOW META"]))
                results.append(list(cur.fetchall()))
                while cur.nextset():
                    results.append(list(cur.fetchall()))
        except pymysql.err.MySQLError as exc:
            raise sx.ClusterUnavailable(f"the search cluster failed a read: {exc.args[-1]}") from exc
        warnings = [value for key, value in results.pop() if key == "warning"]
        if warnings:
            raise sx.ClusterUnavailable("not every shard answers, and a build needs all: " + "; ".join(warnings))
        out += results
    return out


def _split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Rows of a shard as (its records' rows, its own rows)."""
    records = [{"id": row["id"], "record_text": "", **{c: row.pop(c) for c in sx.RECORD_COLUMNS}} for row in rows]
    return records, rows


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
        self.shards = json.loads(self.meta["shards"])
        self.nodes: list[_Node] = []
        try:
            self.nodes = [_Node(sx.connect(s["host"], s["sql_port"])) for s in self.shards]
            self._require_layout()
        except BaseException:
            self.close()
            raise
        self._vocabulary_written: set[tuple[str, str, str]] = set()  # the rows this writer wrote
        self._writes: list[Future] = []  # the shards' writes since the last commit
        self._pending: list[Future] = []  # commits and meta writes not yet done

    def read(self, sql: str) -> list[tuple]:
        """A statement of the head, after what the head was given before."""
        return self.head.send(sql).result()

    def _meta(self) -> dict[str, str]:
        try:
            return sx.meta_values(self.read(f"SELECT kind, value FROM {self.url.meta} LIMIT 0,1000"))
        except sx.ClusterUnavailable as exc:
            raise sx.ClusterUnavailable(f"{self.url} is not a Promsearch cluster ({exc})") from exc

    def _require_layout(self) -> None:
        """A cluster made by an earlier version (the vocabulary read whole,
        the records in the shards) is not written to: it would not be read."""
        try:
            described = {row[0] for row in self.read(f"DESCRIBE {self.url.name}_vocab")}
            first = self.shards[0]["name"]
            for index in (first, sx.records_name(first)):
                described |= {row[0] for row in self.nodes[0].send(f"DESCRIBE {index}").result()}
        except sx.ClusterUnavailable:
            described = set()
        if not {*VOCAB_COLUMNS, *sx.RECORD_COLUMNS, "official_excess_ids"} <= described:
            raise sx.ClusterUnavailable(f"{self.url} was made by an earlier version of Promsearch; start a new "
                                        "cluster (search-cluster up) and load it again")

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
                records, rows = _split([dict(row) for row in shard_rows[start:start + ROWS_A_STATEMENT]])
                node = self.nodes[number]
                self._writes.append(node.send(f"REPLACE INTO {sx.records_name(name)} ({', '.join(records[0])}) "
                                              "VALUES " + ", ".join(map(row_values, records)), after))
                self._writes.append(node.send(f"REPLACE INTO {name} ({', '.join(rows[0])}) VALUES "
                                              + ", ".join(map(row_values, rows))))

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
        name, node = self.shards[number]["name"], self.nodes[number]
        self._writes.append(node.send(f"DELETE FROM {name} WHERE id = {sx.doc_key(doc_id)}"))
        self._writes.append(node.send(f"DELETE FROM {sx.records_name(name)} WHERE id = {sx.doc_key(doc_id)}"))

    def set_meta(self, kind: str, value: str) -> None:
        """Sent after what the head was given before; returns at once."""
        self._check()
        rows = sx.meta_rows(kind, value)
        # the parts before the row that counts them, so a reader never counts parts not written yet
        for number, name, text in rows[1:] + rows[:1]:
            self._pending.append(self.head.send(f"REPLACE INTO {self.url.meta} (id, kind_text, kind, value) "
                                                f"VALUES ({number}, {sx.quote(name)}, {sx.quote(name)}, {sx.quote(text)})"))
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
                                           f"({sx.META_IDS['generation']}, 'generation', 'generation', '{generation}')")

        self._pending.append(self.head.queue.submit(bump))
        while len(self._pending) > PENDING_BATCHES:
            self._pending.pop(0).result()

    def count_facet_values(self) -> None:
        """Once the writes sent are done, counts every facet's values over
        the cluster and keeps them in the meta index (``cluster_facets``):
        the views opened after the next commit read them from there."""
        self.finish()
        links = json.loads(self.meta.get("links") or "{}")
        batch = lambda statements: self.head.queue.submit(execute_batch, self.head.conn, statements).result()  # noqa: E731
        counted, excess = cluster_facets.count_values(batch, self.url.name, links)
        self._update_excess(excess)
        self.finish()
        self.set_meta(cluster_facets.META_KIND, cluster_facets.encode(counted))

    def _update_excess(self, excess: dict[int, tuple[int, ...]]) -> None:
        """Sets the documents' ``official_excess_ids``: one UPDATE for the
        documents of a shard that take the same values (most take one)."""
        by_values: dict[tuple[int, tuple[int, ...]], list[int]] = {}
        for key, values in excess.items():
            by_values.setdefault((key % len(self.shards), values), []).append(key)
        for (number, values), keys in by_values.items():
            name = self.shards[number]["name"]
            for at in range(0, len(keys), sx.VALUES_A_FILTER):
                self._writes.append(self.nodes[number].send(
                    f"UPDATE {name} SET official_excess_ids = ({', '.join(map(str, values))}) "
                    f"WHERE id IN ({', '.join(map(str, keys[at:at + sx.VALUES_A_FILTER]))})"))

    def finish(self) -> None:
        """Waits for every write and commit sent."""
        for future in self._writes + self._pending:
            future.result()
        self._writes, self._pending = [], []

    def close(self) -> None:
        for node in (self.head, *self.nodes):
            node.close()

"""What the build and the search agree on about a Sphinx/Manticore cluster.

The cluster is reached by a URL, ``sphinx://HOST:PORT/NAME``: a node that
holds the distributed index NAME (its shards: RT indexes, the node's own
and other nodes' as agents) and the small RT index ``NAME_meta`` (the
shards' addresses, the commit counter, the officials' links). Both speak
SphinxQL over the MySQL protocol, so PyMySQL is the client.

Promsearch keeps its own analysis: the cluster is given the pipeline's
lemmas and exact forms as ready words, and the engine is told to do no
stemming of its own. Every word is spelled (``token``) in the characters
the index's ``charset_table`` keeps as they are, so the engine's tokenizer
neither splits nor folds it: a hyphen, an apostrophe or an underscore is
written as ``_hex_``, which no other word spells.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass
from urllib.parse import urlparse

BACKEND_ENV = "PROMSEARCH_BACKEND"
SCHEME = "sphinx"
CONNECT_TIMEOUT_S = 3
# The text fields of a shard, and the field that holds the facet values as
# words (so a facet value is a term of the query algebra like any other).
TEXT_FIELDS = ("title", "body", "exact", "facets")
# The ranker: BM25F as Promsearch's own index scores it (k1 1.2, b 0.75, the
# title weighing 2.5 times the body), written out in the expression ranker:
# Sphinx 2.2's bm25f() needs field lengths its RT indexes do not keep (it
# answers 0.5 for every document), so each field's length is an attribute
# of the document and the view fills in the averages. The field weights
# only tell the fields apart inside sum(). The idf is Whoosh's, log(N/n) + 1
# (``sum_idf + word_count``), but of the word over all fields: Sphinx has no
# idf per field. Manticore's bm25f() works on RT indexes, and could replace
# the formula (docs/scale-out.md).
FIELD_WEIGHTS = "field_weights=(title=5, body=2, exact=3)"
RANKER_FORMULA = ("sum((sum_idf+word_count)*if(user_weight=5,2.5,1)*hit_count*2.2/(hit_count+1.2*(0.25+0.75*"
                  "if(user_weight=5,title_len/{title},if(user_weight=2,body_len/{body},exact_len/{exact})))))*10000")


# The facets field (weight 1) as the page path ranks it: a facet value's
# word scores nothing, so documents an entity's fallback finds only by its
# facet value rank below those with the words (``search/sphinx_compile.py``).
FIELD_FACTOR, FACETS_SCORE_NOTHING = "if(user_weight=5,2.5,1)", "if(user_weight=5,2.5,if(user_weight=1,0,1))"


def ranker(average_lengths: dict[str, float], facets_weigh: bool = True) -> str:
    """The ranker's OPTION text, with the index's average field lengths."""
    averages = {name: f"{max(average_lengths.get(name, 1.0), 1.0):.3f}" for name in ("title", "body", "exact")}
    formula = RANKER_FORMULA if facets_weigh else RANKER_FORMULA.replace(FIELD_FACTOR, FACETS_SCORE_NOTHING, 1)
    return f"expr('{formula.format(**averages)}'), {FIELD_WEIGHTS}, idf='plain,tfidf_unnormalized'"


# Letters the shards' charset_table keeps as they are: what ``token`` leaves alone.
_PLAIN_CHARS = "0-9a-z\u0430-\u044f\u0451\u00df-\u00f6\u00f8-\u00ff"
_PLAIN_WORD = re.compile(f"[{_PLAIN_CHARS}]+")
_NOT_PLAIN = re.compile(f"[^{_PLAIN_CHARS}]")
_NOT_PLAIN_NOR_SPACE = re.compile(f"[^ {_PLAIN_CHARS}]")
CHARSET_TABLE = "0..9, a..z, _, U+430..U+44F, U+451, U+DF..U+F6, U+F8..U+FF"


# Statements a multi-statement round trip may hold: a distributed index
# passes them to its agents as one multi-query, and an agent refuses more
# than 32 (with only a warning: the answer would be the head's shard alone).
STATEMENTS_A_BATCH = 32
VALUES_A_FILTER = 4096  # values an IN filter may list (more: the agent refuses the query, with a warning)


def batches(statements: list[str]) -> list[list[str]]:
    return [statements[at:at + STATEMENTS_A_BATCH] for at in range(0, len(statements), STATEMENTS_A_BATCH)]


class ClusterUnavailable(RuntimeError):
    """The cluster cannot be reached or answers with an error; the message is for the user."""


class BadBackendUrl(ValueError):
    """A --backend value that is not a cluster URL."""


@dataclass(frozen=True)
class ClusterUrl:
    host: str
    port: int
    name: str  # the distributed index

    @property
    def meta(self) -> str:
        return f"{self.name}_meta"

    def __str__(self) -> str:
        return f"{SCHEME}://{self.host}:{self.port}/{self.name}"


def parse_url(text: str) -> ClusterUrl:
    parsed = urlparse(text or "")
    if parsed.scheme != SCHEME or not parsed.hostname or not parsed.port:
        raise BadBackendUrl(f"not a cluster URL: {text!r} (expected {SCHEME}://HOST:PORT/INDEX)")
    name = parsed.path.strip("/") or "news"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise BadBackendUrl(f"not an index name: {name!r} in {text!r}")
    return ClusterUrl(parsed.hostname, parsed.port, name)


def backend_url(cli_value: str | None) -> str | None:
    """``--backend`` wins over ``$PROMSEARCH_BACKEND``; None: the embedded index."""
    return cli_value or os.environ.get(BACKEND_ENV) or None


def connect(host: str, port: int, timeout: float = CONNECT_TIMEOUT_S):
    """A SphinxQL connection; ``ClusterUnavailable`` if the node does not answer."""
    import pymysql

    try:
        # several statements a round trip: the facets' GROUP BY queries go together
        return pymysql.connect(host=host, port=port, user="", password="", charset="utf8mb4",
                               connect_timeout=timeout, read_timeout=60, write_timeout=60, autocommit=True,
                               client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
    except pymysql.err.MySQLError as exc:
        raise ClusterUnavailable(f"the search cluster at {host}:{port} does not answer ({exc.args[-1]})") from exc


def doc_key(doc_id: str) -> int:
    """A document's id in the cluster: 63 bits of a hash of Promsearch's id
    (Sphinx's ids are positive 64-bit integers)."""
    key = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") & (2 ** 63 - 1)
    return key or 1


def shard_of(doc_id: str, shards: int) -> int:
    """Which shard (0-based) a document lives on: by a hash of its id, so a
    changed document goes where its old version is."""
    return doc_key(doc_id) % shards


@functools.lru_cache(maxsize=200_000)
def token(word: str) -> str:
    """A word as the cluster files it: unchanged if every character is one the
    charset keeps, else each other character as ``_hex_``. (Cached: a build
    spells a few hundred thousand words, most of them many times.)"""
    if _PLAIN_WORD.fullmatch(word):
        return word
    return _NOT_PLAIN.sub(_hex, word)


def _hex(found: re.Match) -> str:
    return f"_{ord(found.group()):x}_"


def spell_words(text: str) -> str:
    """Words joined by spaces, each spelled as ``token`` spells it, in one
    pass over the text (a document's few thousand words, one call)."""
    return _NOT_PLAIN_NOR_SPACE.sub(_hex, text)


def facet_value_id(name: str, value: str) -> int:
    """A facet value as an integer, for the ``NAME_ids`` attributes."""
    return doc_key(f"{name}\x00{value}")


def excess_id(full: str, extra: int) -> int:
    """The ``official_excess_ids`` value of a document's ``extra``-th form
    (from 1) of the full name ``full`` past the first."""
    return facet_value_id("official excess", f"{full}\x00{extra}")


def facet_token(name: str, value: str) -> str:
    """A facet value as a word of the ``facets`` field."""
    return "f" + hashlib.blake2b(f"{name}\x00{value}".encode("utf-8"), digest_size=10).hexdigest()


def quote(value: str) -> str:
    """A SphinxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def shard_name(name: str, number: int) -> str:
    return f"{name}_shard{number}"


def records_name(index: str) -> str:
    """The index of a shard's records (``RECORDS_SCHEMA``), or, of the
    distributed index's name, the distributed index over them all."""
    return f"{index}_records"


SHARD_SCHEMA = """\
    type = rt
    path = {path}
    rt_field = title
    rt_field = body
    rt_field = exact
    rt_field = facets
    rt_attr_string = doc_id
    rt_attr_string = path
    rt_attr_string = content_hash
    rt_attr_bigint = sortdate
    # each field's length in words, for the ranker's BM25 (``RANKER_FORMULA``)
    rt_attr_uint = title_len
    rt_attr_uint = body_len
    rt_attr_uint = exact_len
    rt_attr_string = facets_json
    # each facet's values as ids (``facet_value_id``), for GROUP BY and IN filters
    rt_attr_multi_64 = official_ids
    rt_attr_multi_64 = region_ids
    rt_attr_multi_64 = district_ids
    rt_attr_multi_64 = sector_ids
    rt_attr_multi_64 = place_ids
    rt_attr_multi_64 = year_ids
    rt_attr_multi_64 = lang_ids
    # a document naming one person in several forms the officials' links
    # merge: a value for each form past the first (``excess_id``), set by
    # the build at the end of a run, so a page counts the merged name's
    # documents from its GROUP BYs (``cluster_facets``)
    rt_attr_multi_64 = official_excess_ids
    rt_mem_limit = 256M
    # the words come analysed by Promsearch: no stemming, no stop words, and
    # a charset that keeps each word whole (``token``)
    morphology = none
    min_word_len = 1
    charset_table = {charset}
    dict = keywords
"""

# A shard's records, beside it on its node (``records_name``): the stored
# record as JSON and the raw text, Zstandard-compressed, base64. Not in the
# shard itself: Sphinx 2.2 copies a match's string attributes into every
# sorter it passes (a page's, each facet's GROUP BY), and with 20 KB of
# strings a document a GROUP BY of 20,000 officials cost 1.9 s of CPU
# instead of 20 ms. A page reads its ten records from here by id.
RECORDS_SCHEMA = """\
    type = rt
    path = {path}
    rt_field = record_text
    rt_attr_string = stored_json
    rt_attr_string = source_text
    rt_mem_limit = 256M
"""
RECORD_COLUMNS = ("stored_json", "source_text")

# The meta index's rows: a kind each, a value too long for one string
# attribute in several (Sphinx 2.2 cuts a string attribute at 4 MB without
# a word: its length has 22 bits). The first row then says how many.
META_IDS = {"generation": 1, "shards": 2, "links": 3, "persons": 4, "stories": 5, "facets": 6}
META_PART = 500_000  # characters a row holds: 2 MB of UTF-8 at most
_PARTS_MARK = "#parts:"  # no value held whole starts so (JSON, numbers)


def meta_rows(kind: str, value: str) -> list[tuple[int, str, str]]:
    """(id, kind, value) of the rows that hold a meta value."""
    if len(value) <= META_PART:
        return [(META_IDS[kind], kind, value)]
    parts = [value[at:at + META_PART] for at in range(0, len(value), META_PART)]
    base = META_IDS[kind] * 1_000_000
    return [(META_IDS[kind], kind, f"{_PARTS_MARK}{len(parts)}"),
            *((base + i, f"{kind}#{i}", part) for i, part in enumerate(parts))]


def meta_values(rows) -> dict[str, str]:
    """The meta index's (kind, value) rows as kind -> whole value."""
    found = dict(rows)
    whole = {}
    for kind, value in found.items():
        if "#" in kind:
            continue
        if value.startswith(_PARTS_MARK):
            value = "".join(found.get(f"{kind}#{i}", "") for i in range(int(value[len(_PARTS_MARK):])))
        whole[kind] = value
    return whole


META_SCHEMA = """\
    type = rt
    path = {path}
    rt_field = kind_text
    rt_attr_string = kind
    rt_attr_string = value
"""

# The vocabulary (``NAME_vocab``, on the head), asked per search, never read
# whole: a row for each exact form ("exact": the form as a word of
# ``term_text``, whose prefixes the engine expands, ``min_prefix_len``; its
# letter trigrams as words of ``grams``, for spelling; its length) and one
# for each form of each lemma ("form": the lemma in ``lemma_text``, the form
# in ``form_text``). ``term`` and ``lemma`` say them as they are.
VOCAB_SCHEMA = """\
    type = rt
    path = {path}
    rt_field = term_text
    rt_field = grams
    rt_field = lemma_text
    rt_field = form_text
    rt_attr_string = kind
    rt_attr_string = term
    rt_attr_string = lemma
    rt_attr_uint = term_len
    min_prefix_len = 1
    morphology = none
    min_word_len = 1
    charset_table = {charset}
    dict = keywords
"""
VOCAB_FIELDS = ("term_text", "grams", "lemma_text", "form_text")


_START, _END = "_5e_", "_24_"  # "^" and "$" as ``token`` spells them


def grams(word: str) -> list[str]:
    """A word's distinct letter trigrams, the word's start and end marked
    (``^ab``, ``ab$``), each as the vocabulary files it. An edit changes at
    most three of them, so a word within two edits of another has all but
    six of its trigrams (the spelling's candidates, ``sphinx_vocabulary``)."""
    if len(word) >= 2 and _PLAIN_WORD.fullmatch(word):  # most words: only the marks need spelling
        return list(dict.fromkeys([_START + word[:2], *(word[i:i + 3] for i in range(len(word) - 2)),
                                   word[-2:] + _END]))
    padded = f"^{word}$"
    return list(dict.fromkeys(token(padded[i:i + 3]) for i in range(max(len(padded) - 2, 1))))


def node_config(directory: str, name: str, node: int, ports: list[tuple[int, int]], host: str = "127.0.0.1") -> str:
    """searchd's config for node ``node`` (1-based) of ``len(ports)``: its
    shard; node 1 also the distributed index over all and the meta index.
    Each node listens twice: SphinxQL for clients (the first port), and
    Sphinx's own protocol (the second), which is what agents speak."""
    data = f"{directory}/node{node}"
    shard = shard_name(name, node)
    sections = [f"index {shard}\n{{\n" + SHARD_SCHEMA.format(path=f"{data}/{shard}", charset=CHARSET_TABLE) + "}\n",
                f"index {records_name(shard)}\n{{\n" + RECORDS_SCHEMA.format(path=f"{data}/{records_name(shard)}") + "}\n"]
    if node == 1:
        for distributed, local in ((name, shard_name), (records_name(name), lambda n, k: records_name(shard_name(n, k)))):
            agents = "".join(f"    agent = {host}:{api}:{local(name, n)}\n"
                             for n, (_sql, api) in enumerate(ports, start=1) if n != 1)
            sections.append(f"index {distributed}\n{{\n    type = distributed\n    local = {local(name, 1)}\n{agents}"
                            # a refused connection fails at once; a node that accepts but hangs costs this long
                            # before the others' answer is returned, marked partial (500 ms is tight for a node
                            # on a loaded machine to shake hands, the likely cause of one parity test's short total)
                            "    agent_connect_timeout = 2000\n    agent_query_timeout = 10000\n}\n")
        sections.append(f"index {name}_meta\n{{\n" + META_SCHEMA.format(path=f"{data}/{name}_meta") + "}\n")
        sections.append(f"index {name}_vocab\n{{\n" + VOCAB_SCHEMA.format(path=f"{data}/{name}_vocab", charset=CHARSET_TABLE) + "}\n")
    sections.append(
        "searchd\n{\n"
        f"    listen = {host}:{ports[node - 1][0]}:mysql41\n"
        f"    listen = {host}:{ports[node - 1][1]}\n"
        f"    log = {data}/searchd.log\n"
        f"    query_log = {data}/query.log\n"
        f"    pid_file = {data}/searchd.pid\n"
        f"    binlog_path = {data}\n"
        "    workers = threads\n"
        "    read_timeout = 5\n"
        "    max_packet_size = 128M\n"
        # strings compare byte by byte: the vocabulary's words come sorted as Python sorts them
        "    collation_server = binary\n"
        "    seamless_rotate = 1\n"
        "}\n")
    return "\n".join(sections)

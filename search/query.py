"""The query language: a forgiving parser from what users type to a small AST.

    импортозамещение губернатор          all words, each in any form (AND)
    экспорт OR esportazione              either
    NOT санкции, -санкции                without
    "поддержка экспорта"                 the phrase, in any inflection
    !экспорта                            this exact form only
    импортозамещ*                        prefix of the surface form
    title:хартия  region:"Хабаровский край"  a field
    ( ... )                              grouping

OR binds tighter than the implied AND (``a b OR c`` is ``a AND (b OR c)``).
The parser never raises: anything it cannot use is dropped and reported in
``ParsedQuery.ignored``, and what remains is searched as plain words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.analysis.chain import lemma_analyzer, load_stop_words, surface_analyzer

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
FIELDS = ("title", "official", "region", "district", "sector", "place", "year", "lang")


# -- AST -------------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    """A word in any form: matched by lemma."""

    raw: str
    lemma: str
    surface: str


@dataclass(frozen=True)
class Exact:
    """``!word``: this form only."""

    raw: str
    surface: str


@dataclass(frozen=True)
class Prefix:
    raw: str
    prefix: str


@dataclass(frozen=True)
class Phrase:
    raw: str
    lemmas: tuple[str, ...]
    surfaces: tuple[str, ...]
    exact: bool = False


@dataclass(frozen=True)
class FieldQuery:
    """``title:word`` or a facet value (``region:"Хабаровский край"``)."""

    name: str
    value: str
    inner: object = None  # for title: the parsed word or phrase


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass
class ParsedQuery:
    text: str
    root: object | None  # None: the empty query, which browses everything
    ignored: list[str] = field(default_factory=list)

    def positive_terms(self) -> list:
        """Words, exact forms, prefixes and phrases that are not negated."""
        out: list = []

        def walk(node, negated: bool) -> None:
            if isinstance(node, (And, Or)):
                for item in node.items:
                    walk(item, negated)
            elif isinstance(node, Not):
                walk(node.item, not negated)
            elif isinstance(node, FieldQuery):
                if node.inner is not None:
                    walk(node.inner, negated)
            elif node is not None and not negated:
                out.append(node)

        walk(self.root, False)
        return out


# -- lexer -----------------------------------------------------------------
_TOKEN = re.compile(
    r"""
    (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<field>(?P<fname>[A-Za-z_]+):(?P<fquote>"[^"]*"|[^\s()"]+))
  | (?P<phrase>(?P<neg>-)?(?P<bang>!)?"(?P<ptext>[^"]*)")
  | (?P<quote>")
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass
class _Tok:
    kind: str
    text: str
    extra: dict = field(default_factory=dict)


def _lex(text: str, ignored: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if m.group("lparen"):
            toks.append(_Tok("(", "("))
        elif m.group("rparen"):
            toks.append(_Tok(")", ")"))
        elif m.group("field"):
            value = m.group("fquote")
            toks.append(_Tok("field", m.group(0), {"name": m.group("fname").lower(), "value": value.strip('"')}))
        elif m.group("phrase"):
            toks.append(_Tok("phrase", m.group(0), {"neg": bool(m.group("neg")), "exact": bool(m.group("bang")), "text": m.group("ptext")}))
        elif m.group("quote"):
            ignored.append('unclosed quote "')
        elif kind == "word":
            word = m.group("word")
            if word in ("OR", "|", "ИЛИ"):
                toks.append(_Tok("OR", word))
            elif word in ("AND", "&&", "И"):
                toks.append(_Tok("AND", word))
            elif word in ("NOT", "НЕ"):
                toks.append(_Tok("NOT", word))
            else:
                toks.append(_Tok("word", word))
    return toks


# -- parser ----------------------------------------------------------------
class QueryParser:
    """Builds the AST, analysing every word with the index's own chain."""

    def __init__(self, lemmatizer=None) -> None:
        self._lemmas = lemma_analyzer(lemmatizer)
        self._surface = surface_analyzer()
        self.stop_words = load_stop_words()

    def analyze(self, text: str) -> list[tuple[str, str]]:
        """(lemma, surface) pairs of the words in ``text`` that are not stop words."""
        return [(t.text, t.surface) for t in self._lemmas(text, mode="query")]

    def surfaces(self, text: str) -> list[str]:
        return [t.text for t in self._surface(text, mode="query")]

    def parse(self, text: str) -> ParsedQuery:
        ignored: list[str] = []
        text = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
        if len(text) > MAX_QUERY_CHARS:
            ignored.append(f"text after the first {MAX_QUERY_CHARS} characters")
            text = text[:MAX_QUERY_CHARS]
        toks = _lex(text, ignored)
        state = _ParseState(self, toks, ignored)
        root = state.parse_all()
        return ParsedQuery(text=text.strip(), root=root, ignored=ignored)


class _ParseState:
    def __init__(self, parser: QueryParser, toks: list[_Tok], ignored: list[str]) -> None:
        self.p = parser
        self.toks = toks
        self.i = 0
        self.ignored = ignored
        self.depth = 0
        self.terms = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse_all(self):
        items = []
        while self.peek() is not None:
            node = self.parse_and(top=True)
            if node is not None:
                items.append(node)
            if self.peek() is not None and self.peek().kind == ")":
                self.take()
                self.ignored.append("unmatched )")
        return _simplify(And(tuple(items)))

    def parse_and(self, top: bool = False):
        items = []
        while True:
            tok = self.peek()
            if tok is None or tok.kind == ")":
                break
            if tok.kind == "AND":
                self.take()
                if not items or self.peek() is None or self.peek().kind in (")", "AND", "OR"):
                    self.ignored.append(f"operator {tok.text} without operands")
                continue
            if tok.kind == "OR":
                self.take()
                self.ignored.append(f"operator {tok.text} without operands")
                continue
            node = self.parse_or()
            if node is not None:
                items.append(node)
        return _simplify(And(tuple(items)))

    def parse_or(self):
        left = self.parse_unary()
        alternatives = [left] if left is not None else []
        while self.peek() is not None and self.peek().kind == "OR":
            op = self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                self.ignored.append(f"operator {op.text} without operands")
                continue
            right = self.parse_unary()
            if right is not None:
                alternatives.append(right)
            elif not alternatives:
                self.ignored.append(f"operator {op.text} without operands")
        if len(alternatives) == 1 and left is None:
            return alternatives[0]
        return _simplify(Or(tuple(alternatives)))

    def parse_unary(self):
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "NOT":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND", "NOT"):
                self.ignored.append(f"operator {tok.text} without operand")
                return None
            inner = self.parse_unary()
            return Not(inner) if inner is not None else None
        if tok.kind == "(":
            self.take()
            self.depth += 1
            inner = self.parse_and()
            self.depth -= 1
            if self.peek() is not None and self.peek().kind == ")":
                self.take()
            else:
                self.ignored.append("unclosed (")
            return inner
        if tok.kind == "phrase":
            self.take()
            node = self.phrase(tok.extra["text"], tok.extra["exact"], tok.text)
            if node is not None and tok.extra["neg"]:
                return Not(node)
            return node
        if tok.kind == "field":
            self.take()
            return self.field(tok)
        if tok.kind == "word":
            self.take()
            return self.word(tok.text)
        self.take()
        self.ignored.append(tok.text)
        return None

    # -- leaves ------------------------------------------------------------
    def _count(self, raw: str) -> bool:
        self.terms += 1
        if self.terms > MAX_TERMS:
            if self.terms == MAX_TERMS + 1:
                self.ignored.append(f"terms after the first {MAX_TERMS}")
            return False
        return True

    def word(self, raw: str):
        if raw.startswith("-") and len(raw) > 1:
            inner = self.word(raw[1:])
            return Not(inner) if inner is not None else None
        if raw.startswith("!") and len(raw) > 1:
            return self.phrase(raw[1:], True, raw)
        if raw.endswith("*"):
            stem = self.p.surfaces(raw.rstrip("*"))
            if len(stem) == 1 and len(stem[0]) >= 2:
                return Prefix(raw, stem[0]) if self._count(raw) else None
            self.ignored.append(f"{raw} (a prefix needs at least two letters)")
            return None
        # a word that the chain splits ("all'estero", "11:30") is a phrase
        return self.phrase(raw, False, raw)

    def phrase(self, text: str, exact: bool, raw: str):
        """Words in order; one word is a Word (or Exact), several a Phrase."""
        # (lemma, surface) pairs; an exact phrase matches surfaces, so both are the surface
        pairs = [(w, w) for w in self.p.surfaces(text)] if exact else self.p.analyze(text)
        if not pairs:
            self.ignored.append(raw)
            return None
        if not self._count(raw):
            return None
        if len(pairs) == 1:
            return Exact(raw, pairs[0][1]) if exact else Word(raw, pairs[0][0], pairs[0][1])
        return Phrase(raw, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), exact=exact)

    def field(self, tok: _Tok):
        name, value = tok.extra["name"], tok.extra["value"].strip()
        if name not in FIELDS:
            # Not a field we know: "http://..." or "11:30" — search it as words.
            return self._as_words(tok.text)
        if not value:
            self.ignored.append(tok.text)
            return None
        if name == "title":
            inner = self.phrase(value, False, tok.text) if " " in value else self.word(value)
            return FieldQuery("title", value, inner) if inner is not None else None
        return FieldQuery(name, value)

    def _as_words(self, text: str):
        words = [self.word(part) for part in re.split(r"[:\s]+", text) if part]
        words = [w for w in words if w is not None]
        return _simplify(And(tuple(words)))


def _simplify(node):
    """Flatten one-item and empty groups."""
    if isinstance(node, (And, Or)):
        items = tuple(i for i in node.items if i is not None)
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return type(node)(items)
    return node

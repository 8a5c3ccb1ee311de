"""Import Whoosh without three modules nothing here ever calls.

``search-cli`` starts in about half a second, and a sixth of that went to
modules Whoosh imports at load time for features Promsearch does not use:

- ``whoosh.compat`` imports ``urllib.request`` for a download helper
  (43 ms: it pulls in http.client, ssl and email);
- ``cached_property``, which Whoosh depends on, imports ``asyncio`` to tell
  coroutine functions apart (24 ms);
- ``whoosh.query.terms`` imports an English morphology table, compiled from
  regular expressions at import (13 ms), for its ``Variations`` query.

While Whoosh is first imported, each of those modules is stood in for by a
stub that holds only the names Whoosh takes from it; each name calls the real
module on first use. The stubs leave ``sys.modules`` as soon as Whoosh is
imported, so any later import of those modules gets the real ones.
"""
from __future__ import annotations

import importlib
import inspect
import sys
import types
from contextlib import contextmanager


def _forwarder(module_name: str, name: str):
    """A function that imports the real module when called and calls its ``name``."""
    def forward(*args, **kwargs):
        return getattr(importlib.import_module(module_name), name)(*args, **kwargs)
    forward.__name__ = forward.__qualname__ = name
    return forward


def _iscoroutinefunction(func) -> bool:
    """asyncio's test is inspect's plus a marker only asyncio itself can set,
    so until asyncio is imported, inspect's answer is asyncio's."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None and asyncio.iscoroutinefunction is not _iscoroutinefunction:
        return asyncio.iscoroutinefunction(func)
    return inspect.iscoroutinefunction(func)


# module -> the names the importing code takes from it
WHOOSH_STAND_INS = {
    "urllib.request": {"urlretrieve": _forwarder("urllib.request", "urlretrieve")},
    "asyncio": {"iscoroutinefunction": _iscoroutinefunction,
                "ensure_future": _forwarder("asyncio", "ensure_future")},
    "whoosh.lang.morph_en": {"variations": _forwarder("whoosh.lang.morph_en", "variations")},
}


@contextmanager
def stand_ins(modules: dict[str, dict]):
    """Put a stub in ``sys.modules`` for each module not imported yet, and
    take the stubs out again afterwards."""
    placed = {}
    for name, names in modules.items():
        if name in sys.modules:
            continue
        stub = types.ModuleType(name, f"stand-in for {name} while Whoosh is imported")
        stub.__dict__.update(names)
        sys.modules[name] = placed[name] = stub
    try:
        yield
    finally:
        for name, stub in placed.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


def import_whoosh() -> None:
    """Import the Whoosh modules that pull in the stood-in ones; a no-op once
    Whoosh is loaded."""
    if "whoosh.compat" in sys.modules:
        return
    with stand_ins(WHOOSH_STAND_INS):
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401  (imports whoosh.reading and query.terms)

"""Module paths from before ``index`` had subpackages, for old pickles.

Whoosh pickles the schema (its field types and analyzers) and each
segment's codec into the index's table of contents, by module path, so an
index written before the move names ``index.schema.STRING_COLUMN`` and
``index.stored.ZstdStoredCodec``. Importing an old path gives the module
that now holds those classes: the same module object, so classes unpickled
from an old index are the ones new code checks against. (``index.analysis``,
named for the schema's filters, is a package now and finds them itself.)

Found on import only: a search does not load modules it does not use.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

# old module -> the module that holds what it held
MOVED = {
    "index.schema": "index.store.schema",
    "index.stored": "index.store.codec",
}


class _OldPathFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self) -> None:
        self._own_specs = {}  # new module name -> its own spec

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        module = importlib.import_module(MOVED[spec.name])
        self._own_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module):
        # The import system has set the old name's spec on the module it
        # was given: the module keeps its own.
        module.__spec__ = self._own_specs[module.__name__]


def install() -> None:
    """Lets old module paths be imported; a no-op once done."""
    if not any(isinstance(finder, _OldPathFinder) for finder in sys.meta_path):
        sys.meta_path.append(_OldPathFinder())

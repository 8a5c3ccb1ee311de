"""Promsearch write path: reading, cleaning, analysis and index building.

The analysis chain defined here is shared with the read path (``search``), so
indexing and querying can never disagree about what a word is.
"""
import os as _os

# natasha's models multiply small matrices with numpy. BLAS threads do not
# speed that up; they only fight the indexer's worker processes for the cores
# (measured: 250 news articles on 2 cores, 38.5 s with default threads, 16 s
# with one). Must be set before numpy is first imported; a user's explicit
# setting wins.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")

# Must run before Whoosh is first imported, for the same reason: every entry
# point (search-cli, search-index, search-web) imports this package first.
from .lean_imports import import_whoosh as _import_whoosh  # noqa: E402

_import_whoosh()

# Indexes written before the subpackages name their classes' old modules.
from .old_paths import install as _install_old_paths  # noqa: E402

_install_old_paths()

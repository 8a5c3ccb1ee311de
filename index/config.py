"""Where things live: the index directory and the shipped seed corpus."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
DATA_DIR = Path(__file__).resolve().parent / "data"
INDEX_ENV = "PROMSEARCH_INDEX"


def default_index_dir() -> Path:
    """``$PROMSEARCH_INDEX`` if set, else ``var/index`` under the project."""
    env = os.environ.get(INDEX_ENV)
    return Path(env) if env else PROJECT_ROOT / "var" / "index"


def cache_dir() -> Path:
    """Derived data that is safe to delete (e.g. the Italian dictionary as a
    trie): ``$PROMSEARCH_CACHE`` or ``var/cache`` under the project."""
    env = os.environ.get("PROMSEARCH_CACHE")
    return Path(env) if env else PROJECT_ROOT / "var" / "cache"


def resolve_index_dir(cli_value: str | None) -> Path:
    """``--index`` wins over the environment, which wins over the default."""
    return Path(cli_value) if cli_value else default_index_dir()


def data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a knowledge file in ``index/data``."""
    lines = []
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def split_list(value: str, sep: str) -> list[str]:
    """The values of a knowledge file's column that lists several."""
    return [v.strip() for v in (value or "").split(sep) if v.strip()]

"""The stories as the search reads them: ``stories.json`` in the index folder.

Written by the build before each commit (so no generation is read without
the stories of its documents), whole and then renamed. It lists only the
stories of two or more documents, each under its representative's id:
``{"version": 1, "stories": {id: {"members": [ids, the representative
first], "translation": bool}}}``. A document in none is a story of its own.
Light on purpose: the search imports it, and nothing of the build.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

FILE = "stories.json"
VERSION = 1


def story_record(members: list[str], translation: bool) -> dict:
    return {"members": members, "translation": translation}


def load_stories(index_dir: Path | str | None) -> dict[str, dict]:
    """story id -> its record; {} when the index has none (built without
    stories, before them, or the file is damaged: nothing is collapsed)."""
    if index_dir is None:
        return {}
    try:
        text = (Path(index_dir) / FILE).read_text(encoding="utf-8")
    except OSError:
        return {}
    return parse_stories(text)


def parse_stories(text: str | None) -> dict[str, dict]:
    """``load_stories`` of the file's text (a cluster keeps it in its meta index)."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("stories"), dict):
        return {}
    return {str(k): v for k, v in data["stories"].items()
            if isinstance(v, dict) and isinstance(v.get("members"), list) and len(v["members"]) > 1}


def save_stories(index_dir: Path | str, stories: dict[str, dict]) -> None:
    path = Path(index_dir) / FILE
    tmp = path.with_name(f"{FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": VERSION, "stories": stories}, ensure_ascii=False, sort_keys=True),
                   encoding="utf-8")
    tmp.replace(path)

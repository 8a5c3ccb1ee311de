"""Near-duplicate stories (issue 33): found at index time, kept up to date
by later runs, collapsed in the results, on documents written for the test
(``stories_corpus.py``)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import zstandard

from index.stories.files import FILE as STORIES_FILE, load_stories
from index.stories.state import SIGNATURES_FILE, STATE_FILE
from search.engine import BadRequest, SearchEngine, SearchRequest
from stories_corpus import DOCS, write_jsonl
from web import create_app

ALL = list(DOCS)


@pytest.fixture(scope="module")
def story_index(tmp_path_factory, build_index):
    index_dir = tmp_path_factory.mktemp("stories-index")
    report = build_index(index_dir, [write_jsonl(index_dir.parent / "stories-src" / "docs.jsonl", ALL)])
    assert report.indexed == len(ALL), report.summary()
    return index_dir


@pytest.fixture(scope="module")
def story_engine(story_index, lemmatizer):
    return SearchEngine(story_index, lemmatizer=lemmatizer)


def story_of(index_dir, doc_id: str) -> str | None:
    for story_id, record in load_stories(index_dir).items():
        if doc_id in record["members"]:
            return story_id
    return None


def test_an_exact_copy_is_one_story_with_the_earliest_as_representative(story_index):
    assert story_of(story_index, "plant") == "plant"
    assert story_of(story_index, "plant-copy") == "plant"  # a day later: not the representative


def test_a_copy_with_a_changed_lead_joins_the_story(story_index):
    assert story_of(story_index, "plant-new-lead") == "plant"


def test_a_story_retold_in_other_words_with_the_same_entities_is_not_merged(story_index):
    assert story_of(story_index, "plant-retold") is None


def test_unrelated_articles_about_the_same_official_are_not_merged(story_index):
    # the roads and the plant: one governor, one region, one day, in Russian;
    # the hospital in Italian names him too, a day later
    assert story_of(story_index, "roads") is None
    assert story_of(story_index, "hospital-it") is None


def test_the_italian_rendering_joins_the_russian_story_as_a_translation(story_index):
    stories = load_stories(story_index)
    assert story_of(story_index, "plant-it") == "plant"
    assert stories["plant"]["translation"] is True


def test_results_show_one_hit_per_story_with_its_copies_counted(story_engine):
    collapsed = story_engine.search(SearchRequest("завод металлоконструкций", per_page=20))
    ids = [h["id"] for h in collapsed["hits"]]
    stories = [h["story"] for h in collapsed["hits"]]
    assert len(stories) == len(set(stories)), stories
    assert collapsed["collapsed"] is True
    plant = next(h for h in collapsed["hits"] if h["story"] == "plant")
    assert plant["similar"] == 3 and plant["translation"] is True
    every = story_engine.search(SearchRequest("завод металлоконструкций", per_page=20, collapse=False))
    assert {"plant", "plant-copy", "plant-new-lead"} <= {h["id"] for h in every["hits"]}
    assert every["total"] - collapsed["total"] == sum(1 for h in every["hits"] if h["story"] == "plant") - 1
    assert "plant" in ids or "plant-new-lead" in ids or "plant-copy" in ids
    assert every["collapsed"] is False


def test_the_copy_shown_is_the_best_ranked(story_engine):
    # the changed lead's own words: its copy ranks first among the story's
    every = story_engine.search(SearchRequest("церемонии запуска пресс-служба", collapse=False))
    collapsed = story_engine.search(SearchRequest("церемонии запуска пресс-служба"))
    assert every["hits"][0]["id"] == "plant-new-lead"
    assert collapsed["hits"][0]["id"] == "plant-new-lead" and collapsed["hits"][0]["story"] == "plant"


def test_facets_count_documents_by_default_and_stories_on_request(story_engine):
    def region_count(record):
        regions = {v["value"]: v["count"] for d in record["facets"]["region"] for v in [d, *d.get("children", [])]}
        return regions["Хабаровский край"]

    documents = story_engine.search(SearchRequest(""))
    stories = story_engine.search(SearchRequest("", count="stories"))
    assert documents["count"] == "documents" and stories["count"] == "stories"
    # seven documents in Хабаровский край; the plant's four copies are one story
    assert region_count(documents) == 7
    assert region_count(stories) == 4
    with pytest.raises(BadRequest):
        story_engine.search(SearchRequest("", count="copies"))


def test_a_story_lists_its_copies_representative_first(story_engine):
    story = story_engine.story("plant")
    assert [d["id"] for d in story["documents"]][0] == "plant"
    assert {d["id"] for d in story["documents"]} == {"plant", "plant-copy", "plant-new-lead", "plant-it"}
    assert story_engine.story("roads")["documents"][0]["id"] == "roads"  # a document alone is its own story
    assert story_engine.story("plant-copy") is None  # a copy is not a story
    assert story_engine.story("no-such-story") is None


def test_the_page_links_the_copies_and_says_what_it_counts(story_engine):
    client = create_app({"ENGINE": story_engine, "TESTING": True}).test_client()
    page = client.get("/?q=завод+металлоконструкций").get_data(as_text=True)
    assert 'href="/story/plant?' in page and "3 похожих" in page
    assert "collapse=0" in page and "count=stories" in page
    story_page = client.get("/story/plant?q=завод").get_data(as_text=True)
    for doc_id in ("plant", "plant-copy", "plant-new-lead", "plant-it"):
        assert f'data-id="{doc_id}"' in story_page
    assert client.get("/story/nothing-here").status_code == 404
    assert client.get("/api/story/plant").get_json()["documents"][0]["id"] == "plant"
    assert client.get("/api/story/nothing").status_code == 404
    bad = client.get("/api/search?q=x&count=copies")
    assert bad.status_code == 400 and "count" in bad.get_json()["error"]
    every = client.get("/api/search?q=завод+металлоконструкций&collapse=0").get_json()
    assert every["collapsed"] is False and len({h["story"] for h in every["hits"]}) < len(every["hits"])


def test_a_later_run_files_new_copies_and_promotes_when_the_representative_goes(tmp_path, build_index):
    index_dir = tmp_path / "index"
    first = write_jsonl(tmp_path / "src" / "a.jsonl", ["plant", "roads"])
    build_index(index_dir, [first])
    assert load_stories(index_dir) == {}
    second = write_jsonl(tmp_path / "src" / "b.jsonl", ["plant-copy", "plant-new-lead"])
    build_index(index_dir, [first, second])  # the new copies join the earlier document's story
    assert load_stories(index_dir)["plant"]["members"] == ["plant", "plant-copy", "plant-new-lead"]
    first.unlink()
    build_index(index_dir, [second], prune=True)  # the representative is gone: the next earliest leads
    assert load_stories(index_dir) == {"plant-copy": {"members": ["plant-copy", "plant-new-lead"], "translation": False}}


def test_a_state_kept_before_its_signatures_were_cut_files_new_copies_alike(tmp_path, build_index):
    """A build's story state written by the version before (uncompressed
    JSON, 32-bit signatures) is read as it is: a later copy still finds
    the earlier document."""
    index_dir = tmp_path / "index"
    first = write_jsonl(tmp_path / "src" / "a.jsonl", ["plant", "roads"])
    build_index(index_dir, [first])
    state, signatures = index_dir / STATE_FILE, index_dir / SIGNATURES_FILE
    state.write_bytes(zstandard.ZstdDecompressor().decompress(state.read_bytes()))
    low = np.load(signatures)
    assert low.dtype == np.uint16 and len(low) == 2
    high = np.random.default_rng(1).integers(0, 2**16, size=low.shape, dtype=np.uint32) << 16
    np.save(signatures, high | low)  # what the version before kept: these low bits, and high ones
    second = write_jsonl(tmp_path / "src" / "b.jsonl", ["plant-copy"])
    build_index(index_dir, [first, second])
    assert load_stories(index_dir)["plant"]["members"] == ["plant", "plant-copy"]
    assert np.load(signatures).dtype == np.uint16


def test_a_changed_document_leaves_its_story(tmp_path, build_index):
    index_dir = tmp_path / "index"
    source = write_jsonl(tmp_path / "src" / "a.jsonl", ["plant", "plant-copy"])
    build_index(index_dir, [source])
    assert story_of(index_dir, "plant-copy") == "plant"
    lines = source.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[1])
    changed["text"] = DOCS["roads"][3]  # the copy's id now holds another article
    source.write_text(lines[0] + "\n" + json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")
    report = build_index(index_dir, [source])
    assert report.updated == 1
    assert load_stories(index_dir) == {}


def test_without_story_detection_the_index_has_no_stories_and_nothing_collapses(tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "index"
    source = write_jsonl(tmp_path / "src" / "a.jsonl", ["plant", "plant-copy"])
    build_index(index_dir, [source])
    assert (index_dir / STORIES_FILE).exists()
    build_index(index_dir, [source, write_jsonl(tmp_path / "src" / "b.jsonl", ["roads"])], stories=False)
    assert not (index_dir / STORIES_FILE).exists()
    record = SearchEngine(index_dir, lemmatizer=lemmatizer).search(SearchRequest("металлоконструкций"))
    assert record["collapsed"] is False and record["total"] == 2

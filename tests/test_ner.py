"""The NER fast paths: the vectorized CRF decoder returns slovnet's tags;
the models see three words each side of a word, so reading only windows
around possible names finds the same people, with the same normal forms, as
reading whole sentences."""
from __future__ import annotations

import numpy as np
import pytest
from slovnet.exec.infer import NERInfer, text_words

from index.config import SEEDS_DIR
from index.entities.ner import ViterbiNERInfer, viterbi
from index.ingest.reader import read_text_file


def _seed_texts(ingestor) -> list[str]:
    docs = [ingestor.ingest(read_text_file(path)) for path in sorted(SEEDS_DIR.glob("*.txt"))]
    return [doc.title + "\n" + doc.body for doc in docs if doc.lang == "ru"]


def test_viterbi_tags_equal_slovnets_crf_decoder_on_real_emissions(extractor, ingestor):
    infer = extractor.officials.ner_tagger.infer
    assert isinstance(infer, ViterbiNERInfer)
    texts = _seed_texts(ingestor)
    assert len(texts) >= 3
    # whole seeds and single sentences in one batch: rows of very different
    # lengths, so most rows are padded
    texts += [sentence for text in texts for sentence in text.split(". ")[:4]] + ["Путин"]
    inputs = list(infer.encoder([text_words(text) for text in texts]))
    slovnet = list(NERInfer(infer.model, infer.encoder, infer.decoder).process(inputs))
    ours = list(infer.process(inputs))
    assert len(ours) == len(slovnet) == len(texts)
    for a, b in zip(ours, slovnet):
        assert a.tolist() == b.tolist()
    # and the spans the tagger returns carry people
    assert any(span.type == "PER" for span in extractor.officials.ner_tagger(texts[0]).spans)


@pytest.mark.parametrize("seed", range(20))
def test_viterbi_equals_slovnets_decoder_on_random_scores(extractor, seed):
    crf = extractor.officials.ner_tagger.infer.model.head.crf
    rng = np.random.default_rng(seed)
    tags = crf.transitions.array.shape[0]
    lengths = rng.integers(1, 40, size=5)
    emissions = rng.normal(scale=3, size=(5, lengths.max(), tags)).astype(np.float32)
    mask = np.arange(lengths.max())[None, :] < lengths[:, None]
    expected = list(crf.decode(emissions, mask))
    for row, size, want in zip(emissions, lengths, expected):
        assert viterbi(row[:size], crf.transitions.array).tolist() == want.tolist()


def test_viterbi_of_nothing_is_nothing():
    assert viterbi(np.zeros((0, 3), dtype=np.float32), np.zeros((3, 3), dtype=np.float32)).tolist() == []


def test_the_models_see_three_words_each_side_of_a_word(extractor, ingestor):
    officials = extractor.officials
    ner = officials.ner_tagger.infer
    sentences = [s for text in _seed_texts(ingestor) for s in text.split(". ") if len(text_words(s)) > 12][:12]
    assert len(sentences) >= 6
    for sentence in sentences:
        words = text_words(sentence)
        whole_morph = next(officials.morph_tagger.map([words])).tokens
        whole_ner = ner.model(*_batch(ner, words))[0]
        for at in range(len(words)):
            lo, hi = max(0, at - 3), at + 4
            morph = next(officials.morph_tagger.map([words[lo:hi]])).tokens[at - lo]
            assert (morph.pos, morph.feats) == (whole_morph[at].pos, whole_morph[at].feats), words[at]
            emissions = ner.model(*_batch(ner, words[lo:hi]))[0][at - lo]
            assert np.allclose(emissions, whole_ner[at], atol=1e-4), words[at]
    # with two words each side, some word's scores change: three is the least
    words = text_words(sentences[0])
    whole_ner = ner.model(*_batch(ner, words))[0]
    assert any(not np.allclose(ner.model(*_batch(ner, words[max(0, at - 2):at + 3]))[0][at - max(0, at - 2)],
                               whole_ner[at], atol=1e-4) for at in range(len(words)))


def _batch(infer, words):
    batch = next(iter(infer.encoder([words])))
    return batch.word_id, batch.shape_id, batch.pad_mask


def test_ner_reads_windows_around_possible_names_not_whole_sentences(extractor):
    filler = "в течение отчетного периода объем выпуска продукции на предприятиях области заметно вырос"
    text = f"В области, {filler}, сообщил Александр Дрозденко журналистам, {filler}."
    windows = extractor.officials._ner_windows(text)
    assert len(windows) == 1
    start, end = windows[0]
    assert "Александр Дрозденко" in text[start:end]
    assert end - start < len(text) / 2
    # two names far apart in one sentence: two windows
    text = f"Губернатор Александр Дрозденко отметил, {filler} и {filler}, а министр Денис Мантуров согласился."
    assert [text[a:b].count(" ") < 12 for a, b in extractor.officials._ner_windows(text)] == [True, True]


def test_windows_find_the_same_people_as_whole_sentences(extractor, ingestor, monkeypatch):
    filler = "в течение отчетного периода объем выпуска продукции на предприятиях области заметно вырос"
    written = [
        # the window around "Ивановым" ends mid-sentence; read straight on
        # into "Панихиду посетили", the model took "Панихиду" for a name
        "В субботу на заводе с ушедшим на пенсию Петром Ивановым простились друзья и коллеги, родственники "
        "и ученики (его «птенцы»). Панихиду посетили: губернатор Александр Дрозденко, Денис Мантуров "
        "и другие члены правительства.",
        f"Панихида прошла в театре, {filler}. Проститься пришли Григорий Козлов и Олег Табаков, {filler}.",
        f"Как заявил {filler} министр промышленности Денис Мантуров, {filler}, а Н. Росберг {filler}.",
        f"{filler.capitalize()}. Врио губернатора Александр Дрозденко и глава Минпромторга Антон Алиханов, "
        f"{filler}, встретились с Виктором Курильским.",
    ]
    texts = _seed_texts(ingestor) + written
    officials = extractor.officials

    def found(text):
        return [(m.name, m.start, m.end, m.role) for m in officials.russian(text)]

    windowed = [found(text) for text in texts]
    monkeypatch.setattr(officials, "margin", 10_000)  # every window is its whole sentence
    monkeypatch.setattr(officials.normalizer, "morph_context", 10_000)  # the morphology of whole lines
    whole = [found(text) for text in texts]
    assert windowed == whole
    assert sum(len(people) for people in windowed) >= 10


def test_the_word_ids_are_slovnets_encoders(extractor, ingestor):
    infer = extractor.officials.ner_tagger.infer
    words = [w for text in _seed_texts(ingestor) for w in text_words(text)] + ["", "Путин", "ПУТИН", "—", "2024"]
    ours = infer.ids.batch(infer.ids.ids(words))
    slovnet = _batch(infer, words)
    for a, b in zip(ours, slovnet):
        assert a.tolist() == b.tolist()


def test_ner_spans_equal_slovnets_on_the_seeds(extractor, ingestor):
    from razdel import tokenize

    infer = extractor.officials.ner_tagger.infer
    slovnet = NERInfer(infer.model, infer.encoder, infer.decoder)
    texts = _seed_texts(ingestor)
    for text in texts:
        ours = [(s.start, s.stop, s.type) for s in infer.spans(list(tokenize(text)))]
        assert ours == [(s.start, s.stop, s.type) for s in next(slovnet([text])).spans]
    assert infer.spans([]) == []


def test_morph_windows_in_one_row_are_tagged_as_natashas_tagger_tags_them(extractor, ingestor):
    """Windows of every length, tagged in one model call with a padding word
    between them, get the tags natasha gives each window (in its batches of
    eight, padded to the longest)."""
    officials = extractor.officials
    words = [w for text in _seed_texts(ingestor) for w in text_words(text)]
    rng = np.random.default_rng(0)
    windows, at = [], 0
    while at < len(words) and len(windows) < 60:
        size = int(rng.integers(1, 25))
        windows.append(words[at:at + size])
        at += size
    ours = officials.morph_windows(windows)
    natasha = [[(t.pos, t.feats) for t in markup.tokens] for markup in officials.morph_tagger.map(windows)]
    assert ours == natasha
    assert officials.morph_windows([]) == []
    # each token owns its features
    ours[0][0][1]["Case"] = "changed"
    assert officials.morph_windows(windows[:1])[0][0] == natasha[0][0]


def test_a_name_worked_out_once_is_the_same_the_next_time(extractor, ingestor):
    """The normal forms kept per distinct name (words, tags, spacing) give
    what working each name out afresh gives, in any order of texts."""
    officials = extractor.officials
    texts = _seed_texts(ingestor) + [
        "Губернатор Александр Дрозденко встретился с Александром Дрозденко-младшим. Александра Дрозденко "
        "поблагодарил Денис Мантуров, а Марку Цукербергу ответила Рашида Тлаиб.",
        "За Трампа выступил Хайко Маас; Христианку Асию Биби поддержал Джордж Вашингтон.",
    ]

    def found(text):
        return [(m.name, m.start, m.end, m.normal) for m in officials.russian(text)]

    fresh = []
    for text in texts:
        officials.normalizer._normal_names.clear()
        fresh.append(found(text))
    officials.normalizer._normal_names.clear()
    warm = [found(text) for text in reversed(texts)][::-1]
    again = [found(text) for text in texts]
    assert fresh == warm == again
    assert sum(len(people) for people in fresh) >= 10
    assert len(officials.normalizer._normal_names) < sum(len(people) for people in fresh)  # names repeat


def test_scores_are_slovnets_to_the_bit(extractor, ingestor):
    """Both models, on the seeds' words and on random batches whose rows are
    padded to different lengths."""
    from index.entities.ner import scores

    officials = extractor.officials
    words = [w for text in _seed_texts(ingestor) for w in text_words(text)]
    rng = np.random.default_rng(1)
    for infer in (officials.ner_tagger.infer, officials.morph_tagger.infer):
        batches = [_batch(infer, words[:300]), _batch(infer, words[:1])]
        pad = infer.encoder.words_vocab.pad_id
        for rows, length in ((8, 15), (3, 40), (1, 7)):
            word_id = rng.integers(0, pad, size=(rows, length))
            shape_id = rng.integers(1, len(infer.encoder.shapes_vocab), size=(rows, length))
            for row in range(rows):
                cut = int(rng.integers(1, length + 1))
                word_id[row, cut:], shape_id[row, cut:] = pad, infer.encoder.shapes_vocab.pad_id
            batches.append((word_id, shape_id, word_id == pad))
        for batch in batches:
            assert np.array_equal(scores(infer.model, *batch), infer.model(*batch))

"""natasha's NER model, decoded faster and run on text already tokenized.

The tagger reads a document as one sequence of a few hundred words, and
slovnet's CRF decoder steps through it with half a dozen numpy calls and a
fancy-index gather per word; on a news article that was a quarter of the
model's time. ``viterbi`` does the same arithmetic, in the same order and
dtype, with three small numpy calls per word and the back-pointers found in
one vectorized step afterwards, so its tags are the same as slovnet's.
``spans`` takes razdel's tokens of the text, which the name normalization
needs too, instead of tokenizing the text a second time.

Both models read a word as two ids, its word's and its shape's; slovnet
works out the shape anew for every word it reads (a dozen Python calls), and
``WordIds`` keeps the ids of the words it has seen. ``WindowMorphTagger``
gives the morphology tagger all the windows of a text as one sequence with a
padding word between them, instead of slovnet's batches of eight windows
padded to the longest: the model zeroes padding at every layer, so each
window's tags are the ones it gets alone, in one model call a text.
``scores`` runs the model itself, with the words on one axis throughout.

Imported only where the model is loaded: the query path never needs it.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided
from slovnet.bio import bio_spans
from slovnet.conll import parse_conll_tag
from slovnet.exec.infer import NERInfer
from slovnet.shape import word_shape


def viterbi(emissions: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """The best tag sequence for one sentence: ``emissions`` is words x tags,
    ``transitions[j, k]`` the score of tag k after tag j."""
    length = len(emissions)
    if length == 0:
        return np.zeros(0, dtype=int)
    scores = np.empty_like(emissions)
    score = scores[0] = emissions[0]
    for index in range(1, length):
        # slovnet: (score + transitions) + emission, max over the previous tag
        score = scores[index] = ((score[:, None] + transitions) + emissions[index]).max(0)
    # The previous tag each tag was reached from, at every step at once.
    back = (((scores[:-1, :, None] + transitions) + emissions[1:, None, :]).argmax(1)).tolist()
    best = int(scores[-1].argmax())
    tags = [best]
    for row in reversed(back):
        best = row[best]
        tags.append(best)
    tags.reverse()
    return np.array(tags)


def scores(model, word_id: np.ndarray, shape_id: np.ndarray, pad_mask: np.ndarray) -> np.ndarray:
    """slovnet's ``Tag`` model (both natasha models are one) run on a batch,
    rows x words x tags. The same arithmetic on the same arrays, so the
    scores are the same to the bit (a test checks it), with the words kept
    on the rows' second axis throughout: slovnet turns the batch to words
    last for its convolutions and back for every layer's normalization, and
    pads it with ``np.pad``, which on a few hundred words cost as much as
    the matrix product."""
    x = model.emb(word_id, shape_id)
    padding = pad_mask[:, :, None]
    for layer in model.encoder.layers:
        conv, norm = layer.conv, layer.norm
        filters, channels, kernel = conv.weight.shape
        rows, length, _ = x.shape
        padded = np.zeros((rows, length + 2 * conv.padding, channels), dtype=x.dtype)
        padded[:, conv.padding:conv.padding + length] = x
        width = padded.shape[1] - kernel + 1
        row_stride, word_stride, channel_stride = padded.strides
        # each window as slovnet lays it out: channels, then the kernel's words
        windows = as_strided(padded, (rows, width, channels, kernel),
                             (row_stride, word_stride, channel_stride, word_stride)).reshape(rows * width, -1)
        x = np.matmul(windows, conv.weight.array.reshape(filters, -1).T) + conv.bias.array
        x = x.reshape(rows, width, filters).clip(0)  # ReLU
        x = (x - norm.mean.array) / norm.std.array * norm.weight.array + norm.bias.array
        x[np.broadcast_to(padding, x.shape)] = 0  # padding stays zero at every layer
    return model.head(x)


class WordIds:
    """Words -> the (word id, shape id) arrays slovnet's encoder makes of
    them, one row, for a model call; each distinct word's ids are worked
    out once (the cache is emptied when full, as the lemma caches are)."""

    def __init__(self, encoder, size: int = 200_000) -> None:
        self.words, self.shapes, self.size = encoder.words_vocab, encoder.shapes_vocab, size
        self.word_pad, self.shape_pad = self.words.pad_id, self.shapes.pad_id
        self._ids: dict[str, tuple[int, int]] = {}

    def _encode(self, word: str) -> tuple[int, int]:
        if len(self._ids) >= self.size:
            self._ids.clear()
        ids = self._ids[word] = (self.words.encode(word.lower()), self.shapes.encode(word_shape(word)))
        return ids

    def ids(self, words: list[str]) -> list[tuple[int, int]]:
        known, encode = self._ids, self._encode
        return [known.get(word) or encode(word) for word in words]

    def batch(self, pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A batch of one row from (word id, shape id) pairs, as the model
        takes it: word ids, shape ids, and where the padding is."""
        word_id = np.array([[w for w, _ in pairs]], dtype=np.int64)
        shape_id = np.array([[s for _, s in pairs]], dtype=np.int64)
        return word_id, shape_id, word_id == self.word_pad


class WindowMorphTagger:
    """natasha's morphology tagger over several windows of one text in one
    model call: the windows in a row, a padding word between each two.
    Returns each window's (POS, features) per word, as natasha's tagger
    gives them (``MorphToken.pos`` and ``.feats``)."""

    def __init__(self, tagger) -> None:
        infer = tagger.infer
        self.model, self.tags_vocab = infer.model, infer.decoder.tags_vocab
        self.ids = WordIds(infer.encoder)
        self._tags: dict[int, tuple[str, dict]] = {}

    def __call__(self, windows: list[list[str]]) -> list[list[tuple[str, dict]]]:
        if not windows:
            return []
        gap = (self.ids.word_pad, self.ids.shape_pad)
        pairs: list[tuple[int, int]] = []
        for words in windows:
            pairs += self.ids.ids(words)
            pairs.append(gap)
        tags = self.model.head.decode(scores(self.model, *self.ids.batch(pairs)))[0].tolist()
        out, at = [], 0
        for words in windows:
            out.append([self._tag(tag) for tag in tags[at:at + len(words)]])
            at += len(words) + 1
        return out

    def _tag(self, tag: int) -> tuple[str, dict]:
        parsed = self._tags.get(tag)
        if parsed is None:
            parsed = self._tags[tag] = parse_conll_tag(self.tags_vocab.decode(tag))
        pos, feats = parsed
        return pos, dict(feats)  # a copy: the caller's tokens own their features


class ViterbiNERInfer(NERInfer):
    """slovnet's NER inference with ``viterbi`` as the CRF decoder."""

    @classmethod
    def of(cls, infer: NERInfer) -> "ViterbiNERInfer":
        ner = cls(infer.model, infer.encoder, infer.decoder)
        ner.ids = WordIds(infer.encoder)
        return ner

    def process(self, inputs):
        transitions = self.model.head.crf.transitions.array
        for batch in inputs:
            emissions = scores(self.model, batch.word_id, batch.shape_id, batch.pad_mask)
            for row, size in zip(emissions, (~batch.pad_mask).sum(-1)):
                yield viterbi(row[:size], transitions)

    def spans(self, tokens: list) -> list:
        """The entity spans of a text already split by razdel (tokens with
        ``start``, ``stop`` and ``text``): what ``NERInfer`` returns for the
        text, without tokenizing it again."""
        if not tokens:
            return []
        emissions = scores(self.model, *self.ids.batch(self.ids.ids([token.text for token in tokens])))[0]
        tags = next(self.decoder([viterbi(emissions, self.model.head.crf.transitions.array)]))
        return list(bio_spans(tokens, tags))

"""Align: CTC forced alignment on constructed emissions (known best paths), against brute force and
ctc-segmentation; windows against one pass; the task on the tiny mms-1b-all."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from modules import align, ctc
from modules.config import UserInputError

BLANK = 0


def emissions_for(path: list[int], vocabulary: int = 8, sure: float = 0.9, seed: int = 0) -> np.ndarray:
    """Log-probabilities where frame t says path[t] with probability ~`sure`, the rest spread at random."""
    rng = np.random.default_rng(seed)
    rest = rng.random((len(path), vocabulary)) + 0.05
    rest[np.arange(len(path)), path] = 0
    rest = rest / rest.sum(axis=1, keepdims=True) * (1 - sure)
    rest[np.arange(len(path)), path] = sure
    return np.log(rest)


def spans_of(result):
    return [[(span.token, span.start, span.end) for span in word] for word in result]


def test_hand_worked_path_with_a_repeated_letter():
    # "l l" needs a blank between the two l's; frames: l l _ l _  (tokens: l=3)
    log_probs = emissions_for([3, 3, 0, 3, 0])
    result = ctc.force_align(log_probs, [[3, 3]], BLANK)
    assert spans_of(result) == [[(3, 0, 2), (3, 3, 4)]]
    assert all(0.85 < span.score <= 0.9 + 1e-9 for span in result[0])


def test_hand_worked_words_with_separator():
    # frames: _ a a | b _ ; words [a], [b]; separator 4
    log_probs = emissions_for([0, 1, 1, 4, 2, 0])
    result = ctc.force_align(log_probs, [[1], [2]], BLANK, separator=4)
    assert spans_of(result) == [[(1, 1, 3)], [(2, 4, 5)]]


def test_too_few_frames_is_refused():
    with pytest.raises(ctc.AlignmentError, match="4 frames are needed"):
        ctc.force_align(emissions_for([1, 1, 1]), [[1, 1, 2]], BLANK)


def _ctc_paths(tokens, frames):
    """Every frame labelling that CTC collapses to `tokens` (brute force, tiny sizes only)."""
    for labels in itertools.product(range(int(max(tokens)) + 1), repeat=frames):
        collapsed = [label for label, _ in itertools.groupby(labels) if label != BLANK]
        if collapsed == list(tokens):
            yield labels


@pytest.mark.parametrize("seed", range(12))
def test_viterbi_finds_the_best_path_found_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    tokens = [int(t) for t in rng.integers(1, 4, size=int(rng.integers(1, 4)))]
    frames = int(rng.integers(len(tokens) + 2, 7))
    log_probs = np.log(rng.dirichlet(np.ones(4), size=frames))
    best = max(_ctc_paths(tokens, frames), key=lambda labels: sum(log_probs[t, label] for t, label in enumerate(labels)))
    path = ctc._viterbi(log_probs, np.array(tokens), BLANK, free_end=False)
    labels = [BLANK if state % 2 == 0 else tokens[state // 2] for state in path]
    score = lambda labels: sum(log_probs[t, label] for t, label in enumerate(labels))  # noqa: E731
    assert score(labels) == pytest.approx(score(best))


def _long_case(words: int, seed: int = 1, repeats: bool = True):
    """A long recording: words of 1-6 letters over 4 letters, each letter 1-4 frames, pauses of 0-40 frames.
    repeats=False: never the same letter twice in a row, and at least one blank frame between words."""
    rng = np.random.default_rng(seed)
    token_words, path = [], []
    previous = None  # the last letter of the word before
    for _ in range(words):
        word = [int(t) for t in rng.integers(1, 5, size=int(rng.integers(1, 7)))]
        if not repeats:
            for index in range(len(word)):
                while word[index] == (word[index - 1] if index else previous):
                    word[index] = int(rng.integers(1, 5))
            previous = word[-1]
        token_words.append(word)
        path += [BLANK] * int(rng.integers(0 if repeats else 1, 40))
        for before, token in zip([None, *word], word):
            if before == token:
                path.append(BLANK)
            path += [token] * int(rng.integers(1, 5))
    path += [BLANK] * 10
    return emissions_for(path, vocabulary=6, seed=seed), token_words


def test_windows_give_the_same_path_as_one_pass(monkeypatch):
    log_probs, token_words = _long_case(600)
    whole = ctc.force_align(log_probs, token_words, BLANK)
    monkeypatch.setattr(ctc, "ONE_PASS_CELLS", 1000)
    monkeypatch.setattr(ctc, "WINDOW_FRAMES", 400)
    assert len(log_probs) > 20 * ctc.WINDOW_FRAMES
    windowed = ctc.force_align(log_probs, token_words, BLANK)
    assert spans_of(windowed) == spans_of(whole)


def test_windows_skip_long_silence(monkeypatch):
    """A pause longer than a window (nothing said): the windows move on and the words after it are found."""
    monkeypatch.setattr(ctc, "ONE_PASS_CELLS", 1000)
    monkeypatch.setattr(ctc, "WINDOW_FRAMES", 100)
    path = [1, 1, 0, 2] + [0] * 500 + [3, 0, 1, 1]
    result = ctc.force_align(emissions_for(path), [[1, 2], [3, 1]], BLANK)
    assert spans_of(result) == [[(1, 0, 2), (2, 3, 4)], [(3, 504, 505), (1, 506, 508)]]


def test_agrees_with_ctc_segmentation():
    """ctc-segmentation (the maintained CTC aligner, lumaku/ctc-segmentation 1.7.5) on the same emissions:
    every letter starts at the same frame. (Without repeated letters: ctc-segmentation lets a letter follow
    itself without a blank, which CTC itself does not, and puts a blank between utterances, which CTC
    does not require; on such inputs the two differ by design.)"""
    import ctc_segmentation as cs

    log_probs, token_words = _long_case(40, seed=5, repeats=False)
    ours = ctc.force_align(log_probs, token_words, BLANK)
    config = cs.CtcSegmentationParameters(char_list=["<b>", "a", "b", "c", "d", "e"], blank=BLANK,
                                          index_duration=1.0)
    config.frame_duration_ms = 1000  # one "second" per frame: timings come out in frames
    config.subsampling_factor = 1
    ground_truth, _ = cs.prepare_token_list(config, [np.array(word) for word in token_words])
    timings, _, _ = cs.ctc_segmentation(config, log_probs, ground_truth)
    letter_rows = [row for row, token in enumerate(ground_truth[:, 0]) if token > BLANK]  # not the -1 start row
    theirs = [round(timings[row]) for row in letter_rows]
    assert [span.start for word in ours for span in word] == theirs


# The task on the tiny mms-1b-all (random weights: timings are meaningless, the mechanics are not).

def test_transcript_reading(cache):
    vocabulary = {token: index for index, token in enumerate(["<pad>", "<s>", "</s>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"])}
    words = align.read_transcript("— Hello, world! 25 Straße Москва …", vocabulary, "eng")
    assert [(w.text, w.letters, w.how) for w in words] == [
        ("— Hello,", "hello", ""),
        ("world!", "world", ""),
        ("25", "twenty|five", ""),
        ("Straße", "strasse", align.ROMANISED),
        ("Москва …", "moskva", align.ROMANISED),
    ]
    chinese = align.read_transcript("你好 ok", vocabulary, "cmn")
    assert chinese[0].how == align.ROMANISED and chinese[0].letters.isascii()
    with pytest.raises(UserInputError, match="no words to align"):
        align.read_transcript("… — !", vocabulary, "eng")


@pytest.mark.parametrize("language", ["eng", "fra", "rus"])
def test_letters_are_the_tokenizers_own_ids(cache, language):
    """Plain lower-case text: the ids the aligner reads are the ones transformers' Wav2Vec2CTCTokenizer gives
    for the same words (its word delimiter "|" between them), with the real nested-vocabulary layout."""
    from modules import transcribe
    from modules.models import MMS_ASR_MODEL

    sample = {"eng": "hello world it's me", "fra": "déjà vu ça", "rus": "съешь ещё этих булок"}[language]
    entry = cache.get(MMS_ASR_MODEL, "ctc")
    with entry.lock:
        transcribe.apply_adapter(entry, language, cache)
        tokenizer = entry.processor.tokenizer
        vocabulary = {t: i for t, i in tokenizer.get_vocab().items() if t not in tokenizer.all_special_tokens or t == "|"}
        words = align.read_transcript(sample, vocabulary, language)
        ours = [vocabulary[ch] for ch in "|".join(word.letters for word in words)]
        assert ours == tokenizer(sample).input_ids
    assert all(word.how == "" for word in words)


def test_transcript_is_read_as_the_training_text_was_normalised():
    """NFKC first (fairseq's MMS norm_config): full-width letters and digits, ligatures."""
    vocabulary = {token: index for index, token in enumerate(["<pad>", "<s>", "</s>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"])}
    words = align.read_transcript("Ｈｅｌｌｏ ﬁne ３", vocabulary, "eng")
    assert [(w.letters, w.how) for w in words] == [("hello", ""), ("fine", ""), ("three", "")]


@pytest.mark.parametrize("language", ["ces", "hau"])
def test_punctuation_in_a_real_alphabet_is_never_aligned(cache, language):
    """The real alphabets hold punctuation and symbols (ces: . , : ; ! ? % " ' – — / [ ] & + ×) that MMS's
    normaliser takes out of the text (fairseq examples/mms/data_prep): "den," is aligned as "den", "%" is no
    word; apostrophes and hyphens inside words stay, as the normaliser keeps them. The ids are the
    tokenizer's own for the normalised text ('|' looked up: 5 in hau, not 4)."""
    from modules import transcribe
    from modules.models import MMS_ASR_MODEL
    from tests.tiny_models import real_alphabet

    entry = cache.get(MMS_ASR_MODEL, "ctc")
    with entry.lock:
        transcribe.apply_adapter(entry, language, cache)
        tokenizer = entry.processor.tokenizer
        vocabulary = {t: i for t, i in tokenizer.get_vocab().items() if t not in tokenizer.all_special_tokens or t == "|"}
        assert vocabulary["|"] == 4 + real_alphabet(language).index("|")
        marks = [mark for mark in ".,:;!?%[]&+" if mark in vocabulary]
        assert len(marks) >= 8, "the real alphabet holds punctuation"
        words = align.read_transcript("Den, kdy „přišel“ [domů]: 100 % jistě! Don't e-mail ×", vocabulary, language)
        letters = "|".join(word.letters for word in words)
        assert not set(letters) & set(marks + ["„", "“", "×"])
        assert [w.text for w in words] == ["Den,", "kdy", "„přišel“", "[domů]:", "100 %", "jistě!", "Don't", "e-mail ×"]
        assert words[-1].letters == "e-mail" and words[-2].letters == "don't"
        if language == "ces":  # every letter is in the Czech alphabet; num2words reads 100 in Czech
            spelled = words[4].letters.replace("|", " ")
            expected = tokenizer(f"den kdy přišel domů {spelled} jistě don't e-mail").input_ids
            assert [vocabulary[ch] for ch in letters] == expected


def test_align_on_the_tiny_model(cache, speech_16k):
    result = align.align(speech_16k, "Testing one two three, the audio module.", "eng", cache=cache)
    assert [word.text for word in result.words] == ["Testing", "one", "two", "three,", "the", "audio", "module."]
    duration = len(speech_16k) / 16000
    starts = [word.start for word in result.words]
    assert starts == sorted(starts) and 0 <= starts[0] and result.words[-1].end <= duration + 0.02
    assert all(word.end > word.start for word in result.words)
    assert "".join(c.text for c in result.words[0].characters) == "testing"
    # Random weights fit no transcript: the result must say so rather than look confident.
    assert result.mismatch and all(word.low for word in result.words)
    assert "Don't rely on these timings" in result.notes[0]
    details = result.details()
    assert details["transcript_fits_audio"] is False and details["words"][2]["read_as"] == "two"


def test_align_refuses_what_cant_be_aligned(cache, speech_16k):
    with pytest.raises(UserInputError, match="can't be aligned with this audio"):
        align.align(speech_16k[:8000], "word " * 200, "eng", cache=cache)
    with pytest.raises(UserInputError, match="at most 100,000|at most 100000"):
        align.align(speech_16k, "a" * (align.MAX_TRANSCRIPT_CHARS + 1), "eng", cache=cache)
    with pytest.raises(UserInputError, match="does not know 'xx'"):
        align.align(speech_16k, "hello", "xx", cache=cache)


def test_verdict_on_constructed_scores():
    def words(*scores, how=""):
        return [align.AlignedWord(f"w{i}", i, i + 1, score, score < align.LOW_SCORE, how) for i, score in enumerate(scores)]

    assert align.judge(words(0.9, 0.8, 0.95)) == (False, [])
    mismatch, notes = align.judge(words(0.9, 0.1, 0.2, 0.95))  # half the words low: doesn't fit
    assert mismatch and notes == ["2 of 4 words fit the audio poorly: the transcript may not be what is said "
                                  "here, or the language may be wrong. Don't rely on these timings."]
    mismatch, notes = align.judge(words(0.9, 0.1, 0.7))
    assert not mismatch and notes == ["1 of 3 words fit the audio poorly; they are marked in the table."]
    _, notes = align.judge(words(*[0.9] * 12, how=align.ROMANISED))
    assert notes == ["12 word(s) read through uroman (Latin letters): w0, w1, w2, w3, w4, w5, w6, w7, w8, w9 and 2 more."]

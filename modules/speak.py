"""Text to speech with MMS-TTS (VITS), one checkpoint per language, sentence by sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from modules import budget, gpu, languages, validation
from modules.audio import join_with_pauses
from modules.config import UserInputError, load_settings
from modules.models import ModelCache, default_cache, tts_model_id
from modules.text import PreparedText, VoiceAlphabet, prepare_sentences, spell_numbers

PAUSE_SECONDS = 0.25  # between sentences
SPEED_RANGE = (0.5, 2.0)
SEED_RANGE = (0, 2**32 - 1)  # what torch.manual_seed takes everywhere
EXPRESSIVENESS_RANGE = (0.0, 1.0)


@dataclass
class Speech:
    waveform: np.ndarray  # float32 mono
    sampling_rate: int
    prepared: PreparedText  # the exact text read, and what was dropped
    sentences: int


# For the GPU estimate only: a rough count of sentences (each is one forward).
CHARACTERS_PER_SENTENCE = 100


def _spoken_chars(given: dict) -> int:
    """For the GPU estimate: the text's length with its numbers in words (what the voice reads)."""
    return len(spell_numbers(given["text"], given["language"])[0])


@gpu.runs_models(
    models=lambda given: [(tts_model_id(given["language"]), "speak")],
    seconds=lambda given: budget.gpu_work("tts character", _spoken_chars(given))
    + budget.gpu_work("tts sentence", 1 + _spoken_chars(given) // CHARACTERS_PER_SENTENCE),
)
def synthesize(
    text: str,
    language: str,
    seed: int = 0,
    speed: float = 1.0,
    expressiveness: float | None = None,
    cache: ModelCache | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Speech:
    """Speak `text` (already cleaned) with the MMS-TTS voice of `language`.

    speed multiplies the checkpoint's speaking rate; expressiveness is VITS's noise scale
    (None: the checkpoint's own, 0.667 for MMS). Same text + seed + settings give the same audio.
    """
    model_id = tts_model_id(language)
    cache = cache or default_cache()
    if language not in languages.MMS_TTS.codes and not cache.is_allowed(model_id):
        raise UserInputError(f"There is no MMS-TTS voice for {language!r}. Pick a language from the list.")
    seed = validation.whole_number("seed", seed, *SEED_RANGE)
    speed = validation.number("speed", speed, *SPEED_RANGE)
    if expressiveness is not None:
        expressiveness = validation.number("expressiveness", expressiveness, *EXPRESSIVENESS_RANGE)
    entry = cache.get(model_id, "speak")
    tokenizer, model = entry.processor, entry.model
    # The tokenizer's own preparation would build a new uroman per call (~2 s): modules.text runs the
    # same recipe with one shared instance, and the ids are made here as in training.
    sentences, prepared = prepare_sentences(text, voice_alphabet(tokenizer))
    check_spoken_length(prepared)
    with entry.lock, torch.inference_mode():
        # VITS reads these from the model at each forward; set them for this request only.
        model.speaking_rate = model.config.speaking_rate * speed
        model.noise_scale = model.config.noise_scale if expressiveness is None else expressiveness
        ids = [vits_input_ids(tokenizer, sentence) for sentence in sentences]
        batch_size = SENTENCES_AT_ONCE_ON_GPU if entry.device.type == "cuda" else 1
        with SeededNoise(seed, entry.device):  # VITS samples noise: the request's own seed makes it repeatable
            waveforms = speak_sentences(entry, ids, batch_size, progress)
    rate = model.config.sampling_rate
    return Speech(join_with_pauses(waveforms, rate, PAUSE_SECONDS), rate, prepared, len(sentences))


class SeededNoise(TorchFunctionMode):
    """Within it, this thread's `torch.randn` / `torch.randn_like` (all the noise VITS draws: transformers
    models/vits/modeling_vits.py) come from generators seeded for this request alone. `torch.manual_seed`
    seeds the one generator of the whole process, which another request speaking at the same time draws
    from too: seed 7 then gave different audio 10 times out of 10. Torch function modes are per thread."""

    def __init__(self, seed: int, device: torch.device):
        super().__init__()
        self.generators = {torch.device("cpu"): torch.Generator().manual_seed(seed)}
        if device.type != "cpu":
            self.generators[device] = torch.Generator(device=device).manual_seed(seed)

    def _generator(self, device) -> torch.Generator:
        return self.generators[torch.device(device) if device is not None else torch.device("cpu")]

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if func is torch.randn and kwargs.get("generator") is None:
            kwargs["generator"] = self._generator(kwargs.get("device"))
        elif func is torch.randn_like:
            like = args[0]
            device, dtype = kwargs.get("device") or like.device, kwargs.get("dtype") or like.dtype
            return torch.randn(like.shape, generator=self._generator(device), device=device, dtype=dtype)
        return func(*args, **kwargs)


def spoken_limit() -> int:
    """Characters a voice reads in one request once numbers are words: twice what may be typed (room for
    ordinary numbers; "1" x 1,999 read out is ~8,000)."""
    return 2 * load_settings().max_text_chars


def check_spoken_length(prepared: PreparedText) -> None:
    """Refuse, before the model runs, text whose numbers make it longer than a request may be read."""
    if prepared.spelled_chars > spoken_limit():
        raise UserInputError(
            f"With its numbers written out in words, this text is {prepared.spelled_chars:,} characters long; a voice "
            f"reads at most {spoken_limit():,} at once. Shorten it, or write long numbers in fewer digits."
        )


# On CUDA sentences are spoken several at a time (padded, with the attention mask VITS takes: the same
# audio as one at a time when no noise is drawn, but for the last 16 ms of a shorter sentence, where the
# vocoder reaches into the padding; tests/test_speak.py); on the CPU one at a time. Batched,
# the noise of each sentence comes from one tensor for the batch, so a seed gives another (equally likely)
# take than one at a time: the same text, seed and settings on the same hardware still give the same audio.
SENTENCES_AT_ONCE_ON_GPU = 8


def speak_sentences(
    entry, ids: list[list[int]], batch_size: int = 1, progress: Callable[[float, str], None] | None = None
) -> list[np.ndarray]:
    """One waveform per sentence's ids, `batch_size` sentences per forward (the caller holds the lock)."""
    waveforms = []
    for start in range(0, len(ids), batch_size):
        if progress:
            progress(start / len(ids), f"Speaking sentence {start + 1} of {len(ids)}")
        group = ids[start : start + batch_size]
        input_ids = torch.zeros(len(group), max(map(len, group)), dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        for row, sentence in enumerate(group):
            input_ids[row, : len(sentence)] = torch.tensor(sentence)
            mask[row, : len(sentence)] = 1
        output = entry.model(**entry.to_model({"input_ids": input_ids, "attention_mask": mask}))
        for row, length in enumerate(output.sequence_lengths.tolist()):
            waveforms.append(output.waveform[row, :length].float().cpu().numpy())
    return waveforms


def voice_alphabet(tokenizer) -> VoiceAlphabet:
    """What modules.text needs to know of a VitsTokenizer."""
    return VoiceAlphabet(
        symbols=tuple(tokenizer.encoder),
        added_tokens=tuple(tokenizer.added_tokens_encoder),
        language=tokenizer.language,
        is_uroman=bool(tokenizer.is_uroman),
    )


def vits_input_ids(tokenizer, prepared: str) -> list[int]:
    """Ids of text already prepared for the voice, with the blank (id 0) between and around every
    symbol when the checkpoint says add_blank: fairseq's `commons.intersperse(ids, 0)`, as in training.

    Not `tokenizer(prepared)`: MMS checkpoints name their first symbol (a real letter, "k" in English)
    as the pad token, and transformers splits text at special tokens, so a text starting or ending with
    that letter, or doubling it, loses blanks ("kick": 7 ids instead of 9; transformers PR #24085 review).
    """
    ids = [tokenizer.encoder[symbol] for symbol in prepared]
    if not tokenizer.add_blank:
        return ids
    interspersed = [0] * (2 * len(ids) + 1)
    interspersed[1::2] = ids
    return interspersed

"""SeamlessM4T-v2: speech or text in, text (and speech) out, from one loaded model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from modules import languages
from modules.audio import SAMPLE_RATE
from modules.config import UserInputError
from modules.models import SEAMLESS_MODEL, LoadedModel, ModelCache, default_cache


@dataclass
class Translation:
    text: str
    target_language: str
    waveform: np.ndarray | None = None  # float32 at `sampling_rate`, when speech was asked for
    sampling_rate: int = SAMPLE_RATE


def _check_language(code: str, catalog: list[languages.Language], role: str) -> None:
    if code not in languages.codes(catalog):
        raise UserInputError(f"{code!r} is not a supported {role} language. Pick one from the list.")


def translate_speech(
    samples: np.ndarray, target_language: str, speech_output: bool = False, cache: ModelCache | None = None
) -> Translation:
    """Speech (16 kHz mono) -> text in `target_language`; Seamless needs no source language for speech."""
    entry = (cache or default_cache()).get(SEAMLESS_MODEL, "seamless")
    inputs = entry.processor(audio=samples, sampling_rate=SAMPLE_RATE, return_tensors="pt")
    return _generate(entry, inputs, target_language, speech_output)


def translate_text(
    text: str,
    source_language: str,
    target_language: str,
    speech_output: bool = False,
    cache: ModelCache | None = None,
) -> Translation:
    _check_language(source_language, languages.SEAMLESS_TEXT_IN, "source")
    entry = (cache or default_cache()).get(SEAMLESS_MODEL, "seamless")
    inputs = entry.processor(text=text, src_lang=source_language, return_tensors="pt")
    return _generate(entry, inputs, target_language, speech_output)


def _generate(entry: LoadedModel, inputs, target_language: str, speech_output: bool) -> Translation:
    catalog = languages.SEAMLESS_SPEECH_OUT if speech_output else languages.SEAMLESS_TEXT_OUT
    _check_language(target_language, catalog, "speech output" if speech_output else "target")
    with entry.lock, torch.inference_mode():
        try:
            output = entry.model.generate(
                **entry.to_model(inputs),
                tgt_lang=target_language,
                generate_speech=speech_output,
                return_intermediate_token_ids=speech_output,  # else speech output is a bare tuple, no text
            )
        except ValueError as error:
            # The checkpoint's own language maps are the last word (e.g. a trimmed local copy).
            raise UserInputError(f"This Seamless checkpoint can't produce {target_language!r}: {error}") from error
    text = entry.processor.decode(output.sequences[0], skip_special_tokens=True).strip()
    waveform = None
    if speech_output:
        length = int(output.waveform_lengths.reshape(-1)[0]) if output.waveform_lengths is not None else None
        waveform = output.waveform[0, :length].float().cpu().numpy()
    return Translation(text=text, target_language=target_language, waveform=waveform)

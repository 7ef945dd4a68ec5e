"""Round trips, a quick check of quality with no recording of one's own:
- speak, then transcribe: how intelligible is the voice (error rates of the transcript against the text read);
- transcribe, then speak: hear the transcript in the language's voice;
- speak, then identify: does MMS-LID recognise the voice's language (and at which place).
Each step is the app's own task function, so the same models, limits and messages apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from modules import compare, identify, languages, speak, text, transcribe
from modules.audio import SAMPLE_RATE, load_audio_16k
from modules.config import UserInputError, load_settings
from modules.models import MMS_ASR_MODEL, ModelCache, default_cache, tts_model_id

SPEAK_TRANSCRIBE, TRANSCRIBE_SPEAK, SPEAK_IDENTIFY = "speak-transcribe", "transcribe-speak", "speak-identify"
KINDS = (SPEAK_TRANSCRIBE, SPEAK_IDENTIFY, TRANSCRIBE_SPEAK)
IDENTIFY_TOP_K = 10


@dataclass
class RoundTrip:
    kind: str
    language: str
    text: str  # what was spoken (as the voice read it: numbers as words) or what was heard
    waveform: np.ndarray | None = None  # the speech made
    sampling_rate: int = SAMPLE_RATE
    transcript: str = ""  # speak-transcribe
    score: compare.Score | None = None  # speak-transcribe: the transcript against `text`
    guesses: list[identify.LanguageGuess] = field(default_factory=list)  # speak-identify
    rank: int | None = None  # speak-identify: the voice's language's place among the guesses, None past them
    models: list[str] = field(default_factory=list)  # every model used, in order


def _voice(language: str) -> str:
    voice = languages.voice_for(language)
    if voice is None:
        raise UserInputError(f"There is no MMS-TTS voice for {languages.language_name(language)} ({language}).")
    return voice


def _spoken(said: str, voice: str, cache: ModelCache) -> tuple[str, speak.Speech]:
    speech = speak.synthesize(said, voice, cache=cache)
    # What the voice said, in the user's script: numbers as the voice read them (romanisation aside).
    return text.spell_numbers(said, voice)[0], speech


def speak_then_transcribe(said: str, language: str, cache: ModelCache | None = None) -> RoundTrip:
    """Synthesize `said` with the language's voice, transcribe it back with MMS, score the transcript."""
    cache = cache or default_cache()
    said = text.clean_text(said, load_settings().max_text_chars)
    voice = _voice(language)
    asr = transcribe.asr_languages(MMS_ASR_MODEL).matching(voice)
    if not asr:
        raise UserInputError(f"{MMS_ASR_MODEL} can't transcribe {languages.language_name(voice)}, so this voice can't be checked this way.")
    reference, speech = _spoken(said, voice, cache)
    samples = load_audio_16k((speech.sampling_rate, speech.waveform)).samples
    transcript = transcribe.transcribe(samples, asr[0], MMS_ASR_MODEL, cache=cache).text
    return RoundTrip(SPEAK_TRANSCRIBE, voice, reference, speech.waveform, speech.sampling_rate, transcript,
                     compare.score(reference, transcript, voice), models=[tts_model_id(voice), MMS_ASR_MODEL])


def transcribe_then_speak(samples: np.ndarray, language: str, cache: ModelCache | None = None) -> RoundTrip:
    """Transcribe `samples` with MMS in `language` (or AUTO), then read the transcript in that language's voice."""
    cache = cache or default_cache()
    if language != transcribe.AUTO:
        _voice(language)  # no voice: said before any listening
    result = transcribe.transcribe(samples, language, MMS_ASR_MODEL, cache=cache)
    if not result.text.strip():
        raise UserInputError("Nothing was heard in the recording, so there is nothing to read aloud.")
    limit = load_settings().max_text_chars
    if len(result.text) > limit:
        raise UserInputError(
            f"The transcript has {len(result.text):,} characters; the voice reads at most {limit:,} at once. "
            "Use a shorter recording."
        )
    voice = _voice(result.language)
    speech = speak.synthesize(result.text, voice, cache=cache)
    return RoundTrip(TRANSCRIBE_SPEAK, voice, result.text, speech.waveform, speech.sampling_rate,
                     models=[MMS_ASR_MODEL, tts_model_id(voice)])


def speak_then_identify(said: str, language: str, cache: ModelCache | None = None) -> RoundTrip:
    """Synthesize `said` with the language's voice and ask MMS-LID which language it hears."""
    cache = cache or default_cache()
    said = text.clean_text(said, load_settings().max_text_chars)
    voice = _voice(language)
    reference, speech = _spoken(said, voice, cache)
    samples = load_audio_16k((speech.sampling_rate, speech.waveform)).samples
    guesses = identify.identify_language(samples, top_k=IDENTIFY_TOP_K, cache=cache).guesses
    same = set(languages.same_language(voice))
    rank = next((place for place, guess in enumerate(guesses, start=1) if languages.base_code(guess.code) in same), None)
    return RoundTrip(SPEAK_IDENTIFY, voice, reference, speech.waveform, speech.sampling_rate, guesses=guesses,
                     rank=rank, models=[tts_model_id(voice), identify.DEFAULT_LID_MODEL])

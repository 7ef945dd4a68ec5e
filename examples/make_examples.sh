#!/usr/bin/env bash
# Regenerates the example clips with espeak-ng + sox (apt: espeak-ng sox libsox-fmt-mp3).
# Several languages, formats, rates and channel counts on purpose: they exercise the audio module.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
espeak-ng -v en-us -w "$tmp/en.wav" "Hello, this is a test of multilingual speech recognition."
espeak-ng -v fr-fr -w "$tmp/fr.wav" "Bonjour, ceci est un essai de reconnaissance de la parole."
espeak-ng -v de    -w "$tmp/de.wav" "Guten Tag, wie geht es Ihnen heute?"
espeak-ng -v es    -w "$tmp/es.wav" "Buenos días, me gusta aprender idiomas."
espeak-ng -v ru    -w "$tmp/ru.wav" "Здравствуйте, как у вас дела?"
sox "$tmp/en.wav" -r 16000 english.wav
sox "$tmp/fr.wav" -r 44100 -c 2 french.flac          # 44.1 kHz stereo
sox "$tmp/de.wav" -r 48000 german.ogg                # Ogg Vorbis, 48 kHz
sox "$tmp/es.wav" -r 22050 -C 64 spanish.mp3         # MP3
sox "$tmp/ru.wav" -r 8000 russian.wav                # telephone rate
rm -r "$tmp"

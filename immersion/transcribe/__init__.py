"""Offline machine transcripts: a recording in, a draft WebVTT with word timings out.

`engine.py` is the interface (`Transcriber`: a 16 kHz mono WAV -> timed words) and
`whisper.py` the one engine it has today (faster-whisper, an optional extra); `audio.py`
decodes any recording or video to that WAV with the product's ffmpeg; `draft.py` turns
the words into the product's WebVTT (marked as a machine transcript) and finds the
personal data in them; `bundle.py` says which recordings of a story need a transcript
and adds the new file (and its `redact:` entries) to the story's index.md.
"""

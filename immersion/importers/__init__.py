"""Importers: turn the files research tools write into story bundles.

One module per source format (`captions` for Zoom/Teams/Meet/SRT/Otter
transcripts, `mail` for .eml, `recording` for a recording, `photos` for a folder
of photos), plus what they share: `decode` (text in any of the encodings those
tools write), `personal` (likely personal data, as `redact:` entries), `bundle`
and `newbundle` (writing a bundle all at once or not at all).
"""

"""Importers: turn the files research tools write into story bundles.

One module per source format (`captions` for Zoom/Teams/Meet/SRT/Otter
transcripts, `mail` for .eml), plus what they share: `decode` (text in any of
the encodings those tools write), `personal` (likely personal data, as
`redact:` entries) and `bundle` (writing a bundle all at once or not at all).
"""

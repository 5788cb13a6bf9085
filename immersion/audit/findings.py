"""What the audit finds: one `Finding` per file and fault, the fix for each kind, and the
count of what was scanned in each site.

A finding is *blocking* (the site must not be published) unless it is informational:
a link from the intranet to another site is allowed, and reported only in `--json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..problems import Problem, Severity

IMAGE_METADATA = "image-metadata"
AUDIO_TAGS = "audio-tags"
CONTAINER_METADATA = "container-metadata"
ORIGINAL = "original"
EXCLUDED_TEXT = "excluded-text"
EXCLUDED_MEDIA = "excluded-media"
EXCLUDED_PAGE = "excluded-page"
EXTERNAL_URL = "external-url"
EXTERNAL_LINK = "external-link"
INLINE_HANDLER = "inline-handler"
SCRIPT_URL = "javascript-url"
UNCHECKED = "unchecked"
STALE = "stale"
REDACTED_TEXT = "redacted-text"
REDACTED_SOUND = "redacted-sound"
VOICE_NOT_ALLOWED = "voice-not-allowed"
FACE_NOT_ALLOWED = "face-not-allowed"

KINDS = (
    IMAGE_METADATA,
    AUDIO_TAGS,
    CONTAINER_METADATA,
    ORIGINAL,
    EXCLUDED_TEXT,
    EXCLUDED_MEDIA,
    EXCLUDED_PAGE,
    EXTERNAL_URL,
    EXTERNAL_LINK,
    INLINE_HANDLER,
    SCRIPT_URL,
    UNCHECKED,
    STALE,
    REDACTED_TEXT,
    REDACTED_SOUND,
    VOICE_NOT_ALLOWED,
    FACE_NOT_ALLOWED,
)

_REBUILD = (
    "publish a fresh `immersion build`, which leaves it out; if a fresh build has it too, "
    "it comes from themes/ or is a bug in immersion to report"
)
_FIXES = {
    IMAGE_METADATA: (
        "renditions carry no metadata: rebuild; a picture copied from themes/{audience}/ "
        "must be saved again without metadata (e.g. `exiftool -all= FILE`)"
    ),
    AUDIO_TAGS: (
        "renditions carry no tags: rebuild; a recording copied from themes/{audience}/ must "
        "be saved again without tags (e.g. `ffmpeg -i IN -map_metadata -1 -c copy OUT`)"
    ),
    CONTAINER_METADATA: (
        "renditions are written without metadata: rebuild; a video copied from "
        "themes/{audience}/ must be saved again without it "
        "(e.g. `ffmpeg -i IN -map_metadata -1 -c copy OUT`)"
    ),
    ORIGINAL: (
        "originals are never published, only renditions: remove the copy (from themes/ if "
        "it is there) and rebuild"
    ),
    EXCLUDED_TEXT: _REBUILD,
    EXCLUDED_MEDIA: _REBUILD,
    EXCLUDED_PAGE: _REBUILD,
    EXTERNAL_URL: (
        "nothing may load from another host: copy the file into themes/{audience}/ and "
        "refer to it by a relative path"
    ),
    EXTERNAL_LINK: "no link may leave the kiosk: remove the link (in content or themes/kiosk/)",
    INLINE_HANDLER: (
        "remove the attribute; behaviour belongs in a script file (themes/{audience}/)"
    ),
    SCRIPT_URL: "use a real link, or a button handled by a script file (themes/{audience}/)",
    UNCHECKED: "replace the file with one that opens, or remove it, then audit again",
    REDACTED_TEXT: (
        "the build replaces every redact: phrase with [redacted]: publish a fresh `immersion "
        "build`; if a fresh build has it too, it is in themes/{audience}/ (remove it there) or "
        "is a bug in immersion to report"
    ),
    REDACTED_SOUND: (
        "the build silences every redact: span in every rendition: publish a fresh `immersion "
        "build`; a recording copied in by hand must be replaced by the build's"
    ),
    VOICE_NOT_ALLOWED: (
        "a story whose consent does not allow the voice is published with no sound at all "
        "(no audio track, no audio rendition): publish a fresh `immersion build`; a file "
        "copied in by hand (themes/{audience}/) must be removed"
    ),
    FACE_NOT_ALLOWED: (
        "a story whose consent does not allow the face is published as sound only (no "
        "video stream, no picture in any file): publish a fresh `immersion build`; a file "
        "copied in by hand (themes/{audience}/) must be removed"
    ),
    STALE: (
        "build and publish again (`immersion build`), which leaves it out; rebuild every "
        "night so a consent that ends is honoured on its day"
    ),
}


@dataclass(frozen=True, order=True)
class Finding:
    """One fault in one file of a built site."""

    audience: str
    path: str  # relative to the site folder, with forward slashes
    kind: str
    detail: str
    blocking: bool = True

    @property
    def fix(self) -> str:
        if not self.blocking:
            return "allowed here: listed for review only"
        return _FIXES[self.kind].format(audience=self.audience)

    def problem(self, folder: str) -> Problem:
        """As a Problem naming the file as `folder/path` (e.g. build/kiosk/index.html)."""
        return Problem(
            f"{folder.rstrip('/')}/{self.path}",
            None,
            self.detail,
            self.fix,
            Severity.ERROR if self.blocking else Severity.NOTE,
            self.kind,
        )

    def as_json(self, folder: str) -> dict[str, str]:
        return {
            "audience": self.audience,
            "folder": folder,
            "path": self.path,
            "kind": self.kind,
            "detail": self.detail,
            "fix": self.fix,
        }


@dataclass
class SiteReport:
    """What one site's audit looked at and found."""

    audience: str
    folder: str  # as the user knows it: build/intranet
    files: int = 0
    images: int = 0
    recordings: int = 0
    texts: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # shown with --verbose only

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def notices(self) -> list[Finding]:
        return [f for f in self.findings if not f.blocking]

    def summary(self) -> str:
        scanned = (
            f"{self.files} files ({self.images} images, {self.recordings} recordings, "
            f"{self.texts} text) in {self.seconds:.2f}s"
        )
        found = len(self.blocking)
        verdict = "clean" if not found else f"{found} finding{'' if found == 1 else 's'}"
        if self.notices:
            links = len(self.notices)
            verdict += f" ({links} link{'' if links == 1 else 's'} to other sites: see --json)"
        return f"audit: {self.folder}: {scanned}: {verdict}"

"""The project's own mkdocs.yml: the few site settings a room may choose.

The generated site config is ours (theme features, plugins, nav, extensions),
so that content can never switch on an unsafe extension. From the project's
mkdocs.yml we take only what is about the look and name of the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .engine import DEFAULT_ENGINE, ENGINES, zensical_ignores
from .media.recipes import AudioRecipe, PhotoRecipe
from .problems import Problem, Severity, did_you_mean, relpath, suggest
from .project import Project
from .yamlio import ContentError, LDict, parse_yaml, read_text

ALLOWED = (
    "site_name",
    "site_description",
    "site_author",
    "copyright",
    "theme",
    "extra",
    "immersion",
)
THEME_ALLOWED = ("name", "palette", "language", "logo", "favicon", "icon", "features")


@dataclass(frozen=True)
class Settings:
    site_name: str | None = None
    site_description: str = ""
    site_author: str = ""
    copyright: str = ""
    theme: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    immersion: dict[str, Any] = field(default_factory=dict)
    # The site engine: `--engine`, else `immersion: {engine: ...}`, else mkdocs.
    engine: str = DEFAULT_ENGINE


def _plain(value: Any) -> Any:
    """LDict/LList -> dict/list, so the value can be dumped into the generated config."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_settings(project: Project, engine: str | None = None) -> tuple[Settings, list[Problem]]:
    """The project's settings and what is wrong with them; `engine` is `--engine`."""
    settings, problems = _load(project, engine)
    if engine is not None:
        settings = replace(settings, engine=engine)
    return settings, problems


def _load(project: Project, engine: str | None) -> tuple[Settings, list[Problem]]:
    path = project.mkdocs_yml
    display = relpath(path, project.root)
    problems: list[Problem] = []
    if not path.is_file():
        return Settings(), problems
    try:
        data = parse_yaml(read_text(path, display), display)
    except ContentError as exc:
        return Settings(), [exc.problem]
    if data is None:
        return Settings(), problems
    if not isinstance(data, LDict):
        return Settings(), [
            Problem(
                display,
                1,
                "mkdocs.yml must be a mapping of settings",
                "start from the one `immersion init` writes",
            )
        ]
    values: dict[str, Any] = {}
    chosen = engine or _engine_setting(data, display, problems)
    if chosen != DEFAULT_ENGINE:
        values["engine"] = chosen
    for key, value in data.items():
        if chosen == "zensical" and key in ("hooks", "plugins"):
            problems.append(_zensical_ignores(data, key, display))
            continue
        if key not in ALLOWED:
            problems.append(
                Problem(
                    display,
                    data.line_of(key),
                    f"'{key}' is set by immersion and ignored here",
                    suggest(key, ALLOWED)
                    if key not in ("nav", "plugins", "markdown_extensions", "docs_dir", "site_dir")
                    else "immersion generates it for each audience; remove it",
                    Severity.WARNING,
                    key,
                )
            )
            continue
        values[key] = _plain(value)
    theme = values.get("theme") or {}
    if not isinstance(theme, dict):
        problems.append(
            Problem(
                display,
                data.line_of("theme"),
                "theme must be a mapping",
                "for example theme: {palette: {primary: teal}}",
            )
        )
        theme = {}
    for key in list(theme):
        if key not in THEME_ALLOWED:
            problems.append(
                Problem(
                    display,
                    data.line_of("theme"),
                    f"theme.{key} is set by immersion and ignored here",
                    suggest(key, THEME_ALLOWED),
                    Severity.WARNING,
                    f"theme.{key}",
                )
            )
            del theme[key]
    values["theme"] = theme
    for key in ("extra", "immersion"):
        if not isinstance(values.get(key, {}), dict):
            problems.append(Problem(display, data.line_of(key), f"{key} must be a mapping"))
            values[key] = {}
    for key in ("site_name", "site_description", "site_author", "copyright"):
        if key in values and not isinstance(values[key], str):
            problems.append(
                Problem(display, data.line_of(key), f"{key} must be text", "put it in quotes")
            )
            del values[key]
    return Settings(**values), problems


def _engine_setting(data: LDict, display: str, problems: list[Problem]) -> str:
    """`immersion: {engine: ...}`: mkdocs or zensical (docs/engines.md)."""
    block = data.get("immersion")
    if not isinstance(block, LDict) or "engine" not in block:
        return DEFAULT_ENGINE
    value = block["engine"]
    if isinstance(value, str) and value in ENGINES:
        return value
    close = did_you_mean(value, ENGINES) if isinstance(value, str) else ""
    problems.append(
        Problem(
            display,
            block.line_of("engine"),
            f"unknown site engine {value!r}: this build uses {DEFAULT_ENGINE}",
            (f"{close} " if close else "") + "write `engine: mkdocs` or `engine: zensical`",
            field="immersion.engine",
        )
    )
    return DEFAULT_ENGINE


def _zensical_ignores(data: LDict, key: str, display: str) -> Problem:
    """Zensical drops hooks and the plugins it does not know without a word: say so here.

    (immersion writes each site's config itself, so it leaves these out with either engine.)
    """
    value = data[key]
    if key == "hooks":
        names = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        what = f"the hooks {', '.join(names)}" if names else "hooks"
        message = f"Zensical ignores {what}: it runs no MkDocs hooks"
    else:
        plugins = _plugin_names(value)
        dropped = [name for name in plugins if zensical_ignores(name)]
        if dropped:
            message = f"Zensical ignores the plugins {', '.join(dropped)}: it does not support them"
        else:
            message = "'plugins' is set by immersion and ignored here"
    return Problem(
        display,
        data.line_of(key),
        message,
        "immersion generates each site's config; remove it from mkdocs.yml",
        Severity.WARNING,
        key,
    )


def _plugin_names(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value]
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict):
                names += [str(k) for k in item]
            else:
                names.append(str(item))
        return names
    return [str(value)]


MEDIA_SETTINGS = ("photo_widths", "webp_quality", "jpeg_quality", "target_lufs")
# Every key of the `immersion:` block: the media recipes, the site engine, transcription.
BLOCK_SETTINGS = (*MEDIA_SETTINGS, "engine", "transcribe")
TRANSCRIBE_SETTINGS = ("model", "language", "threads")


@dataclass(frozen=True)
class TranscribeSettings:
    """`immersion: {transcribe: {...}}`: the speech model `immersion transcribe` uses.

    `model`: a CTranslate2 Whisper folder (for `base.en` or better), relative to the
    project; None for the packaged tiny.en. `threads`: 0 for every core.
    """

    model: Path | None = None
    language: str | None = "en"
    threads: int = 0


def transcribe_settings(
    settings: Settings, project: Project, problems: list[Problem]
) -> TranscribeSettings:
    """The transcription settings; each bad value is a problem (and the default is kept)."""
    block = settings.immersion.get("transcribe")
    if block is None:
        return TranscribeSettings()
    found = TranscribeSettings()

    def bad(key: str, message: str, hint: str) -> None:
        problems.append(
            Problem(Project.MKDOCS_YML, None, message, hint, Severity.ERROR, f"immersion.{key}")
        )

    if not isinstance(block, dict):
        bad("transcribe", "immersion.transcribe must be a mapping", "transcribe: {model: PATH}")
        return found
    for key in block:
        if key not in TRANSCRIBE_SETTINGS:
            bad(
                f"transcribe.{key}",
                f"unknown setting immersion.transcribe.{key}",
                suggest(key, TRANSCRIBE_SETTINGS),
            )
    model = block.get("model")
    if model is not None:
        from .transcribe.whisper import check_model_folder

        if not isinstance(model, str) or not model.strip():
            bad("transcribe.model", "immersion.transcribe.model must be a folder", _MODEL_HINT)
        else:
            folder = (project.root / model).resolve()
            trouble = check_model_folder(folder)
            if trouble:
                bad("transcribe.model", trouble, _MODEL_HINT)
            else:
                found = replace(found, model=folder)
    language = block.get("language")
    if language is not None:
        if isinstance(language, str) and re.fullmatch(r"[a-z]{2,3}", language):
            found = replace(found, language=language)
        else:
            bad("transcribe.language", "immersion.transcribe.language is not valid", "e.g. en")
    threads = block.get("threads")
    if threads is not None:
        if isinstance(threads, int) and not isinstance(threads, bool) and 0 <= threads <= 256:
            found = replace(found, threads=threads)
        else:
            bad("transcribe.threads", "immersion.transcribe.threads is not valid", "0 to 256")
    return found


_MODEL_HINT = (
    "name a folder holding a CTranslate2 Whisper model (model.bin, config.json, "
    "tokenizer.json), relative to the project, e.g. models/base.en"
)


def media_recipes(settings: Settings, problems: list[Problem]) -> tuple[PhotoRecipe, AudioRecipe]:
    """The media recipes, from the `immersion:` block of the project's mkdocs.yml.

    ```yaml
    immersion:
      photo_widths: [480, 960, 1920, 3840]
      webp_quality: 80
      jpeg_quality: 82
      target_lufs: -16
    ```
    A bad value is reported and the default used, so the build goes on.
    """
    block = settings.immersion
    photo, audio = PhotoRecipe(), AudioRecipe()

    def bad(key: str, hint: str) -> None:
        problems.append(
            Problem(
                Project.MKDOCS_YML,
                None,
                f"immersion.{key} is not valid",
                hint,
                Severity.WARNING,
                f"immersion.{key}",
            )
        )

    for key in block:
        if key not in BLOCK_SETTINGS:
            problems.append(
                Problem(
                    Project.MKDOCS_YML,
                    None,
                    f"unknown setting immersion.{key}",
                    suggest(key, BLOCK_SETTINGS),
                    Severity.WARNING,
                    f"immersion.{key}",
                )
            )
    widths = block.get("photo_widths")
    if widths is not None:
        if (
            isinstance(widths, list)
            and widths
            and all(
                isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192 for w in widths
            )
        ):
            photo = replace(photo, widths=tuple(sorted(set(widths))))
        else:
            bad("photo_widths", "a list of widths in pixels, e.g. [480, 960, 1920, 3840]")
    qualities: dict[str, int] = {}
    for key in ("webp_quality", "jpeg_quality"):
        value = block.get(key)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
            qualities[key] = value
        else:
            bad(key, "a number from 1 to 100")
    photo = replace(
        photo,
        webp_quality=qualities.get("webp_quality", photo.webp_quality),
        jpeg_quality=qualities.get("jpeg_quality", photo.jpeg_quality),
    )
    lufs = block.get("target_lufs")
    if lufs is not None:
        if isinstance(lufs, int | float) and not isinstance(lufs, bool) and -40 <= lufs <= -9:
            audio = replace(audio, target_lufs=float(lufs))
        else:
            bad("target_lufs", "a loudness from -40 to -9, e.g. -16")
    return photo, audio

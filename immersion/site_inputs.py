"""What a published site was built from: a manifest beside it, so the next build can reuse it.

`build/.staging/<audience>.inputs.json` names the published site folder and holds the
digest of every staged file (Markdown, assets, theme overrides, mkdocs.yml), the
engine and its versions, mkdocs' build date, the files the engine wrote and the pages
of its navigation. A build compares its own staging folder with it and hands the site
engine a `Reuse` (engine.build_reusing): nothing changed, or these few files did.

The manifest is written after the new site is published; a build killed in between
leaves a manifest that names another folder than the published one, which is then not
reused (a whole build), never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from .engine import Built, Reuse
from .project import Project
from .render.staging import atomic_write

FORMAT = 1
# What shapes the engine's output besides the staged files.
_DISTRIBUTIONS = (
    "immersion", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2",
    "markupsafe", "pyyaml",
)  # fmt: skip


def staged(staging: Path) -> dict[str, str]:
    """{staging path: digest} of every file the renderers wrote for the engine."""
    digests: dict[str, str] = {}
    for dirpath, _dirs, names in os.walk(staging):
        base = Path(dirpath)
        rel = base.relative_to(staging).as_posix()
        for name in names:
            data = (base / name).read_bytes()
            key = name if rel == "." else f"{rel}/{name}"
            digests[key] = hashlib.blake2b(data, digest_size=16).hexdigest()
    return digests


def engine_key(engine: str, config: Path) -> dict[str, Any]:
    """The engine, the versions it runs with, and the hooks that mkdocs.yml loads."""
    versions: dict[str, str | None] = {}
    for dist in _DISTRIBUTIONS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    # Our own code that shapes the site: the engine adapter and the mkdocs hooks (files
    # of the package, so a change between releases counts too).
    code = {"engine": _digest(Path(__file__).with_name("engine.py"))}
    for hook in _hooks(config):
        code[hook] = _digest(Path(hook))
    return {"engine": engine, "python": sys.version, "versions": versions, "code": code}


def _hooks(config: Path) -> list[str]:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    hooks = data.get("hooks") if isinstance(data, dict) else None
    return [str(h) for h in hooks] if isinstance(hooks, list) else []


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def reusable(
    project: Project, audience: str, inputs: dict[str, str], key: dict[str, Any]
) -> Reuse | None:
    """What of the published site of `audience` the next build may reuse; None: nothing."""
    link = project.site(audience)
    try:
        data = json.loads(project.site_inputs(audience).read_text(encoding="utf-8"))
        site = link.resolve(strict=True) if link.is_symlink() else None
    except (OSError, ValueError):
        return None
    if (
        site is None
        or not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("site") != site.name
        or site.parent != project.sites.resolve()
        or data.get("key") != key
    ):
        return None
    try:
        before: dict[str, str] = data["inputs"]
        changed = {p for p in before.keys() | inputs.keys() if before.get(p) != inputs.get(p)}
        return Reuse(
            site=site,
            changed=frozenset(changed),
            files=frozenset(data["files"]),
            nav=tuple((str(s), str(t), str(u)) for s, t, u in data["nav"]),
            build_date=str(data["build_date"]),
            warnings=tuple(str(w) for w in data["warnings"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def remember(
    project: Project,
    audience: str,
    site: Path,
    inputs: dict[str, str],
    key: dict[str, Any],
    built: Built,
) -> None:
    """Write the manifest of the site just published."""
    data = {
        "format": FORMAT,
        "site": site.name,
        "key": key,
        "build_date": built.build_date,
        "warnings": built.warnings,
        "nav": built.nav,
        "files": built.files,
        "inputs": dict(sorted(inputs.items())),
    }
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    atomic_write(project.site_inputs(audience), text.encode())

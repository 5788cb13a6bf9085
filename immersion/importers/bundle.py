"""Write an imported story bundle whole or not at all, and front matter lines for it."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..problems import UsageError
from .personal import Finding


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def redact_lines(found: list[Finding]) -> list[str]:
    if not found:
        return ["# Personal data to take out before publishing (none was found)", "redact: []"]
    lines = [
        "# Found by the import: the build writes [redacted] instead of each of these",
        "# in everything it publishes. Delete an entry only if it is not personal data.",
        "redact:",
    ]
    lines += [f"  - {{words: {quoted(f.words)}, why: {quoted(f.why)}}}" for f in found]
    return lines


def write_new(folder: Path, files: dict[str, bytes], *, force: bool) -> None:
    """Write a new bundle folder: built beside it, then renamed into place in one step."""
    if folder.exists() and not force:
        raise UsageError(f"{folder} already exists; add --force to replace it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in files.items():
            (temp / name).write_bytes(data)
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
            temp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            temp.rename(folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def write_into(folder: Path, files: dict[str, bytes], *, force: bool) -> None:
    """Add files to an existing bundle; every temp file is written before any is renamed."""
    for name in files:
        if name != "index.md" and (folder / name).exists() and not force:
            raise UsageError(f"{folder / name} already exists; add --force to replace it")
    temps: list[tuple[Path, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            temps.append((Path(tmp_name), folder / name))
        for tmp, final in temps:
            os.replace(tmp, final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)


def drop_keys(index: str, keys: tuple[str, ...]) -> str:
    """`index` without the top-level `keys` of its front matter (and their indented lines)."""
    out: list[str] = []
    dropping = False
    for n, line in enumerate(index.split("\n")):
        if n and line.strip() == "---":
            out.extend(index.split("\n")[n:])
            break
        if line and not line[0].isspace() and not line.startswith("#"):
            dropping = line.split(":", 1)[0].strip() in keys
        if not dropping:
            out.append(line)
    return "\n".join(out)


def add_front_matter(index: str, lines: list[str], key: str, display: str) -> str:
    """`index` with `lines` added at the end of its front matter (error if `key` is there)."""
    parts = index.split("\n")
    if not parts or parts[0].strip() != "---":
        raise UsageError(f"{display}: no front matter (a first line '---'); fix it first")
    try:
        close = next(i for i in range(1, len(parts)) if parts[i].strip() == "---")
    except StopIteration:
        raise UsageError(f"{display}: the front matter has no closing '---'") from None
    if any(p.startswith(f"{key}:") for p in parts[1:close]):
        raise UsageError(f"{display} already has '{key}:'; remove it (or import into a new story)")
    return "\n".join(parts[:close] + lines + parts[close:])

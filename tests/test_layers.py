"""No import from a lower layer to a higher one, read from the source with `ast`.

The commands (and the command line) are the top: nothing below them imports
`immersion.commands`. The renderers write pages from renditions already made:
they may import the result types (`media.renditions`), never the pool that makes
them (`media.pool`, `media.keys`, `media.cache`: render reads `media.renditions`).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "immersion"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, absolute, wherever the import is (functions too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from .. import commands` imports a module by its name too.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def offenders(where: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in modules():
        if not within(module_name(path), where):
            continue
        bad = sorted(m for m in imports(path) if any(within(m, f) for f in forbidden))
        if bad:
            found[module_name(path)] = bad
    return found


def test_the_import_reader_resolves_relative_imports() -> None:
    session = PACKAGE / "preview" / "session.py"
    found = imports(session)
    assert "immersion.render.sites" in found
    assert "immersion.model" in found


def test_nothing_below_the_commands_imports_them() -> None:
    top = ("immersion.commands", "immersion.cli", "immersion.__main__")
    found = {}
    for path in modules():
        name = module_name(path)
        if any(within(name, t) for t in top):
            continue
        bad = sorted(m for m in imports(path) if within(m, "immersion.commands"))
        if bad:
            found[name] = bad
    assert found == {}


def test_the_renderers_do_not_import_the_media_pool() -> None:
    # render/ reads renditions (media.renditions); converting is the pool's job.
    pool = ("immersion.media.pool", "immersion.media.keys", "immersion.media.cache")
    assert offenders("immersion.render", pool) == {}


# The pipeline's layers, lowest first: a module may import its own layer and the ones
# below it, never one above. (Within a layer, modules do not depend on each other's
# order.) Every top-level module or package of immersion/ is in exactly one layer.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        "problems yamlio transcripts launcher",
        "schema",
        "model",
        "formats spoken bodytext engine pageloads httpd project room redaction",
        "load audience media scaffold reference importers contributions transcribe",
        "settings",
        "render publish validity site_inputs",
        "audit",
        "preview",
        "commands",
        "cli __main__",
    )
)
# Edges allowed upwards, each for a reason: `Project.room()` reads room.yml through the
# loader, imported inside the method (the loader takes a Project, so not at the top).
UPWARD = {("project", "load")}


def top_level(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_of(name: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if name in layer)


def test_every_module_has_a_layer() -> None:
    names = {
        path.stem if path.parent == PACKAGE else path.relative_to(PACKAGE).parts[0]
        for path in modules()
    } - {"__init__"}
    unplaced = sorted(n for n in names if not any(n in layer for layer in LAYERS))
    assert unplaced == [], f"add these to LAYERS in tests/test_layers.py: {unplaced}"


def test_no_module_imports_a_higher_layer() -> None:
    found = {}
    for path in modules():
        name = module_name(path)
        if name == "immersion":
            continue
        mine = top_level(name)
        bad = sorted(
            m
            for m in imports(path)
            if within(m, "immersion")
            and m != "immersion"
            and (mine, top_level(m)) not in UPWARD
            and layer_of(top_level(m)) > layer_of(mine)
        )
        if bad:
            found[name] = bad
    assert found == {}

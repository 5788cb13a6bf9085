"""The mkdocs config of one audience's staging site, and its theme overrides.

The config is ours, not the editor's: the theme features that keep large
sites fast (`navigation.prune`), no web fonts (`font: false`, so no request
leaves the site), and only standard Markdown extensions. From the project's
mkdocs.yml we take the name, palette, logo and `extra`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..project import Project
from ..settings import Settings
from .staging import Staging, template_text

PACKAGE_THEMES = Path(__file__).resolve().parent.parent / "theme"
SEARCH_LINES_HOOK = Path(__file__).resolve().parent / "intranet" / "search_lines.py"

BASE_FEATURES = [
    "navigation.prune",  # without it every page carries the whole nav: build time grows as n²
    "navigation.indexes",
    "navigation.top",
    "navigation.tracking",
    "search.highlight",
    "content.tooltips",
]


@dataclass(frozen=True)
class ThemeAssets:
    css: list[str]
    js: list[str]


DROPPED_FEATURES = {
    "navigation.instant",
    "navigation.instant.prefetch",
    "navigation.instant.progress",
}


def copy_theme(staging: Staging, audience: str, project: Project) -> ThemeAssets:
    """The players, the package theme, then the project's themes/<audience>/ on top.

    Only `theme/players/` and `theme/<audience>/` are package themes of a site: the
    kiosk's service worker template (`theme/kiosk-sw/`) is never copied as it is.

    Templates go to overrides/ (mkdocs' custom_dir); stylesheets and scripts
    go to docs/ so that the engine copies them as site assets. Returns the
    stylesheets and scripts every page loads, in order.
    """
    css: list[str] = []
    js: list[str] = []
    roots = (PACKAGE_THEMES / "players", PACKAGE_THEMES / audience, project.theme(audience))
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in sorted(files):
                # Dot files, editor backups, and notes for editors (README.md) are not site assets.
                if name.startswith(".") or name.endswith(("~", ".md")):
                    continue
                path = Path(dirpath) / name
                rel = path.relative_to(root).as_posix()
                if rel.endswith(".html"):
                    staging.write_bytes(f"overrides/{rel}", path.read_bytes())
                else:
                    dest = f"assets/immersion/{rel}"
                    staging.write_bytes(f"docs/{dest}", path.read_bytes())
                    if rel.endswith(".css") and dest not in css:
                        css.append(dest)
                    elif rel.endswith(".js") and dest not in js:
                        js.append(dest)
    return ThemeAssets(css, js)


def site_config(
    settings: Settings, room_name: str, nav: list[Any], theme_assets: ThemeAssets, audience: str
) -> dict[str, Any]:
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": "overrides",
        "font": False,
        "language": "en",
        "palette": {"scheme": "default", "primary": "teal", "accent": "deep orange"},
        "icon": {"logo": "material/account-group"},
    }
    for key, value in settings.theme.items():
        if key == "features":
            continue
        if key != "name":
            theme[key] = value
    # Instant navigation swaps pages without loading them, so the players script would
    # never see the new page's players; every page is a real page load instead.
    extra_features = [
        f
        for f in settings.theme.get("features", [])
        if isinstance(f, str) and f not in DROPPED_FEATURES
    ]
    theme["features"] = BASE_FEATURES + [f for f in extra_features if f not in BASE_FEATURES]
    extra = dict(settings.extra)
    extra.setdefault("generator", False)
    extra["audience"] = audience
    plugins: list[Any] = ["search", "tags"]
    if audience == "kiosk":
        # The displays: no search, no tags, no theme features (no instant navigation, no
        # "back to top"), and nothing from `extra` that material turns into markup of its
        # own (a cookie banner, a version switcher, alternate languages, scripts).
        theme["features"] = []
        theme["font"] = False
        plugins = []
        for key in ("consent", "version", "alternate", "analytics", "polyfills", "social"):
            extra.pop(key, None)
    config: dict[str, Any] = {
        "site_name": template_text(settings.site_name or f"{room_name}: {audience}"),
        "site_description": settings.site_description,
        "site_author": settings.site_author,
        "copyright": settings.copyright,
        "docs_dir": "docs",
        "use_directory_urls": True,
        "theme": theme,
        "plugins": plugins,
        "markdown_extensions": [
            {"toc": {"permalink": True}},
            "tables",
            "admonition",
            "sane_lists",
            # Safe only because content can never write `<` (see bodytext.py): it lets our
            # own blocks wrap rendered Markdown, like the email's letter.
            "md_in_html",
        ],
        "extra_css": theme_assets.css,
        "extra_javascript": theme_assets.js,
        "extra": extra,
        # The intranet's search finds each transcript line at its own id (the hook runs
        # in mkdocs only; Zensical indexes the transcript as one section).
        "hooks": [str(SEARCH_LINES_HOOK)] if audience != "kiosk" else None,
        "nav": nav,
        "validation": {
            "nav": {"omitted_files": "ignore"},
            "links": {"unrecognized_links": "ignore"},
        },
    }
    return {k: v for k, v in config.items() if v not in ("", None)}


def write_config(staging: Staging, config: dict[str, Any]) -> Path:
    text = "# Generated by immersion for this build; edit the project's mkdocs.yml instead.\n"
    text += yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    staging.write_text("mkdocs.yml", text)
    return staging.root / "mkdocs.yml"

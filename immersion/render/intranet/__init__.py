"""Library (filtered for the intranet) -> Markdown pages in the staging folder.

Pages are plain Markdown with HTML blocks for cards, players and tables, so
that any mkdocs-compatible engine can build them. Every HTML block is
`markupsafe.Markup` built from `render.html` pieces, which treat every plain
string as text; bodies go through `bodytext.safe_markdown`: nothing an editor
writes becomes markup.

* `site`: the renderer, its shared pieces (links, evidence, photos, bodies), home, tags, nav;
* `pages`: where pages are, their front matter, and who cites what;
* `personas`, `journeys`, `stories`, `insights` (with the actions page): each kind's pages.
"""

from __future__ import annotations

from ..staging import front_matter
from ..views import SECTION_DIRS, STATUS_ORDER, STORY_KIND_LABELS, moment_label, needs_review
from .pages import NAV_SECTION_LIMIT, QUOTE_LIMIT, Citations, item_page
from .site import IntranetRenderer

__all__ = [
    "NAV_SECTION_LIMIT",
    "QUOTE_LIMIT",
    "SECTION_DIRS",
    "STATUS_ORDER",
    "STORY_KIND_LABELS",
    "Citations",
    "IntranetRenderer",
    "front_matter",
    "item_page",
    "moment_label",
    "needs_review",
]

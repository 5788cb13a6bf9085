"""The intranet's "you said, we did" page credits each action to its participants."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from conftest import REPO, TODAY

from immersion.audience import for_audience
from immersion.load import load
from immersion.media.renditions import Renditions
from immersion.project import Project
from immersion.render.assets import Assets
from immersion.render.intranet import IntranetRenderer
from immersion.render.intranet.insights import write_actions_page
from immersion.render.staging import Staging


def test_each_action_names_the_participants_whose_words_led_to_it(tmp_path: Path) -> None:
    project = Project(REPO)
    library, _problems = load(project, TODAY)
    view = for_audience(library, "intranet", TODAY)
    staging = Staging(tmp_path / "staging")
    r = IntranetRenderer(view, staging, Assets(staging, project, Renditions(), []), TODAY)
    write_actions_page(r)
    md = (tmp_path / "staging/docs/actions/index.md").read_text()
    soup = BeautifulSoup(md, "html.parser")

    def credited(action: str) -> dict[str, str]:
        card = soup.find("article", id=action)
        assert card is not None
        line = card.select_one(".im-credits")
        assert line is not None
        return {a.get_text(): a["href"] for a in line.find_all("a")}

    # Margaret's interview and Leah's are the evidence of "which amount to pay".
    assert credited("pay-this-box") == {"Leah": "../stories/p07/", "Margaret": "../stories/p21/"}
    # Tom's words were evidence too, but his consent has ended: he is not named.
    assert credited("single-moving-price") == {
        "Kwame": "../stories/diary-p11/",
        "Leah": "../stories/p07/",
    }
    assert "Tom" not in md

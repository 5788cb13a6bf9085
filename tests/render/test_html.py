"""`render.html`: markup safe by construction."""

from __future__ import annotations

from markupsafe import Markup

from immersion.render.html import EMPTY, attrs, block, join, markdown_block, ol, tag, ul, void

SCRIPT = '<script>alert("x")</script>'


def test_a_plain_string_is_text() -> None:
    assert tag("p", SCRIPT) == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>"
    assert isinstance(tag("p", "x"), Markup)


def test_markup_nests_as_it_is() -> None:
    assert tag("p", tag("b", "<i>")) == "<p><b>&lt;i&gt;</b></p>"
    assert tag("p", Markup("<br>")) == "<p><br></p>"


def test_join_keeps_markup_and_escapes_text_and_separators() -> None:
    joined = join([tag("b", "a"), "<c>", EMPTY], " & ")
    assert joined == "<b>a</b> &amp; &lt;c&gt; &amp; "
    assert join([tag("i", "x")], void("br")) == "<i>x</i>"
    assert join(["a", "b"], void("br")) == "a<br>b"
    # `"".join` would give a plain str, which a tag then shows as text.
    assert tag("p", "".join([tag("b", "a")])) == "<p>&lt;b&gt;a&lt;/b&gt;</p>"


def test_attributes_escape_quotes_and_markup() -> None:
    assert attrs(title='"><img src=x onerror=alert(1)>') == (
        ' title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'
    )
    assert attrs(alt="it's") == ' alt="it&#x27;s"'
    assert attrs(class_="a", data_for="b", hidden=True, skip=None, off=False) == (
        ' class="a" data-for="b" hidden'
    )
    assert void("img", src="a b.jpg", alt="<x>") == '<img src="a b.jpg" alt="&lt;x&gt;">'


def test_lists_and_blocks() -> None:
    assert ul([]) == EMPTY and ol([]) == EMPTY
    assert (
        ul(["<a>", tag("b", "c")], "k") == '<ul class="k"><li>&lt;a&gt;</li><li><b>c</b></li></ul>'
    )
    assert ol(["x"]) == "<ol><li>x</li></ol>"
    assert block(tag("p", "a\nb")) == "\n\n<p>a b</p>\n\n"
    assert block(EMPTY) == ""


def test_a_markdown_block_holds_page_text_under_our_head() -> None:
    text = markdown_block("article", "\n\nbody\n\n", tag("dl", "<h>"), class_="im-letter")
    assert text == (
        '\n\n<article class="im-letter" markdown>\n<dl>&lt;h&gt;</dl>\n\n\nbody\n\n\n</article>\n\n'
    )
    assert markdown_block("div", "b") == "\n\n<div markdown>\nb\n</div>\n\n"

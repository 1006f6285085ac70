from stagecraft.web.markdown import render_markdown


def test_markdown_renders_headings_code_and_tables():
    html = render_markdown("# Title\n\nSome `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h1>Title</h1>" in html
    assert "<code>code</code>" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_raw_html_is_escaped_not_run():
    html = render_markdown('<script>alert("x")</script>\n\n<img src=x onerror=alert(1)>')
    html = str(html)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_dangerous_link_schemes_are_dropped():
    html = render_markdown("[click](javascript:alert(1)) and [ok](https://example.org)")
    assert 'href="javascript' not in html and '<a href="https://example.org"' in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html

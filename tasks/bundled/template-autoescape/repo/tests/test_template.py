import pytest

from minitmpl import Markup, Template, TemplateError, render


def test_variables_and_dotted_lookup():
    class User:
        name = "ada"

    assert render("Hi {{ user.name | title }}!", user=User()) == "Hi Ada!"
    assert render("{{ a.b }}", {"a": {"b": 3}}) == "3"


def test_comments_removed():
    assert render("a{# hidden #}b") == "ab"


def test_filters_with_arguments():
    assert render("{{ xs | join: / }}", xs=[1, 2]) == "1/2"
    assert render("{{ s | truncate: 4 }}", s="abcdefgh") == "abc…"
    assert render("{{ missing | default: n/a }}") == "n/a"


def test_undefined_lenient_and_strict():
    assert Template("[{{ nope }}]").render() == "[]"
    with pytest.raises(TemplateError):
        Template("{{ nope }}", strict=True).render()


def test_unknown_filter():
    with pytest.raises(TemplateError):
        Template("{{ x | shout }}")


def test_render_function_escapes():
    assert render("{{ v }}", v="<b>") == "&lt;b&gt;"


def test_autoescape_can_be_disabled():
    assert Template("{{ v }}", autoescape=False).render(v="<b>") == "<b>"


def test_markup_not_escaped_twice():
    assert render("{{ v }}", v=Markup("<i>x</i>")) == "<i>x</i>"


def test_template_escapes_by_default():
    t = Template("<p>{{ comment }}</p>")
    assert t.render(comment="<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"

"""Full justification of wrapped text."""

from __future__ import annotations

from .wrap import wrap


def justify(line: str, width: int) -> str:
    """Pad the gaps between words of ``line`` so it is exactly ``width`` wide.

    Extra spaces go to the leftmost gaps first.  A line with a single word,
    or one already at least ``width`` long, is returned unchanged.
    """
    words = line.split()
    if len(words) < 2 or len(line) >= width:
        return line
    gaps = len(words) - 1
    spaces = width - sum(len(w) for w in words)
    base, extra = divmod(spaces, len(words))
    out = []
    for i, word in enumerate(words[:-1]):
        out.append(word)
        out.append(" " * (base + (1 if i < extra else 0)))
    out.append(words[-1])
    return "".join(out)


def fill(text: str, width: int = 70, justify: bool = False, **kwargs) -> str:
    """Wrap each paragraph of ``text`` and join the lines with newlines.

    Paragraphs are separated by blank lines and stay separated by one blank
    line.  With ``justify=True`` every line except the last of each paragraph
    is justified to ``width``.
    """
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    rendered = []
    for para in paragraphs:
        lines = wrap(para, width, **kwargs)
        if justify:
            lines = [_justify_keep_indent(l, width) for l in lines[:-1]] + lines[-1:]
        rendered.append("\n".join(lines))
    return "\n\n".join(rendered)


def _justify_keep_indent(line: str, width: int) -> str:
    stripped = line.lstrip(" ")
    lead = line[: len(line) - len(stripped)]
    return lead + justify(stripped, width - len(lead))

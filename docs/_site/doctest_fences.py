"""A Markdown extension for the API pages: docstrings' ``>>>`` examples shown as code.

Google-style docstrings put doctest examples in plain paragraphs; Markdown would read ``>``
as a quote and ``[1.0, 2.0]`` as a link. Each run of lines from a ``>>>`` line to the next
blank line becomes a fenced ``pycon`` block. Used by mkdocs.yml (docs/build puts this folder on
the import path).
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

_PROMPT = re.compile(r"^(\s*)>>> ")


class _Fences(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        inside = False
        fence = False
        for line in lines:
            if line.lstrip().startswith("```"):
                fence = not fence
            if not inside and not fence and _PROMPT.match(line):
                out += ["", "```pycon"]
                inside = True
            elif inside and not line.strip():
                out.append("```")
                inside = False
            out.append(line)
        if inside:
            out.append("```")
        return out


class DoctestFences(Extension):
    """Register the preprocessor (before the fenced-code one of superfences)."""

    def extendMarkdown(self, md) -> None:
        """Run before superfences' own preprocessor (priority 40 > its 30)."""
        md.preprocessors.register(_Fences(md), "doctest_fences", 40)


def makeExtension(**kwargs) -> DoctestFences:
    """Markdown's entry point for ``markdown_extensions: [doctest_fences]``."""
    return DoctestFences(**kwargs)

"""Untrusted text shown to people, with the characters that could disguise it made visible.

Article text, titles and file names come from the open web. A right-to-left override (U+202E)
makes "\u202egnp.exe" display as "exe.png"; other bidi controls reorder what follows them; an
escape sequence in a terminal can rewrite the screen. Wherever such text is shown (the report,
the CLI's tables and errors), these characters appear as ``[U+202E]`` instead of acting.
"""

from __future__ import annotations

import re

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): the characters that
# reorder text. The marks (U+200E, U+200F, U+061C) only nudge neutral punctuation and are
# common in right-to-left text, so they stay.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# Also C0 and C1 controls but tab and newline, for terminals.
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def _code_point(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def visible_bidi(text: str) -> str:
    """``text`` with every bidi embedding, override and isolate shown as ``[U+XXXX]``."""
    return _BIDI.sub(_code_point, text)


def visible_controls(text: str) -> str:
    """``text`` for a terminal: control characters (but tab and newline) and bidi controls
    shown as ``[U+XXXX]``."""
    return _TERMINAL.sub(_code_point, text)

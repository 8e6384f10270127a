"""The scanner and recursive-descent helpers the BIF and NET readers share.

Tokens are found lazily, one :meth:`Scanner.peek` at a time, so that a syntax error names the
line it is on; large number tables take a fast path (one regex, one split).
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from ...errors import ModelError
from ._common import RawNet, to_float


class Token(NamedTuple):
    kind: str  # word, str, punct, eof
    value: str
    line: int
    start: int
    end: int

    def describe(self) -> str:
        return (
            "end of file"
            if self.kind == "eof"
            else repr(self.value if self.kind != "str" else f'"{self.value}"')
        )


_SPACE = re.compile(r"\s*")
_NUMBERS_ONLY = re.compile(r"[\s,0-9.eE+\-]*")


class Scanner:
    """A lazy scanner and the helpers of a recursive-descent parser for BIF and NET."""

    def __init__(self, text: str, pattern: re.Pattern[str], raw: RawNet) -> None:
        self.text = text
        self.pattern = pattern
        self.raw = raw
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self._peeked: Token | None = None

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self.newlines, offset) + 1

    def peek(self) -> Token:
        if self._peeked is None:
            pos = self.pos
            while True:
                pos = _SPACE.match(self.text, pos).end()  # type: ignore[union-attr]
                if pos >= len(self.text):
                    self._peeked = Token("eof", "", self.line(pos), pos, pos)
                    break
                m = self.pattern.match(self.text, pos)
                assert m is not None  # the last alternative matches any other character
                kind = m.lastgroup or "punct"
                if kind == "open":
                    raise self.raw.fail(
                        "a /* comment is never closed",
                        self.line(pos),
                        fix="close it with */ or check the file is complete",
                    )
                if kind == "ustr":
                    raise self.raw.fail(
                        "a quoted string is never closed",
                        self.line(pos),
                        fix='add the closing " or check the file is complete',
                    )
                if kind == "com":
                    pos = m.end()
                    continue
                value = m.group()[1:-1] if kind == "str" else m.group()
                self._peeked = Token(kind, value, self.line(pos), pos, m.end())
                break
        return self._peeked

    def next(self) -> Token:
        t = self.peek()
        self._peeked = None
        self.pos = t.end
        return t

    def error(self, expected: str, tok: Token | None = None) -> ModelError:
        tok = tok or self.peek()
        fix = (
            "the file ends too early: it may be truncated"
            if tok.kind == "eof"
            else f"check the {self.raw.fmt.upper()} syntax near this line"
        )
        return self.raw.fail(
            f"syntax error: expected {expected}", tok.line, found=tok.describe(), fix=fix
        )

    def accept(self, value: str) -> bool:
        t = self.peek()
        if t.kind in ("punct", "word") and t.value == value:
            self.next()
            return True
        return False

    def expect(self, value: str) -> Token:
        t = self.peek()
        if t.kind in ("punct", "word") and t.value == value:
            return self.next()
        raise self.error(f"'{value}'")

    def name(self, what: str = "a name") -> Token:
        t = self.peek()
        if t.kind in ("word", "str"):
            return self.next()
        raise self.error(what)

    def numbers(self, what: str, *, parens: bool = False) -> list[float]:
        """Numbers (separated by spaces or commas; in nested parentheses when ``parens``) up
        to and including the next ';'. Large tables take the fast path: one regex, one split."""
        self._peeked = None
        end = self.text.find(";", self.pos)
        chunk = self.text[self.pos : end] if end >= 0 else ""
        flat = chunk.replace("(", " ").replace(")", " ") if parens else chunk
        if (
            end >= 0
            and _NUMBERS_ONLY.fullmatch(flat)
            and (not parens or chunk.count("(") == chunk.count(")"))
        ):
            try:
                values = [float(x) for x in flat.replace(",", " ").split()]
            except ValueError:
                pass
            else:
                self.pos = end + 1
                return values
        values = []  # the slow path finds the offending token and its line
        depth = 0
        while True:
            t = self.next()
            if t.kind == "punct" and t.value == ";" and depth == 0:
                return values
            if parens and t.kind == "punct" and t.value in "()":
                depth += 1 if t.value == "(" else -1
                if depth < 0:
                    raise self.error("a number or ';'", t)
            elif t.kind == "word":
                values.append(to_float(t.value, self.raw, t.line, what))
            elif not (t.kind == "punct" and t.value == ","):
                raise self.error("a number or ';'", t)

    def raw_until_semicolon(self) -> tuple[str, int]:
        """Source text up to the next ';' (for BIF properties, whose text is free)."""
        first = self.peek()
        while not (self.peek().kind == "punct" and self.peek().value == ";"):
            if self.peek().kind == "eof":
                raise self.error("';' to end the property")
            self.next()
        end = self.next()
        return self.text[first.start : end.start].strip(), first.line

"""Glob patterns as IAM uses them: ``*`` any run of characters, ``?`` exactly one.

Actions compare case-insensitively, resources and most condition values
case-sensitively (spec §2.3, §2.4, §2.5). A ``*`` spans every character,
``/`` and ``:`` included; ArnLike's segment rule is applied by its caller
(``conditions._arn_like``), which splits both sides at colons first.

Matching is bounded (issue 8): no regular expression is built from a pattern.
A pattern is cut at its ``*`` into fixed-length *segments* (literal text with
``?`` at known offsets). The first segment must sit at the start of the value,
the last at its end, and each one between is placed at its leftmost
occurrence after the previous one: with fixed-length pieces the leftmost
occurrence ends earliest, so it never rules out a match a later one would
allow, and no choice is ever revisited. Every value position is scanned by at
most one segment search, so a match costs O(len(value) × longest segment) at
worst, O(len(value)) for patterns whose segments have no ``?`` (the scan is
``str.find``). See docs/decisions/engine-glob-matcher.md.

Patterns are compiled once and cached, because the same few patterns are
matched millions of times in analysis. Compiling picks the cheapest test for
the pattern's shape: ``==`` for a literal, ``startswith`` for ``abc*``,
``endswith`` for ``*abc``, ``in`` for ``*abc*``; a set of patterns
(``compile_glob_set``) tests all its literals with one set lookup and all its
prefixes with one ``startswith`` call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

try:  # the table behind re.IGNORECASE's extra equivalences ("s" ~ "ſ", "i" ~ "ı")
    from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older or other Pythons: plain lower-casing
    _EXTRA_CASES = {}

#: Outside Latin-1, ``?``-segments up to this length may use Shift-And (its
#: masks take up to length² / 8 bytes); longer ones, beyond every AWS policy
#: quota, keep the O(len(value) × length) anchor search.
SCAN_SEGMENT_LENGTH = 8192

#: Latin-1 windows use the lane scan (``_Segment._lanes``); False leaves them to
#: Shift-And (tests turn it off to check that path too).
LANES = True

#: The lane scan's first window (at least 16 × the segment); each next one is twice as long.
_FIRST_CHUNK = 4096


def _latin1(value: str, start: int, end: int) -> bool:
    """Is ``value[start:end]`` all Latin-1? (no copy when the whole string is ASCII)"""
    if value.isascii():
        return True
    return max(value[start:end], default="\x00") <= "\xff"


#: A lane scan left with this many candidates checks them one by one.
_FEW_CANDIDATES = 64

#: ``translate`` tables: byte ``c`` → ``b"1"``, every other byte → ``b"0"``.
_ONE_HOT = tuple(b"0" * c + b"1" + b"0" * (255 - c) for c in range(256))  # built per byte: 30 ms of import time

#: Run checks an anchor search may spend beyond one per four value positions
#: before it hands over to the bit-parallel scan (a constant, so tests can force the scan).
ANCHOR_CHECKS = 256

#: value -> does it match (the value already folded when the pattern ignores case)
Matcher = Callable[[str], bool]

#: A pattern as pieces of text: ``(text, literal)``. ``literal`` text is matched
#: as written (a ``*`` or ``?`` in it is just a character): it is what policy
#: variables insert (spec §2.8). Other text is a glob.
Pieces = tuple[tuple[str, bool], ...]


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


# --- case folding -----------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character's case class, exactly as ``re.IGNORECASE`` compares characters.

    ``re`` compares simple lower-case mappings (``ch.lower()[0]``: only U+0130
    has a longer full mapping, and its first character is its simple one) plus
    the equivalences in ``re._casefix``; the smallest member names the class.
    The action matcher used ``re.IGNORECASE`` before, so this keeps its answers.
    """
    lo = ch.lower()[0]
    extra = _EXTRA_CASES.get(ord(lo))
    return min(lo, *map(chr, extra)) if extra else lo


def fold(text: str) -> str:
    """Case-fold ``text`` character by character (length kept, so ``?`` still counts one)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


# --- compiling ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Segment:
    """Pattern text between two ``*``: ``size`` characters, literal ``runs`` at offsets.

    The gaps between runs are ``?`` wildcards. ``anchor`` is the longest run,
    the one ``str.find`` looks for; ``rest`` are the others, checked in place.
    When a value keeps offering the anchor without the rest (``a?a?a?…b``
    against ``aaaa…``), ``find`` switches to a bit-parallel scan (``_scan``).
    """

    size: int
    runs: tuple[tuple[int, str], ...]
    anchor: tuple[int, str] | None
    rest: tuple[tuple[int, str], ...]
    #: each literal character → its offsets (for the lane scan; empty when there is no ``?``)
    offsets: tuple[tuple[str, tuple[int, ...]], ...]

    @classmethod
    def of(cls, chars: list[str | None]) -> _Segment:
        """``chars``: one entry per position, ``None`` for a ``?``."""
        runs: list[tuple[int, str]] = []
        start = -1
        for i, ch in enumerate([*chars, None]):
            if ch is not None and start < 0:
                start = i
            elif ch is None and start >= 0:
                runs.append((start, "".join(c for c in chars[start:i] if c is not None)))
                start = -1
        anchor = max(runs, key=lambda r: len(r[1])) if runs else None
        rest = tuple(r for r in runs if r is not anchor)
        offsets: dict[str, list[int]] = {}
        if rest:
            for k, ch in enumerate(chars):
                if ch is not None:
                    offsets.setdefault(ch, []).append(k)
        return cls(len(chars), tuple(runs), anchor, rest, tuple((c, tuple(o)) for c, o in offsets.items()))

    @property
    def literal(self) -> str | None:
        """The segment's text when it has no ``?`` (``""`` for an empty one), else None."""
        if self.anchor is None:
            return "" if self.size == 0 else None
        return self.anchor[1] if len(self.anchor[1]) == self.size else None

    def at(self, value: str, i: int) -> bool:
        """Does the segment sit at ``value[i:i + size]``? (the caller checked the length)"""
        for off, text in self.runs:
            if not value.startswith(text, i + off):
                return False
        return True

    def find(self, value: str, start: int, end: int) -> int:
        """Leftmost ``i`` in ``[start, end - size]`` where the segment sits, or -1.

        Each candidate comes from ``str.find`` of the anchor run and moves
        ``start`` forward, so the scan never passes a position twice. The run
        checks spent on failed candidates may grow by one per four positions
        passed (plus ``ANCHOR_CHECKS``); beyond that the search goes on by
        ``_scan``, so a pattern of many such segments costs no more in checks.
        """
        last = end - self.size
        if self.anchor is None:  # only ``?``: any position will do
            return start if start <= last else -1
        off, text = self.anchor
        width = len(text)
        rest = self.rest
        origin = start
        spent = 0
        scan = True
        while start <= last:
            j = value.find(text, start + off, last + off + width)
            if j < 0:
                return -1
            i = j - off
            for roff, rtext in rest:
                if not value.startswith(rtext, i + roff):
                    break
            else:
                return i
            start = i + 1
            spent += len(rest)
            if scan and spent > (start - origin) // 4 + ANCHOR_CHECKS:
                got = self._scan(value, start, end)
                if got is not None:
                    return got
                scan = False  # no scan suits this value: finish the anchor search
        return -1

    def _scan(self, value: str, start: int, end: int) -> int | None:
        """``find`` by bit-parallel means, whatever the value holds; None if none suits it.

        A Latin-1 window (every policy document is Latin-1, and so is most
        request text) takes ``_lanes``; another takes Shift-And when the
        segment is short enough for its masks.
        """
        if end - start < self.size:
            return -1
        if LANES and _latin1(value, start, end):
            # windows of doubling length: a fit near ``start`` costs little, and the
            # whole search at most twice one scan of ``[start, end)``
            chunk = max(_FIRST_CHUNK, 16 * self.size)  # keeps the per-window overhead (size steps) small
            while start <= end - self.size:
                stop = min(end, start + chunk + self.size - 1)
                window = value[start:stop]
                got = self._lanes(window, window.encode("latin-1"))
                if got >= 0:
                    return start + got
                start = stop - self.size + 1
                chunk *= 2
            return -1
        if self.size <= SCAN_SEGMENT_LENGTH:
            got = self._shift_and(value[start:end])
            return got if got < 0 else start + got
        return None

    def _lanes(self, window: str, raw: bytes) -> int:
        """Leftmost fit in a Latin-1 window, every start position at once.

        For each character ``c`` of the segment, an integer whose bit ``j`` says
        ``window[j] == c`` (``bytes.translate`` to ``0``/``1`` digits, read in
        base 2, both linear); the fits are the AND of those integers shifted by
        the character's offsets. O(n × size / 64) word operations, in C, and
        O(n / 8) bytes whatever the segment's length. The rarest character
        goes first, and once few candidates are left they are checked in place.
        """
        n = len(window)
        columns = []
        for ch, offsets in self.offsets:
            code = ord(ch)
            if code > 255:
                return -1  # the character is not in a Latin-1 window
            bits = int(raw.translate(_ONE_HOT[code])[::-1], 2)
            columns.append((bits.bit_count(), bits, offsets))
        columns.sort(key=lambda c: c[0])
        hits = (1 << (n - self.size + 1)) - 1
        for _, bits, offsets in columns:
            for k in offsets:
                hits &= bits >> k
                if not hits:
                    return -1
            if hits.bit_count() <= _FEW_CANDIDATES:
                while hits:
                    low = hits & -hits
                    i = low.bit_length() - 1
                    if self.at(window, i):
                        return i
                    hits ^= low
                return -1
        return (hits & -hits).bit_length() - 1

    def _shift_and(self, window: str) -> int:
        """``find`` by Shift-And (Baeza-Yates & Gonnet): one step per value character.

        Bit ``k`` of ``state`` says "the segment's first ``k + 1`` characters end
        here". A step costs O(size / word size), so a search is
        O((end - start) × size / 64) whatever the value holds. Masks are made
        for the segment's own characters; any other character matches only a ``?``.
        """
        wild = (1 << self.size) - 1
        for off, text in self.runs:
            wild &= ~(((1 << len(text)) - 1) << off)
        chars: dict[str, int] = {}
        for off, text in self.runs:
            for k, ch in enumerate(text, off):
                chars[ch] = chars.get(ch, wild) | (1 << k)
        mask = chars.get
        accept = 1 << (self.size - 1)
        state = 0
        for j, ch in enumerate(window):
            state = ((state << 1) | 1) & mask(ch, wild)
            if state & accept:
                return j - self.size + 1
        return -1


def _segments(pieces: Pieces, ignore_case: bool) -> list[_Segment]:
    """The pattern cut at each ``*`` (so there is one more segment than stars)."""
    segments: list[_Segment] = []
    cur: list[str | None] = []
    for text, literal in pieces:
        if ignore_case:
            text = fold(text)
        if literal:
            cur.extend(text)
            continue
        for ch in text:
            if ch == "*":
                segments.append(_Segment.of(cur))
                cur = []
            elif ch == "?":
                cur.append(None)
            else:
                cur.append(ch)
    segments.append(_Segment.of(cur))
    # ``**`` is ``*``: drop the empty segments between stars (never the first or last)
    return [segments[0], *(s for s in segments[1:-1] if s.size), segments[-1]] if len(segments) > 2 else segments


def _fits_at(runs: tuple[tuple[int, str], ...]) -> Callable[[str, int], bool]:
    """``(value, i) -> do the runs sit at value[i + offset]``, unrolled for one or two runs."""
    if len(runs) == 1:
        (o1, t1), = runs
        return lambda v, i: v.startswith(t1, i + o1)
    if len(runs) == 2:
        (o1, t1), (o2, t2) = runs
        return lambda v, i: v.startswith(t1, i + o1) and v.startswith(t2, i + o2)

    def fits(v: str, i: int) -> bool:
        for off, text in runs:
            if not v.startswith(text, i + off):
                return False
        return True

    return fits


def _matcher(segs: list[_Segment]) -> Matcher:
    """The cheapest test for this shape of pattern (values arrive already folded).

    Closures over local names only: the ordinary shapes (a literal, ``abc*``,
    ``*abc``, ``a*b``, ``arn:…:*:…:*``) cost a few ``str`` method calls.
    """
    first = segs[0]
    if len(segs) == 1:
        text = first.literal
        if text is not None:
            return text.__eq__  # no wildcard at all
        size = first.size
        if not first.runs:
            return lambda v: len(v) == size
        fits = _fits_at(first.runs)
        return lambda v: len(v) == size and fits(v, 0)
    last = segs[-1]
    middle = segs[1:-1]
    head, tail = first.literal, last.literal
    plain_middle = all(s.literal is not None for s in middle)
    if head is not None and tail is not None and plain_middle:  # no ``?`` anywhere
        if not middle:
            if not head and not tail:
                return lambda v: True
            if not tail:
                return lambda v: v.startswith(head)
            if not head:
                return lambda v: v.endswith(tail)
            least = len(head) + len(tail)
            return lambda v: len(v) >= least and v.startswith(head) and v.endswith(tail)
        if len(middle) == 1 and not head and not tail:
            inner = middle[0].literal or ""
            return lambda v: inner in v
    hs, ts = first.size, last.size
    least = hs + ts
    if not middle and tail == "" and head is None:  # ``arn:…/?/*``: a head with ``?``, then anything
        fits = _fits_at(first.runs)
        return lambda v: len(v) >= hs and fits(v, 0)
    head_fits = None if head is not None or not first.runs else _fits_at(first.runs)
    tail_fits = None if tail is not None or not last.runs else _fits_at(last.runs)
    head_text = head or ""
    tail_text = tail or ""
    if plain_middle:
        pieces = tuple((s.literal or "", s.size) for s in middle)

        def plain(v: str) -> bool:
            n = len(v)
            if n < least:
                return False
            if head_fits is None:
                if not v.startswith(head_text):
                    return False
            elif not head_fits(v, 0):
                return False
            end = n - ts
            if tail_fits is None:
                if not v.endswith(tail_text):
                    return False
            elif not tail_fits(v, end):
                return False
            pos = hs
            for text, size in pieces:
                i = v.find(text, pos, end)
                if i < 0:
                    return False
                pos = i + size
            return True

        return plain

    def general(v: str) -> bool:
        n = len(v)
        if n < least:
            return False
        end = n - ts
        if not first.at(v, 0) or not last.at(v, end):
            return False
        pos = hs
        for seg in middle:
            i = seg.find(v, pos, end)
            if i < 0:
                return False
            pos = i + seg.size
        return True

    return general


@dataclass(frozen=True, slots=True)
class Glob:
    """One compiled pattern: ``match(value)`` says whether the whole value matches."""

    text: str
    ignore_case: bool
    match: Matcher


def _glob(text: str, pieces: Pieces, ignore_case: bool) -> Glob:
    test = _matcher(_segments(pieces, ignore_case))
    if ignore_case:
        return Glob(text, True, lambda v: test(v.lower() if v.isascii() else fold(v)))
    return Glob(text, False, test)


#: Longer patterns are compiled on every use instead of cached: compiling is
#: linear in the pattern, and the caches must not hold a few GB of hostile text.
CACHED_PATTERN_LENGTH = 2048


@lru_cache(maxsize=65536)
def _cached_glob(pattern: str, ignore_case: bool) -> Glob:
    return _glob(pattern, ((pattern, False),), ignore_case)


@lru_cache(maxsize=16384)
def _cached_pieces(pieces: Pieces, ignore_case: bool) -> Glob:
    return _glob("".join(t for t, _ in pieces), pieces, ignore_case)


def compile_glob(pattern: str, ignore_case: bool = False) -> Glob:
    """Whole-string matcher for one glob (``*`` spans ``/`` and ``:``)."""
    if len(pattern) <= CACHED_PATTERN_LENGTH:
        return _cached_glob(pattern, ignore_case)
    return _glob(pattern, ((pattern, False),), ignore_case)


def compile_pieces(pieces: Pieces, ignore_case: bool = False) -> Glob:
    """Whole-string matcher for a pattern whose variables were resolved (see ``Pieces``)."""
    if sum(len(t) for t, _ in pieces) <= CACHED_PATTERN_LENGTH:
        return _cached_pieces(pieces, ignore_case)
    return _glob("".join(t for t, _ in pieces), pieces, ignore_case)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return compile_glob(pattern, ignore_case).match(value)


@dataclass(frozen=True, slots=True)
class GlobSet:
    """Several patterns, one question: does any of them match the value?"""

    patterns: tuple[str, ...]
    ignore_case: bool
    match: Matcher


def compile_glob_set(patterns: tuple[str, ...], ignore_case: bool) -> GlobSet:
    """One test for a whole list of globs.

    Literal patterns become one set lookup, ``abc*`` patterns one
    ``startswith`` with a tuple, ``*abc`` one ``endswith``; the rest are tried
    in turn. A bare ``*`` matches everything.
    """
    if sum(map(len, patterns)) <= CACHED_PATTERN_LENGTH:
        return _cached_glob_set(patterns, ignore_case)
    return _glob_set(patterns, ignore_case)


@lru_cache(maxsize=16384)
def _cached_glob_set(patterns: tuple[str, ...], ignore_case: bool) -> GlobSet:
    return _glob_set(patterns, ignore_case)


def _glob_set(patterns: tuple[str, ...], ignore_case: bool) -> GlobSet:
    exact: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    others: list[Matcher] = []
    for p in patterns:
        segs = _segments(((p, False),), ignore_case)
        text = [s.literal for s in segs]
        if len(segs) == 1 and text[0] is not None:
            exact.add(text[0])
        elif len(segs) == 2 and text[1] == "" and text[0] is not None:
            if not text[0]:
                return GlobSet(patterns, ignore_case, lambda v: True)
            prefixes.append(text[0])
        elif len(segs) == 2 and text[0] == "" and text[1] is not None:
            suffixes.append(text[1])
        else:
            others.append(_matcher(segs))
    test = _any_of(frozenset(exact), tuple(prefixes), tuple(suffixes), tuple(others))
    if ignore_case:
        return GlobSet(patterns, True, lambda v: test(v.lower() if v.isascii() else fold(v)))
    return GlobSet(patterns, False, test)


def _any_of(
    exact: frozenset[str], prefixes: tuple[str, ...], suffixes: tuple[str, ...], others: tuple[Matcher, ...]
) -> Matcher:
    if not suffixes and len(others) <= 1:
        other = others[0] if others else None
        if not prefixes:
            if other is None:
                return exact.__contains__
            return lambda v: v in exact or other(v)
        if other is None:
            if not exact:
                return lambda v: v.startswith(prefixes)
            return lambda v: v in exact or v.startswith(prefixes)
        return lambda v: v in exact or v.startswith(prefixes) or other(v)

    def test(v: str) -> bool:
        if v in exact or (prefixes and v.startswith(prefixes)) or (suffixes and v.endswith(suffixes)):
            return True
        for m in others:
            if m(v):
                return True
        return False

    return test

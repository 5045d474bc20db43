"""What a memory states: the (subject, attribute, value) claims and the planned things read from its clauses.

Claims come from the attribute table (``_attributes``), from tool names ("switched to Neovim") and from typed values
(a phone number, an email address) however they are introduced; the clause's cues (``_cues``) mark them negated,
added or part-time, or drop them (questions, wishes, plans). Pure functions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..memory.text import clean
from . import _events
from ._attributes import DIET, ROWS, SCHOOL, Row, generic_kind
from ._cues import ADDITIVE, CHANGE, EVENT_CHANGE, EVENT_IRREALIS, IRREALIS, NEGATION, PARTIAL, QUESTION, clauses
from ._subjects import USER, Subject, first_person, parse_prefix
from ._values import extract

_TOOLS = {
    "editor": "vs code|vscode|visual studio code|neovim|vim|emacs|sublime text|sublime|pycharm|intellij|atom|zed|"
              "helix|nano|notepad\\+\\+|cursor|webstorm",
    "browser": "chrome|firefox|safari|edge|brave|opera|vivaldi|arc browser",
    "operating system": "windows|macos|mac os|linux|ubuntu|fedora|debian|arch linux|chromeos|chrome os",
    "phone": "iphone|pixel|android|samsung galaxy|galaxy|oneplus",
    "notes app": "evernote|obsidian|notion|onenote|apple notes|bear|roam|logseq",
    "music service": "spotify|apple music|tidal|deezer|youtube music|pandora",
    "streaming service": "netflix|hulu|disney\\+|disney plus|hbo max|prime video|apple tv\\+|"
                         "paramount\\+",
    "ticket tracker": "jira|linear|asana|trello|github issues|clickup",
    "photo editor": "lightroom|capture one|darktable|photoshop",
    "password manager": "lastpass|1password|bitwarden|dashlane|keepass",
    "email service": "gmail|fastmail|outlook|protonmail|proton mail|yahoo mail",
    "e-reader": "kindle|kobo",
}
_TOOL_CATEGORY = {alias.replace("\\", ""): cat for cat, names in _TOOLS.items() for alias in names.split("|")}
_TOOL = re.compile(
    r"\b(?P<verb>use|uses|using|switched\s+(?:over\s+)?to|moved\s+to|migrated\s+to|went\s+back\s+to|runs|running|"
    r"is\s+now|is\s+an?|is|in|on|to|from|prefer|prefers|:)\s+(?:an?\s+|the\s+|my\s+)?(?P<tool>"
    + "|".join(sorted((a for a in _TOOL_CATEGORY), key=len, reverse=True)).replace("+", "\\+") + r")\b",
    re.IGNORECASE,
)
_TOOL_SUBJECT = re.compile(r"\s*(?:(?:so|and|but|now)\s+)?(the\s+team|(?:my|our)\s+\w+(?:'s)?(?:\s+(?-i:[A-Z])\w+)?|"
                           r"(?-i:[A-Z])\w+(?:'s)?|i|we|i'm|i've|we've)\b", re.IGNORECASE)
_TOOL_VERB = re.compile(r"\b(?:switched|moved|migrated|changed|upgraded|downgraded|went|runs|take|edit|write|"
                        r"writing|code|coding|programming|read|listen|watch|stream|is)\b", re.IGNORECASE)
_WORDS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_SCOPE = re.compile(r"\s+(?:for|in)\s+((?:all\s+)?(?:my\s+|the\s+)?[\w#+-]+)", re.IGNORECASE)
_FOR_NAME = re.compile(r"\s*(?:plan\s+|tier\s+|account\s+)?(?:for|with|on)\s+(?:the\s+|my\s+|our\s+)?"
                       r"((?-i:[A-Z])[\w+.-]+)", re.IGNORECASE)
_AFTER_CHARS = 120  # of a clause read for the value after an attribute phrase (a value is at most 60 long)
_PURPOSES = {"coding": "code", "programming": "code", "development": "code", "dev": "code", "work": "work"}
_PHONE_VALUE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
_EMAIL_VALUE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT = re.compile(r"\b(?:phone|number|cell|mobile|reach|reached|call|text|whatsapp|contact)\b", re.IGNORECASE)
_MAIL = re.compile(r"\b(?:e-?mail|mail|reach|reached|contact|write)\b", re.IGNORECASE)
_TO_ME = re.compile(r"^\W*(?:please\s+)?(?:e-?mail|call|text|reach|contact|message|whatsapp)\s+me\b", re.IGNORECASE)
_PAST = frozenset({"old", "previous", "former"})
_QUALIFIED = re.compile(r"\b(work|office|business|landline|fax|school|company|team|support|billing|guest|old|"
                        r"previous|former)\s+(?:phone|number|e-?mail|line|address)\b", re.IGNORECASE)
_ALIASES = {"vscode": "vs code", "visual studio code": "vs code", "sublime": "sublime text", "mac os": "macos",
            "chrome os": "chromeos", "proton mail": "protonmail", "galaxy": "samsung galaxy"}


@dataclass(frozen=True, slots=True)
class Claim:
    attribute: str
    kind: str
    single: bool
    subject: Subject
    value: str | None
    negated: bool = False
    additive: bool = False
    scope: str = ""    # what a tool is for ("java"): two different scopes are two attributes


@dataclass(frozen=True, slots=True)
class Statement:
    """Everything one memory says that the judge compares."""

    claims: tuple[Claim, ...]
    events: tuple[tuple[_events.Event, bool], ...]   # (event, stated as an addition)
    change_cue: bool
    event_change_cue: bool = False


def _value(row: Row, m: re.Match[str], clause: str) -> tuple[str, str | None] | None:
    kind, groups = row.kind, m.groupdict()
    if groups.get("v"):
        return kind, groups["v"].strip()
    if kind.startswith("fixed:"):
        return "text", kind.removeprefix("fixed:")
    if kind == "none":
        return kind, None
    after = clause[m.end():m.end() + _AFTER_CHARS]
    if kind == "diet":
        d = DIET.match(after)
        return ("text", d.group().casefold().replace(" ", "-")) if d else None
    if kind == "generic":
        kind = generic_kind(_attribute(row, m))
    value = extract("text" if kind in {"ctext", "role"} else kind, after)
    if value and kind == "role":
        value = re.split(r"\s+(?:at|for|with|in|on)\s+", value, maxsplit=1)[0]
    if value is None or (kind == "ctext" and not value[:1].isupper()) or (row.needs and not row.needs.search(value)):
        return None
    return ("text" if kind == "ctext" else kind), value


def _attribute(row: Row, m: re.Match[str]) -> str:
    cat = (m.groupdict().get("cat") or "").casefold()
    cat = re.sub(r"\s+", " ", cat).replace("colour", "color").replace("timezone", "time zone")
    if row.attribute == "favourite":
        return f"favourite {cat.removesuffix('s')}"
    if row.attribute == "name" and cat:
        return {"sur": "last", "family": "last"}.get(cat, cat) + " name"
    return row.attribute or cat.replace("wi-fi", "wifi").replace("paediatrician", "pediatrician")


def _row_claims(clause: str, inherited: Subject | None, negated: bool, additive: bool) -> list[Claim]:
    out, low = [], clause.casefold()
    words = set(_WORDS.findall(low))
    words.update(mark for mark in "#@" if (mark == "@" and "@" in low) or (mark == "#" and _DIGIT.search(low)))
    for row in ROWS:
        if row.gate is not None and row.gate.isdisjoint(words):
            continue
        for m in row.pattern.finditer(clause):
            subject = parse_prefix(clause[: m.start()], inherited)
            if subject is None and row.attribute == "*":
                subject = _tool_subject(clause, inherited)  # "I'm learning the piano instead of the guitar"
            if m.groupdict().get("v") and re.search(r"\bmy\b", m.group(), re.IGNORECASE):
                subject = USER  # "Helen is my manager now"
            if re.search(r"\bme\b", m.group(), re.IGNORECASE):  # "call me Kate", not "my sister calls me Lizzie"
                subject = USER if subject is None or subject.kind == "user" else None
            if obj := m.groupdict().get("obj"):
                subject = parse_prefix(f"my {obj}", None) if subject else None
            got = _value(row, m, clause)
            if subject is None or got is None:
                continue
            kind, value = got
            attribute = _attribute(row, m)
            if attribute == "employer" and value and SCHOOL.search(value):
                attribute = "school"
            if attribute == "residence" and value:  # "an apartment in Brooklyn" -> "Brooklyn"
                value = re.sub(r"^(?:(?:an?|the|my|our)\s+)?[\w -]{1,30}?\s+in\s+(?=[A-Z])", "", value)
            neg = row.negative or (negated and not row.kind.startswith("fixed:"))
            scope = _FOR_NAME.match(clause, m.end() + len(value or ""))  # "the Pro plan for Figma"
            out.append(Claim(attribute, kind, row.single, subject, value, neg, additive,
                             scope.group(1).casefold() if scope else ""))
    return out


def _tool_subject(clause: str, inherited: Subject | None) -> Subject | None:
    m = _TOOL_SUBJECT.match(clause)
    if m is None:
        return inherited or USER if re.match(r"\s*(?:switched|moved|use|uses|using|went|\w+:)", clause) else None
    head = m.group(1).casefold()
    if head.endswith("'s") and re.match(r"\s*(?:[\w-]+\s+){0,1}[\w-]+'s\b", clause[m.end():]):
        return None  # "Tom's wife Sara's number": whose it is goes on past the first possessive
    if head.startswith(("my ", "our ", "the team")):
        subject = parse_prefix(m.group(1), None)
        if subject is None and head.startswith(("my ", "our ")) and re.fullmatch(r"(?:my|our) \w+", head):
            return USER  # "my laptop runs Ubuntu"
        return USER if subject is not None and subject.rel == "team" else subject
    return parse_prefix(m.group(1), None)


def _tool_claims(clause: str, inherited: Subject | None, negated: bool, additive: bool) -> list[Claim]:
    out = []
    for m in _TOOL.finditer(clause):
        subject = _tool_subject(clause, inherited)
        verb, tool = m.group("verb").casefold(), m.group("tool").casefold()
        on_it = verb == "on" and re.search(r"(?:'m|\bam|\bis|\bare)\s+on\s+\S+$", clause[: m.end()], re.IGNORECASE)
        if subject is None or (verb in {"to", "on", "in", "is"} and not _TOOL_VERB.search(clause) and not on_it):
            continue
        neg = negated or verb == "from"
        scope = _SCOPE.match(clause, m.end())
        words = [w for w in (scope.group(1).casefold().split() if scope else []) if w not in {"all", "my", "the"}]
        purpose = _PURPOSES.get(words[-1], words[-1]) if words else ""
        out.append(Claim(f"tool: {_TOOL_CATEGORY[tool]}", "text", True, subject, _ALIASES.get(tool, tool), neg,
                         additive, purpose))
    return out


def _typed_claims(clause: str, inherited: Subject | None, negated: bool, additive: bool) -> list[Claim]:
    """Phone numbers and email addresses however they are introduced ("I can be reached at ...")."""
    out = []
    for attribute, value_re, words in (("phone", _PHONE_VALUE, _CONTACT), ("email", _EMAIL_VALUE, _MAIL)):
        values = [v for v in value_re.findall(clause) if attribute == "email" or sum(c.isdigit() for c in v) >= 7]
        qualified = _QUALIFIED.search(clause)
        if len(values) != 1 or not words.search(clause) or (qualified and qualified.group(1).casefold() in _PAST):
            continue
        subject = USER if _TO_ME.search(clause) else _tool_subject(clause, inherited)
        if subject is not None:  # a "work email" is another attribute than "email"
            name = f"{qualified.group(1).casefold()} {attribute}" if qualified else attribute
            out.append(Claim(name, attribute, True, subject, values[0].strip(), negated, additive))
    return out


@functools.lru_cache(maxsize=32768)
def read(text: str) -> Statement:
    """What ``text`` states (cached: a new memory is judged against several candidates, an old one again and again)."""
    text = unicodedata.normalize("NFC", text).strip() if text.isprintable() else clean(text)
    text = text.replace("’", "'").replace("‘", "'")
    text = first_person(text)  # notes an assistant wrote: "User's sister"
    if QUESTION.search(text):
        return Statement((), (), False)
    claims: list[Claim] = []
    events: list[tuple[_events.Event, bool]] = []
    inherited: Subject | None = None
    for clause in clauses(text):
        negated, additive = bool(NEGATION.search(clause)), bool(ADDITIVE.search(clause))
        if not IRREALIS.search(clause):
            partial = additive or bool(PARTIAL.search(clause))
            found = _row_claims(clause, inherited, negated, partial) + _tool_claims(clause, inherited, negated,
                                                                                   partial)
            stated = {c.attribute for c in found}
            found += [c for c in _typed_claims(clause, inherited, negated, partial) if c.attribute not in stated]
            claims.extend(found)
            inherited = found[-1].subject if found else parse_prefix(clause.split(" ", 1)[0], inherited)
        if not EVENT_IRREALIS.search(clause) and (event := _events.find(clause)) is not None:
            events.append((event, additive))
    return Statement(tuple(claims), tuple(events), bool(CHANGE.search(text)), bool(EVENT_CHANGE.search(text)))

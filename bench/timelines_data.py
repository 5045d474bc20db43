"""The labelled timelines of ``bench/data/timelines/`` (schema in bench/README.md): loading and label checks.

A timeline is a sequence of adds one person makes, each labelled with the earlier adds whose fact it makes outdated
(``outdates``) and, for a restatement of a value still true, the adds it restates (``restates``); and questions whose
answer is held by ``current`` (any of those adds) while ``stale`` hold earlier values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "timelines"
KINDS = frozenset({"new", "change", "change_back", "question", "restate", "addition", "lookalike"})
CHANGES = frozenset({"change", "change_back"})  # kinds that must outdate something ("question" may or may not)
KEEPS = frozenset({"new", "restate", "addition", "lookalike"})  # kinds that must outdate nothing


@dataclass(frozen=True, slots=True)
class Add:
    id: str
    text: str
    kind: str
    outdates: tuple[str, ...] = ()
    restates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    q: str
    current: tuple[str, ...]
    stale: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timeline:
    name: str
    held_out: bool
    adds: tuple[Add, ...]
    questions: tuple[Question, ...]


def problems(raw: Any) -> list[str]:
    """What is inconsistent in one timeline's JSON: every label names an earlier add, kinds agree with labels."""
    if not isinstance(raw, dict):
        return ["not a JSON object"]
    out: list[str] = []
    if not isinstance(raw.get("name"), str) or not isinstance(raw.get("held_out"), bool):
        out.append("needs a string 'name' and a boolean 'held_out'")
    adds, questions = raw.get("adds"), raw.get("questions")
    if not isinstance(adds, list) or not adds or not isinstance(questions, list):
        return [*out, "needs a non-empty list 'adds' and a list 'questions'"]
    seen: list[str] = []
    for n, add in enumerate(adds, 1):
        where = f"add {n} ({add.get('id') if isinstance(add, dict) else '?'})"
        if not isinstance(add, dict) or not isinstance(add.get("id"), str) or not isinstance(add.get("text"), str) \
                or not add["text"].strip():
            out.append(f"{where}: needs a string 'id' and a non-empty 'text'")
            continue
        if add["id"] in seen:
            out.append(f"{where}: id used twice")
        kind, outdates, restates = add.get("kind"), add.get("outdates"), add.get("restates", [])
        if kind not in KINDS:
            out.append(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        for field, ids in (("outdates", outdates), ("restates", restates)):
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                out.append(f"{where}: '{field}' must be a list of ids")
                continue
            out += [f"{where}: '{field}' names {i!r}, not an earlier add" for i in ids if i not in seen]
        if kind in CHANGES and not outdates:
            out.append(f"{where}: a {kind} must outdate an earlier add")
        if kind in KEEPS and outdates:
            out.append(f"{where}: a {kind} outdates nothing")
        if kind == "restate" and not restates:
            out.append(f"{where}: a restate names what it restates")
        seen.append(add["id"])
    for n, question in enumerate(questions, 1):
        if not isinstance(question, dict) or not isinstance(question.get("q"), str) \
                or not isinstance(question.get("current"), list) or not question["current"] \
                or not isinstance(question.get("stale", []), list):
            out.append(f"question {n}: needs a string 'q', a non-empty list 'current' and a list 'stale'")
            continue
        ids = [*question["current"], *question.get("stale", [])]
        out += [f"question {n}: names {i!r}, not an add" for i in ids if i not in seen]
        if set(question["current"]) & set(question.get("stale", [])):
            out.append(f"question {n}: an add is both current and stale")
    return out


def parse(raw: Any, source: str = "timeline") -> Timeline:
    """A checked timeline; ``ValueError`` listing every problem when the labels are inconsistent."""
    found = problems(raw)
    if found:
        raise ValueError(f"{source}: " + "; ".join(found))
    return Timeline(raw["name"], raw["held_out"],
                    tuple(Add(a["id"], a["text"], a["kind"], tuple(a["outdates"]), tuple(a.get("restates", [])))
                          for a in raw["adds"]),
                    tuple(Question(q["q"], tuple(q["current"]), tuple(q.get("stale", []))) for q in raw["questions"]))


def load(path: Path) -> Timeline:
    return parse(json.loads(path.read_text(encoding="utf-8")), path.name)


def load_all(folder: Path = DATA) -> list[Timeline]:
    """Every timeline in ``folder``, tuning ones first, by name."""
    return sorted((load(p) for p in sorted(folder.glob("*.json"))), key=lambda t: (t.held_out, t.name))

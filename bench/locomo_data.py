"""LoCoMo dev split: turns as memories (``"Speaker: text"`` plus the photo caption) and scorable questions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
_DIA = re.compile(r"^D(\d+):(\d+)$")


@dataclass(frozen=True, slots=True)
class Turn:
    dia_id: str
    session: int
    text: str
    created_at: float


@dataclass(slots=True)
class Question:
    text: str
    category: int
    evidence: list[str]


@dataclass(slots=True)
class Conversation:
    sample_id: str
    speakers: tuple[str, str]
    turns: list[Turn]
    questions: list[Question]
    skipped_evidence: list[str] = field(default_factory=list)
    skipped_questions: int = 0


def session_date(value: str) -> float:
    """``"1:56 pm on 8 May, 2023"`` -> UNIX seconds (naive, read as UTC)."""
    return datetime.strptime(value.strip(), "%I:%M %p on %d %B, %Y").timestamp()


def turn_text(turn: dict[str, Any]) -> str:
    text = f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [shared a photo: {turn['blip_caption']}]"
    return text


def load(path: Path) -> list[Conversation]:
    out = []
    for sample in json.loads(path.read_text()):
        conv = sample["conversation"]
        turns: list[Turn] = []
        n = 1
        while f"session_{n}" in conv:
            start = session_date(conv[f"session_{n}_date_time"])
            for i, t in enumerate(conv[f"session_{n}"]):
                turns.append(Turn(t["dia_id"], n, turn_text(t), start + 60 * i))
            n += 1
        known = {t.dia_id for t in turns}
        c = Conversation(sample["sample_id"], (conv["speaker_a"], conv["speaker_b"]), turns, [])
        for qa in sample["qa"]:
            if qa["category"] not in CATEGORIES:
                continue
            evidence = []
            for e in qa.get("evidence") or []:
                for part in re.split(r"[\s,;]+", str(e)):
                    part = part.strip()
                    if _DIA.match(part) and part in known:
                        evidence.append(part)
                    elif part:
                        c.skipped_evidence.append(part)
            if evidence:
                c.questions.append(Question(qa["question"], qa["category"], sorted(set(evidence))))
            else:
                c.skipped_questions += 1
        out.append(c)
    return out

"""Cue words: where a memory splits into clauses, and what a clause's wording says about its facts.

A question states nothing; a wish, plan or condition ("I might move to Lisbon") states no current fact; "also"/"too"
mark an addition, "on weekends" a part-time fact; "no longer"/"stopped" a value that stopped holding; "now", "moved",
"switched" a change (they raise confidence, and a planned thing needs one of EVENT_CHANGE to count as moved).
"""

from __future__ import annotations

import re

SPLIT = re.compile(
    r"[.!](?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\bp\.m\.)(?<!\ba\.m\.)\s+|;\s*|"
    r",\s*(?=(?:and|but|so|i|i'm|i've|i'd|we|we're|my|our|now|then|which|because|since|can't|cannot)\b|"
    r"(?-i:[A-Z])\w+\s+(?:is|are|was|has|have|moved|lives|works)\b)|"
    r"\s(?:but|and\s+then|because|whereas|so|since)\s|"
    r"\sand\s(?!i\s+(?:broke|split|separated|divorced|got|are|were)\b)(?=(?:i|we|my|our|he|she|they|use|uses|"
    r"eat|eats|moved|joined|became|opened|cancell?ed|stopped|started|now|am|switched|got|bought|took)\b)",
    re.IGNORECASE,
)
QUESTION = re.compile(r"\?|^\s*(?:do|does|did|is|are|was|were|should|can|could|would|will|what|where|when|who|"
                       r"which|how|why)\b", re.IGNORECASE)
IRREALIS = re.compile(
    r"\b(?:if|would|might|maybe|could|should|want|wants|wanted|hope|hopes|hoping|plan\s+to|plans\s+to|planning|"
    r"thinking|considering|dream|someday|wish|wishes|trying|try|tries|tried|interviewing|saving|going\s+to(?!\s+(?:bed|sleep|work|school|church|the\s+gym)\b)|gonna|will|"
    r"probably|perhaps|possibly|soon|unless|whether|once(?!\s+(?:a|an|daily|weekly|monthly|every|per|more)\b)|asked(?!\s+to\s+(?:be\s+called|go\s+by))|asking|wondering|temporarily|visiting|visited|"
    r"(?<!turned\s\d\d\s)(?<!turned\s\d\s)this\s+week|this\s+weekend|for\s+the\s+(?:week|weekend|summer)|for\s+now|"
    r"rented|imagine|suppose|"
    r"may\s+(?:be|have|not|move|get|need|go|switch|change)|one\s+day|spending|ex|former|formerly|previous|"
    r"previously|used\s+to\s+be)\b|(?:'d|'ll)\b|\bex-",
    re.IGNORECASE,
)
EVENT_IRREALIS = re.compile(r"\b(?:if|might|maybe|could|should|want|hope|thinking|considering|wondering|whether|"
                            r"trying|try|remember|forgot|need\s+to\s+book)\b", re.IGNORECASE)
NEGATION = re.compile(r"\b(?:no\s+longer|not\s+any\s*more|anymore|any\s+more|don't|doesn't|do\s+not|does\s+not|"
                      r"isn't|aren't|not|stopped|quit|used\s+to|gave\s+up|can't\s+stand)\b", re.IGNORECASE)
ADDITIVE = re.compile(r"\b(?:also|too|as\s+well|another|separate|extra|spare|backup|secondary|"
                      r"(?:a|my|our|his|her|their)\s+second|in\s+addition|"
                      r"additionally|both|besides|as\s+well\s+as|alongside)\b", re.IGNORECASE)
# A fact that holds only part of the time ("vegan on weekdays", "a side job at ..."): it adds, it replaces nothing.
PARTIAL = re.compile(r"\b(?:on\s+weekdays|on\s+weekends|"
                     r"at\s+weekends|during\s+the\s+week|sometimes|occasionally|on\s+the\s+side|"
                     r"side\s+(?:job|gig|project|hustle)|(?:spare|free)\s+time|for\s+fun|as\s+a\s+hobby|"
                     r"volunteer|volunteers|volunteering|part-time|part\s+time|when\s+i'm|while)\b", re.IGNORECASE)
# Words that say a planned thing moved (narrower than CHANGE: "bring the new X-rays" moves nothing).
EVENT_CHANGE = re.compile(r"\b(?:now|correction|actually|moved|rescheduled|postponed|pushed|changed|instead|"
                          r"brought\s+forward|bumped|"
                          r"shifted|delayed|switched|no\s+longer|anymore|from\s+now\s+on|this\s+season|"
                          r"these\s+days|updated|new\s+(?:time|date|day)|(?:is|are)\s+moving|re-?booked|re-?scheduled|"
                          r"moved\s+up|starting|as\s+of)\b", re.IGNORECASE)
CHANGE = re.compile(
    r"\b(?:now|moved|moving|relocated|switched|changed|rescheduled|postponed|pushed|new|instead|anymore|no\s+longer|"
    r"these\s+days|from\s+now\s+on|became|promoted|renamed|joined|started|turned|replaced|traded|left|quit|"
    r"upgraded|downgraded|went\s+up|went\s+down|since|updated|got\s+a|bought|took|single\s+again|broke\s+up|"
    r"stopped|cancell?ed|sold|dropped|ditched|swapped|got\s+rid|brought\s+forward|bumped|shifted|delayed|"
    r"this\s+season|again)\b",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    return [c.strip(" ,.") for c in SPLIT.split(text) if c and c.strip(" ,.")]

"""The table of attribute phrases: one row per way of stating an attribute ("lives in", "phone number is").

Each row is (attribute, value kind, single-valued, pattern). The value is read from the words after the match (or a
``v`` group); ``obj`` names whose attribute it is ("renamed the dog to ..."), ``cat`` refines the attribute
("favourite <movie>", "<last> name"). Rows marked negative state that a value no longer holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OCC = (
    r"engineer|developer|programmer|designer|nurse|midwife|doctor|physician|surgeon|teacher|professor|lecturer|"
    r"lawyer|attorney|accountant|consultant|manager|director|analyst|scientist|researcher|architect|chef|cook|"
    r"pilot|pharmacist|dentist|therapist|paramedic|firefighter|officer|electrician|plumber|carpenter|writer|"
    r"journalist|editor|photographer|artist|musician|student|intern|barista|waiter|waitress|cashier|librarian|"
    r"veterinarian|vet|mechanic|salesperson|recruiter|ceo|cto|cfo|coo|founder|freelancer|administrator|assistant|"
    r"coordinator|specialist|technician|lead|vp|president|clerk|banker|economist|psychologist|psychiatrist|"
    r"social worker|translator|tutor|coach|trainer|driver|secretary|receptionist|paralegal|postdoc|resident|"
    r"product owner|scrum master|data scientist|sre|devops"
)
OCCUPATION = re.compile(rf"\b(?:{_OCC})s?$", re.IGNORECASE)
DIET = re.compile(r"(?:vegetarian|vegan|pescatarian|pescetarian|keto|paleo|gluten[- ]free|dairy[- ]free|"
                  r"lactose[- ]free|flexitarian|carnivore|omnivore|halal|kosher|low[- ]carb)\b", re.IGNORECASE)
PROPER = re.compile(r"(?:^|[\s,])[A-Z0-9]")  # a place or a model has a capital or a digit: not "in fear"
SCHOOL = re.compile(r"\b(?:school|elementary|academy|high|middle|college|university|primary|kindergarten|"
                    r"preschool|nursery|daycare)$", re.IGNORECASE)
_GENERIC = (r"doctor|dentist|therapist|gp|pediatrician|paediatrician|vet|hairdresser|barber|lawyer|accountant|"
            r"landlord|wi-?fi password|password|rent|salary|shoe size|blood type|time ?zone|bank|gym|school|major|"
            r"username|user name|handle|zip code|postcode|post code|mortgage|budget|university|college|church|"
            r"(?:internet|phone|mobile) (?:provider|plan|carrier)|carrier|insurance|insurer|height|weight|pronouns|"
            r"hourly rate|rate|commute|nickname|birthday|date of birth|anniversary|teacher|coach|tutor|nanny|"
            r"babysitter|mechanic|plumber|trainer|physio|physiotherapist|optician|vet clinic|pharmacy|dealer")
_MONEY_ATTRS = frozenset({"rent", "salary", "mortgage", "budget", "hourly rate", "rate"})
_NAME_ATTRS = frozenset({"doctor", "dentist", "therapist", "gp", "pediatrician", "paediatrician", "vet",
                         "hairdresser", "barber", "lawyer", "accountant", "landlord", "teacher", "coach", "tutor",
                         "nanny", "babysitter", "mechanic", "plumber", "trainer", "physio", "physiotherapist"})
# Values that are free words, not names: a proper name (capital or digit) is needed unless the attribute says so.
_FREE_TEXT_ATTRS = frozenset({"wifi password", "password", "major", "pronouns", "handle", "username", "user name",
                              "nickname", "blood type", "shoe size", "height", "weight", "commute", "birthday",
                              "date of birth", "anniversary", "zip code", "postcode", "post code"})
# The link between an attribute and its value: "is", ":", " - ", "changed to", ", Ingrid," (an apposition).
_IS = (r"\s*(?:\s[-–—]\s+|,\s*(?=(?-i:[A-Z0-9+]))|is\s+(?:now\s+)?(?:called\s+|named\s+)?|are\s+(?:now\s+)?|:\s*|"
       r"=\s*|changed\s+to\s+|is\s+changing\s+to\s+)")
_INVERTED = (r"(?-i:(?P<v>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?))\s+(?:is|isn't|is\s+not|is\s+no\s+longer)\s+(?:now\s+)?my\s+"
             r"(?:new\s+)?")
_NOT_DATE = (r"(?!(?:mon|tue|wed|thu|fri|sat|sun)\w*day|\d|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|"
             r"june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b)")  # not Marseille


# Cheap gates: a row's pattern is tried only on a clause holding one of its keys (casefolded words, plurals too;
# "#" stands for any number).
_OCC_KEYS = _OCC.replace("\\b", "").replace(" ", "|")
_DIET_KEYS = "vegetarian|vegan|pescatarian|pescetarian|keto|paleo|free|flexitarian|carnivore|omnivore|halal|kosher|carb"
_PARTNER_KEYS = "girlfriend|boyfriend|partner|wife|husband|fiance|fiancee|fiancé|fiancée|spouse"
_STOP_KEYS = "left|quit|cancelled|canceled|stopped|gave|dropped|sold|rid|ditched|traded|replace|replaced|swapped"


# What someone has ("a Peloton"): not a plan, a person or a number ("a dentist appointment on the 3rd").
_THING = re.compile(r"^(?!.*\b(?:appointment|meeting|flight|call|class|lesson|session|date|party|interview|dog|cat|"
                    r"son|daughter|kid|child|brother|sister|friend|baby|question|idea|feeling|cold|fever)s?\b)\D+$",
                    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Row:
    attribute: str
    kind: str          # value kind, see _values
    single: bool       # single-valued: a different value replaces; multi-valued: only an explicit "no longer"
    pattern: re.Pattern[str]
    negative: bool = False
    needs: re.Pattern[str] | None = None   # the value must match this (an occupation, a diet, a school...)
    gate: frozenset[str] | None = None     # none of these words in the clause: no need to try ``pattern``


def _gate(keys: str) -> frozenset[str]:
    return frozenset(w for k in keys.split("|") for w in (k, k + "s", k + "es"))


def _row(keys: str, attribute: str, kind: str, pattern: str, *, single: bool = True, negative: bool = False,
         needs: re.Pattern[str] | None = None) -> Row:
    """``keys``: "|"-separated words of which a clause must hold one for ``pattern`` to be tried ("*": always)."""
    gate = None if keys == "*" else _gate(keys)
    return Row(attribute, kind, single, re.compile(pattern, re.IGNORECASE), negative, needs, gate)


ROWS: tuple[Row, ...] = (
    _row("live|living|reside|resides|residing|based", "residence", "text",
         rf"\b(?:live|lives|living|reside|resides|residing|based)\s+in:?\s+{_NOT_DATE}", needs=PROPER),
    _row("moved|relocated|moving", "residence", "text",
         rf"\b(?:moved|relocated|moving\s+back)\s+(?:back\s+)?(?:home\s+)?(?:in\s+with\s+\w+\s+)?"
         r"(?:from\s+[\w ,.'-]{1,40}?\s+(?=to\s))?"
         rf"(?:to|in|into)\s+(?!the\s+(?:office|gym))(?:a\s+[\w ]+?\s+in\s+)?{_NOT_DATE}", needs=PROPER),
    _row("home", "residence", "ctext", r"\bhome\s*(?:is\s+|:\s*)(?:now\s+)?(?:in\s+)?"),
    _row("bought", "residence", "text",
         r"\bbought\s+an?\s+(?:house|home|flat|apartment|condo|place)\s+in\s+", needs=PROPER),
    _row("rent|renting", "residence", "text", r"\brent(?:s|ing)?\s+(?:an?\s+[\w ]{1,30}?\s+)?in\s+", needs=PROPER),
    _row("address", "address", "text", r"\b(?:mailing\s+|home\s+|postal\s+|street\s+)?address" + _IS),
    _row("live|moved", "address", "text", r"\b(?:live|lives|living|moved)\s+(?:at|to)\s+(?=\d)"),
    _row("phone|cell|mobile|number|telephone|cellphone", "phone", "phone",
         r"\b(?:(?:phone|cell|mobile|telephone|cellphone)(?:\s+number)?|number)(?:" + _IS + r"|\s+(?=[+(]?\d))"),
    _row("number", "phone", "phone",
         r"\b(?:has|have|got)\s+a\s+new\s+(?:phone\s+|mobile\s+|cell\s+)?number\s*(?:is\s+|:\s*)?"),
    _row("me", "phone", "phone", r"\b(?:reach|call|text)\s+me\s+(?:at|on)\s+"),
    _row("number", "phone", "phone",
         r"\bchanged\s+(?:my|her|his|their)\s+(?:phone\s+|mobile\s+|cell\s+)?number\s+to\s+"),
    _row("mail|email", "email", "email", r"\be-?mail(?:\s+address)?" + _IS),
    _row("mail|email", "email", "email", r"\b(?:has|have|got)\s+a\s+new\s+e-?mail(?:\s+address)?\s*:?\s*"),
    _row("mail|email", "email", "email",
         r"\b(?:switched|changed)\s+(?:my|her|his|their)\s+e-?mail(?:\s+address)?\s+to\s+"),
    _row("@", "email", "email", r"\buse\s+(?=[\w.+-]+@\S+\s+to\s+(?:e-?mail|reach|contact)\s+me)"),
    _row("@", "email", "email",
         r"(?P<v>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s+is\s+(?:now\s+)?my\s+(?:new\s+)?(?:\w+\s+)?e-?mail"),
    _row("work|working", "employer", "text",
         r"\b(?:work|works|working)\s+(?:at|for):?\s+(?!home\b|night|weekends?\b|the\s+(?:moment|weekend|office)\b|"
         r"(?:my|a)\s+desk\b|it\b|this\b|that\b|myself\b|free\b)"),
    _row("work|works|working", "employer", "text",
         r"\b(?:work|works|working)\s+as\s+(?:an?\s+)?[\w -]{1,40}?\s+(?:at|for|with)\s+"),
    _row("job|role|position", "employer", "text", r"\b(?:new\s+)?(?:job|role|position)\s+(?:at|with)\s+"),
    _row("job", "employer", "text", r"\bjob\s+as\s+(?:an?\s+)?[\w -]{1,40}?\s+(?:at|with|for)\s+"),
    _row("job", "role", "role", r"\bjob\s+as\s+(?:an?\s+)?", needs=OCCUPATION),
    _row("employed|employer|joined|teach|teaches|teaching", "employer", "text",
         r"\b(?:employed\s+(?:at|by)|joined|teach(?:es|ing)?\s+at|employer" + _IS + r")\s*"),
    _row("started", "employer", "text", r"\bstarted\s+(?:a\s+new\s+job\s+|working\s+)?(?:at|with|for)\s+"),
    _row("hired", "employer", "text", r"\bhired\s+(?:at|by)\s+"),
    _row(_OCC_KEYS, "employer", "text", rf"(?:'m|\bam|\bis|\bare)\s+(?:now\s+)?an?\s+(?:[\w-]+\s+){{0,3}}?(?:{_OCC})\s+"
         r"(?:at|for|with)\s+"),
    _row(_OCC_KEYS, "role", "role",
         rf"(?:'m|\bam|\bis|\bare)\s+(?:now\s+|not\s+|no\s+longer\s+)?an?\s+(?=(?:[\w-]+\s+){{0,3}}?(?:{_OCC})\b)",
         needs=OCCUPATION),
    _row("work|working", "role", "role", r"\b(?:work|works|working)\s+(?:(?:at|for)\s+[\w&' -]+?\s+)?as\s+(?:an?\s+)?",
         needs=OCCUPATION),
    _row("job|title|role|position|occupation|profession", "role", "role",
         r"\b(?:job\s+title|title|role|position|job|occupation|profession)" + _IS + r"(?:an?\s+)?", needs=OCCUPATION),
    _row("promoted|became|become", "role", "role",
         r"\b(?:promoted\s+to|became|become)\s+(?:an?\s+)?", needs=OCCUPATION),
    _row("manager|boss|supervisor|lead", "manager", "name",
         r"\b(?:manager|boss|supervisor|team\s+lead|line\s+manager)" + _IS),
    _row("manager|boss|supervisor|lead", "manager", "name",
         _INVERTED + r"(?:manager|boss|supervisor|team\s+lead|line\s+manager)\b(?!['’])"),
    _row("new", "manager", "name",
         r"\b(?:has|have|got)\s+a\s+new\s+(?:manager|boss|supervisor)\s*(?:[,:—–-]|named|called)\s*"),
    _row("report|reporting", "manager", "name", r"\breport(?:s|ing)?\s+(?:directly\s+)?to\s+"),
    _row("drive|driving|ride|riding", "car", "text", r"\b(?:drive|ride)s?\s+an?\s+(?:new\s+)?", needs=PROPER),
    _row("car", "car", "text", r"\bcar" + _IS + r"(?:an?\s+)?", needs=PROPER),
    _row("car", "car", "text", r"\b(?:bought|got|have)\s+a\s+new\s+car\s*[:,—–-]?\s*(?:an?\s+|it's\s+an?\s+)?"),
    _row("traded", "car", "text", r"\btraded\s+(?:in\s+)?(?:the|my|her|his|our)\s+[\w -]+?\s+for\s+an?\s+"),
    _row(_DIET_KEYS, "diet", "diet",
         r"(?:'m|\bam|\bis|\bare|\bbecame|\bbecome|\bbecoming|\bwent|\bgone|\bbeing)\s+(?:now\s+|a\s+|an\s+|strictly\s+|"
         r"fully\s+|completely\s+|still\s+|no\s+longer\s+|not\s+)*(?=" + DIET.pattern + ")"),
    _row(_DIET_KEYS, "diet", "diet",
         r"\b(?:follow|follows|on|doing|switched\s+(?:from\s+[\w-]+\s+)?to|going)\s+(?:an?\s+|the\s+)?(?="
         + DIET.pattern + ")"),
    _row("diet", "diet", "text",
         r"\b(?:on|follow|follows|following|doing|back\s+to)\s+(?:an?|the)\s+(?P<v>[\w-]+)\s+diet\b"),
    _row("diet", "diet", "diet", r"\bdiet" + _IS + r"(?:an?\s+)?(?=" + DIET.pattern + ")"),
    _row(_DIET_KEYS, "diet", "diet", r"\b(?:stopped|quit|gave\s+up|ended)\s+(?:doing\s+|being\s+)?(?:an?\s+|the\s+)?(?="
         + DIET.pattern + ")", negative=True),
    _row("meat", "diet", "fixed:vegetarian", r"\b(?:don't|do\s+not|doesn't|does\s+not|never)\s+eat\s+meat\b"),
    _row("meat|chicken|beef|pork", "diet", "fixed:omnivore",
         r"\b(?:eats?|eating)\s+(?:meat|chicken|beef|pork)\s+(?:again|now)\b|\b(?:started|back\s+to)\s+eating\s+(?:meat|chicken|"
         r"beef|pork)\b"),
    _row("fish", "diet", "fixed:pescatarian", r"\bstarted\s+eating\s+fish\b"),
    _row("name", "name", "name",
         r"\b(?:(?P<cat>first|last|middle|nick|maiden|full|family|sur|stage|pen|screen|display|legal|married)\s*)?"
         r"name" + _IS),
    _row("call|go|goes|called", "name", "name",
         r"\b(?:calls?\s+me|go(?:es)?\s+by|(?:asked|prefers?|likes?)\s+to\s+(?:be\s+called|go\s+by))\s+"),
    _row("called|named", "name", "name", r"\b(?:is|are)\s+(?:now\s+)?(?:called|named)\s+(?:now\s+)?"),
    _row("renamed", "name", "name", r"\brenamed\s+(?:the|my|our|her|his)\s+(?P<obj>[\w-]+)\s+(?:to\s+)?"),
    _row("renamed", "name", "name", r"\b(?:was|been|got)\s+renamed\s+(?:to\s+)?"),
    _row("name", "name", "name", r"\bchanged\s+(?:the|my|our|her|his)\s+(?P<obj>[\w-]+?)'s\s+name\s+to\s+"),
    _row("name", "name", "name",
         r"\bchanged\s+(?:my|her|his|their)\s+(?:(?P<cat>first|last|middle|nick|maiden|family|sur)\s*)?name\s+to\s+"),
    _row(_PARTNER_KEYS, "partner", "name",
         r"(?<![-\w])(?:girlfriend|boyfriend|partner|wife|husband|fianc[ée]e?|spouse)" + _IS),
    _row(_PARTNER_KEYS, "partner", "name",
         _INVERTED + r"(?:girlfriend|boyfriend|partner|wife|husband|fianc[ée]e?|spouse)\b(?!['’])"),
    _row("dating|seeing|married|engaged|got", "partner", "name",
         r"\b(?:'m|am|got)\s+(?:now\s+)?(?:dating|seeing|married\s+to|engaged\s+to)\s+(?!dr\b)"),
    _row("broke|divorced", "partner", "name", r"\bbroke\s+up\s+with\s+|\bdivorced\s+", negative=True),
    _row("and", "partner", "name",
         r"(?P<v>[A-Z]\w+)\s+and\s+I\s+(?:broke\s+up|split|separated|divorced)", negative=True),
    _row("single|divorced", "partner", "none", r"(?:'m|\bam)\s+(?:single|divorced)\b", negative=True),
    _row("favourite|favorite", "favourite", "text",
         r"\bfavou?rite\s+(?P<cat>[a-z]+(?:\s+[a-z]+)?)(?:\s+(?:these\s+days|nowadays|right\s+now|"
         r"at\s+the\s+moment))?" + _IS),
    _row("favourite|favorite", "favourite", "text",
         r"(?P<v>[A-Z][\w' ]{0,40}?)\s+is\s+(?:now\s+)?my\s+(?:new\s+)?(?:all-time\s+)?"
         r"favou?rite\s+(?P<cat>[a-z]+)\b"),
    _row("#", "age", "number",
         r"(?:'m|\bam|\bis|\bare|\bturned|\bturns)\s+(?:now\s+|just\s+)?(?=\d{1,3}\b(?!\s*(?:%|"
         r"percent|minutes?|hours?|days?|weeks?|months?|am|pm|kg|lbs?|pounds|cm|km|miles|k\b|feet|foot|ft\b|"
         r"inch|tall|stone|st\b|times|[,.:]\d|['\"]|/)))"),
    _row("age", "age", "number", r"\bage" + _IS),
    _row("birthday", "age", "number", r"\b(?:my|his|her)\s+(?P<v>\d{1,3})(?:st|nd|rd|th)\s+birthday\b"),
    _row("fan", "supported team", "name", r"(?:'m|\bam|\bis)\s+an?\s+(?=[A-Z]\w+(?:\s+[A-Z]\w+)?\s+fan\b)"),
    _row("support", "supported team", "name", r"\bsupports?\s+(?=[A-Z])"),
    _row("go|goes|going|attend|attends|attended|started", "school", "name",
         r"\b(?:goes|go|going|attends?|started)\s+(?:to|at)\s+", needs=SCHOOL),
    _row("study|studies|studying", "major", "text", r"\bstud(?:y|ies|ying)\s+(?=\w+\s+at\b)"),
    _row("shift", "shift", "text",
         r"\b(?:work|works|working|switched\s+to|moved\s+(?:on)?to|changed\s+to|on|do|doing)\s+(?:the\s+)?(?=(?:night|day|early|"
         r"late|morning|evening|weekend)\s+shifts?\b)"),
    _row("hours", "working hours", "text", r"\bwork(?:ing)?\s+hours" + _IS),
    _row("work", "working hours", "text", r"\bwork\s+(?=\d{1,2}(?::\d\d)?\s*(?:am|pm)?\s*(?:to|-|–)\s*\d)"),
    _row("work", "working days", "text",
         r"\bwork\s+(?=(?:mon|tues?|wed|thu(?:rs)?|fri|sat|sun)\w*\s+(?:to|-|–|through|till|until)\s+\w+day\b)"),
    _row("time", "time zone", "text", r"\b(?:on|in)\s+(?=\w+\s+time\b)"),
    _row("plan|tier", "plan", "text",
         r"\b(?:on|upgraded\s+to|downgraded\s+to|switched\s+to|moved\s+to)\s+the\s+(?=\w+\s+"
         r"(?:plan|tier)\b)"),
    _row("bank", "bank", "text", r"\bbanks?\s+with\s+"),
    _row("make|earn", "salary", "money", r"\b(?:make|earn|makes|earns)\s+(?:about\s+|around\s+)?(?=[$€£]?\d)"),
    _row("*", "", "generic",
         rf"\b(?P<cat>{_GENERIC})" + r"\s*(?:is\s+(?:now\s+)?|are\s+(?:now\s+)?|:\s*|was\s+changed\s+to\s+|"
         r"changed\s+to\s+|went\s+(?:up|down)\s+to\s+|(?:increased|dropped|rose)\s+to\s+)"),
    _row("new", "", "generic",
         rf"\b(?:has|have|got|found)\s+a\s+new\s+(?P<cat>{_GENERIC})\s*(?:[,:—–-]|named|called)\s*"),
    _row("switched|changed", "", "generic", rf"\b(?:switched|changed)\s+(?P<cat>{_GENERIC})s?\s+to\s+"),
    _row("changed|updated|reset", "", "generic",
         rf"\b(?:changed|updated|reset)\s+(?:the|my|our|her|his)\s+(?P<cat>{_GENERIC})\s+to\s+"),
    _row("like|love|enjoy|adore", "likes", "phrase",
         r"\b(?:like|likes|love|loves|enjoy|enjoys|adore|adores)\s+(?!to\b|it\b|that\b|this\b|"
         r"when\b|how\b|the\s+idea)", single=False),
    _row("off", "likes", "phrase", r"\b(?:gone|went)\s+off\s+", single=False, negative=True),
    _row("play|playing", "hobby", "phrase", r"\bplay(?:s|ing)?\s+(?:the\s+)?", single=False),
    _row("learning", "learning", "phrase", r"\blearning\s+(?:the\s+|to\s+play\s+(?:the\s+)?|how\s+to\s+)?",
         single=False),
    _row("take|taking", "medication", "phrase", r"\btak(?:e|es|ing)\s+(?!the\b|a\b|an\b|my\b|\d|care\b|part\b)",
         single=False),
    _row("have|own", "possession", "text", r"\b(?:have|has|own|owns)\s+an?\s+", single=False, needs=_THING),
    _row("last", "*", "text", r"\blast\s+day\s+(?:at|with)\s+", negative=True),
    _row("instead", "*", "text", r"\binstead\s+of\s+(?:the\s+|my\s+|a\s+)?", negative=True),
    _row(_STOP_KEYS, "*", "text", r"\b(?:left|quit|cancell?ed|stopped|gave\s+up|dropped|sold|got\s+rid\s+of|ditched|"
         r"traded(?:\s+in)?|replaced|to\s+replace|swapped)\s+(?:my\s+|the\s+|our\s+|her\s+|his\s+)?", negative=True),
)


def generic_kind(attribute: str) -> str:
    if attribute in _MONEY_ATTRS:
        return "money"
    if attribute in _NAME_ATTRS:
        return "name"
    return "text" if attribute in _FREE_TEXT_ATTRS else "ctext"

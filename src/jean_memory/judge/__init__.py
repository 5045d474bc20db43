"""The replacement judgment, with a one-function face: ``decide(new, old, similarity)`` -> ``Verdict``.

Two memories of one person, the older one current: does the new one make it outdated? Three outcomes
(``docs`` in ``shared/docs/truth.md``):

- ``replace``: certain. The old memory is hidden from default results (kept as history, undo on the dashboard).
  Only the strict rules decide it (``CERTAIN_RULES``, each without doubt); one new memory replaces at most one.
- ``flag``: possibly outdated. The old memory stays current and searchable, ranked after the new one, and the
  assistant or the person confirms or dismisses. Everything the rules think is a change but are unsure of, and
  pairs close in meaning whose values differ (``_values``), are flagged.
- ``none``: nothing to say.

No I/O, no model; pure functions. The rules: ``supersede`` (the pairwise judgment) and its private modules.
"""

from __future__ import annotations

from .verdict import CERTAIN_RULES, Verdict, decide

__all__ = ["CERTAIN_RULES", "Verdict", "decide"]

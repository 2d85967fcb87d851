"""Disclosure control for what leaves the federation: the unit to protect is the organisation.

With the report option ``public`` the network view (and every format drawn from it) is safe to
circulate among the centres and beyond:

* organisations appear under their **pseudonym** (``pseudonyms``: a mapping the caller makes, by a
  keyed hash or from the federation's mapping file, see ``vises.io.pseudonyms``), never by name or
  code, and rows are ordered by pseudonym (an order by code would give the codes away);
* every **aggregate** (a peer group's mean, a distribution, a network total) computed from fewer
  than ``min_group`` organisations (k, default 3) is suppressed;
* **complementary suppression**: within one grouping, the suppressed groups together with the
  organisations the grouping leaves out (attribute not given) must count at least k, or one more
  group is suppressed, so a hidden group cannot be recovered by subtracting the published groups
  from the network's total; and a published group nested in another (every member of one in the
  other) must differ from it by none or at least k organisations;
* **dominance**: a total where one organisation holds more than ``dominance`` (default 0.5) of it
  is suppressed, since the total then mostly tells that organisation's value;
* the narrative texts are left out (free text names people and places); ranks stay optional.

Only combinations of two groups (a group and the total, two nested groups) and the unions within
one grouping are checked; a linear combination of three or more groups of different groupings is
not audited (docs/round.md says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import ConfigError
from vises.numeric import sorted_distinct

#: Fewest organisations behind a published aggregate, unless the request says otherwise.
DEFAULT_MIN_GROUP = 3
#: Largest share of a total one organisation may hold for the total to be published.
DEFAULT_DOMINANCE = 0.5


@attrs.frozen(kw_only=True)
class Disclosure:
    """The disclosure rules of one report (all off unless ``public``)."""

    public: bool = False
    min_group: int = DEFAULT_MIN_GROUP
    dominance: float = DEFAULT_DOMINANCE
    pseudonyms: Mapping[str, str] | None = None

    @property
    def k(self) -> int:
        """The smallest group published: ``min_group`` when public, else 1 (everything is shown)."""
        return self.min_group if self.public else 1

    def pseudonym_column(self, organisations: np.ndarray) -> np.ndarray:
        """Each row's pseudonym; an organisation without one is an error (it would be shown by code)."""
        mapping = self.pseudonyms or {}
        distinct, inverse = np.unique(np.asarray(organisations).astype(str), return_inverse=True)
        missing = [code for code in distinct.tolist() if code not in mapping]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise ConfigError(
                f"the public view needs a pseudonym for every organisation; {len(missing)} have none ({shown})",
                hint="give a federation secret (keyed pseudonyms) or add them to the pseudonym mapping file",
            )
        return np.array([str(mapping[code]) for code in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


def disclosure_of(options: Any) -> Disclosure:
    """The rules of a report's parsed options (``views.Options``)."""
    pseudonyms = getattr(options, "pseudonyms", None)
    public = bool(getattr(options, "public", False))
    if public and not pseudonyms:
        raise ConfigError(
            "the public view shows organisations only by pseudonym, and none were given",
            hint="pass options={'public': True, 'pseudonyms': {...}} (vises round makes them from a secret or a "
            "mapping file)",
        )
    return Disclosure(
        public=public,
        min_group=int(getattr(options, "min_group", DEFAULT_MIN_GROUP)),
        dominance=float(getattr(options, "dominance", DEFAULT_DOMINANCE)),
        pseudonyms=pseudonyms,
    )


def suppress_groups(groups: np.ndarray, partitions: np.ndarray, present: np.ndarray, k: int) -> np.ndarray:
    """Which (group, code) aggregates to suppress; ``True`` means hidden.

    ``groups`` (g × n, bool): the rows of one period in each group; ``partitions`` (g,): the
    grouping each group belongs to (the groups of one grouping are disjoint); ``present``
    (n × c, bool): which rows have a value of each code. A cell is the aggregate of the rows in
    its group that have a value. Primary suppression hides cells of 1 to k-1 rows; complementary
    suppression then hides the smallest published cells of a grouping until what the grouping
    hides, with the rows it leaves out, is none or at least k; and hides a published cell nested
    in another published cell (or in the total) that differs from it by 1 to k-1 rows.
    """
    groups = np.asarray(groups, dtype=bool)
    present = np.asarray(present, dtype=bool)
    n_groups = groups.shape[0]
    hidden = np.zeros((n_groups, present.shape[1]), dtype=bool)
    if n_groups == 0 or k <= 1:
        return hidden
    partitions = np.asarray(partitions)
    for code in range(present.shape[1]):
        rows = present[:, code]
        cells = groups & rows  # (g, n)
        sizes = cells.sum(axis=1)
        total = int(rows.sum())
        hide = (sizes > 0) & (sizes < k)
        if total < k:
            hide = sizes > 0
        changed = True
        while changed:
            changed = False
            for partition in sorted_distinct(partitions).tolist():
                mine = partitions == partition
                left_out = total - int(sizes[mine].sum())
                while True:
                    held = left_out + int(sizes[mine & hide].sum())
                    candidates = np.flatnonzero(mine & ~hide & (sizes > 0))
                    if not (0 < held < k) or not len(candidates):
                        break
                    smallest = candidates[np.argmin(sizes[candidates])]
                    hide[smallest] = True
                    changed = True
            published = np.flatnonzero(~hide & (sizes > 0))
            for a in published.tolist():
                if hide[a]:
                    continue
                # Nested in the whole period's rows (the total), or in another published cell.
                if 0 < total - sizes[a] < k:
                    hide[a] = changed = True
                    continue
                for b in published.tolist():
                    if a == b or hide[b] or sizes[b] < sizes[a] or partitions[a] == partitions[b]:
                        continue
                    if 0 < sizes[b] - sizes[a] < k and not (cells[a] & ~cells[b]).any():
                        hide[a] = changed = True
                        break
        hidden[:, code] = hide
    return hidden


def dominated(values: np.ndarray, dominance: float) -> bool:
    """Whether one value holds more than ``dominance`` of the total of ``values`` (present ones)."""
    present = np.abs(values[~np.isnan(values)])
    total = float(present.sum())
    return total > 0 and float(present.max()) > dominance * total


__all__ = ["DEFAULT_DOMINANCE", "DEFAULT_MIN_GROUP", "Disclosure", "disclosure_of", "dominated", "suppress_groups"]

"""The words a data cell may hold for *yes*, *no*, *not applicable* and *missing*.

One vocabulary, in French, Dutch and English, for every reader (CSV, DataFrame, mapping, xlsx)
and for the templates that tell users what to type: a word accepted in a filled template is
accepted in a CSV file too. Cells are compared after stripping and lower-casing. *Not applicable*
and *missing* differ on purpose: the first leaves the indicator out of the coverage, the second
counts against it.
"""

from __future__ import annotations

YES_TOKENS = frozenset({"yes", "y", "oui", "o", "ja", "j", "true", "vrai", "waar", "1"})
NO_TOKENS = frozenset({"no", "n", "non", "nee", "false", "faux", "onwaar", "0"})
NA_TOKENS = frozenset(
    {
        "n/a",
        "na",
        "n.a.",
        "not applicable",
        "s.o.",
        "so",
        "sans objet",
        "non applicable",
        "n.v.t.",
        "nvt",
        "niet van toepassing",
    }
)
#: ``nan`` is not among them: a number column holding the text ``nan`` is an error (a user never
#: measured "not a number"), and in a text column it is the text ``nan``.
MISSING_TOKENS = frozenset({"", "?", "missing", "manquant", "ontbreekt"})

#: The words for where a value comes from (``<code>.source``), per language, by source.
SOURCE_WORDS: dict[str, dict[str, str]] = {
    "records": {"en": "records", "fr": "registre", "nl": "registratie"},
    "survey": {"en": "survey", "fr": "enquête", "nl": "bevraging"},
    "self-declared": {"en": "self-declared", "fr": "déclaratif", "nl": "zelf gerapporteerd"},
    "external": {"en": "external", "fr": "externe", "nl": "extern"},
}
#: Every accepted spelling of a source (stripped, lower-cased) -> the source.
SOURCE_TOKENS: dict[str, str] = {
    **{word.casefold(): source for source, words in SOURCE_WORDS.items() for word in words.values()},
    **{source: source for source in SOURCE_WORDS},
    "self declared": "self-declared",
    "auto-déclaré": "self-declared",
    "enquete": "survey",
    "enquête": "survey",
    "register": "records",
}

__all__ = ["MISSING_TOKENS", "NA_TOKENS", "NO_TOKENS", "SOURCE_TOKENS", "SOURCE_WORDS", "YES_TOKENS"]

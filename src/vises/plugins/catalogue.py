"""One typed, read-only catalogue per kind of contribution: ``registry.normalisers["minmax"]``.

A ``Kind`` says how one kind of record is registered (its hook, record class, key attribute, the
error an unknown key raises); a ``Catalogue`` is the ``Mapping`` a registry exposes for it. Looking
a key up collects the kind first (the registry runs that hook the first time), then:

- a known key gives the record, typed (``registry.normalisers[name]`` is a ``NormaliserSpec``);
- a key two plugins both provide raises the ``PluginError`` naming both (it is not ``in`` the
  catalogue, since neither record is used);
- an unknown key raises the kind's own error (``MethodError`` for methods, ``ConfigError`` for grids,
  weightings, indicators and proxies, ``DataError`` for readers, ``ReportError`` for report formats),
  with a did-you-mean hint listing what is available.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import attrs

from vises.errors import ConfigError, DataError, MethodError, PluginError, ReportError, VisesError, unknown_name_hint

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import (
        AggregatorSpec,
        FinancialProxy,
        GridSource,
        ImputerSpec,
        NormaliserSpec,
        Reader,
        ReportFormat,
        TreatmentSpec,
        Weighting,
    )
    from vises.model import Indicator

T = TypeVar("T")
D = TypeVar("D")


@attrs.frozen(kw_only=True)
class Kind(Generic[T]):
    """How one kind of contribution is registered and looked up."""

    #: The registry attribute and the key in ``PluginInfo.provides`` (``"normalisers"``).
    name: str
    hook: str
    #: ``"module:Class"`` of the record, imported when a record is first checked.
    record: str
    key_attr: str
    noun: str
    #: Whether the core plugin's keys stay bare (methods, readers, formats) or become ``vises.x``.
    core_bare: bool
    error: type[VisesError]

    @property
    def record_class(self) -> type:
        module, name = self.record.split(":")
        cls: type = getattr(import_module(module), name)
        return cls

    @property
    def plural(self) -> str:
        return self.name.replace("_", " ")


_RECORDS = "vises.contract.records"

INDICATORS: Kind[Indicator] = Kind(
    name="indicators",
    hook="vises_register_indicators",
    record="vises.model:Indicator",
    key_attr="code",
    noun="indicator",
    core_bare=False,
    error=ConfigError,
)
GRIDS: Kind[GridSource] = Kind(
    name="grids",
    hook="vises_register_grids",
    record=f"{_RECORDS}:GridSource",
    key_attr="code",
    noun="grid",
    core_bare=False,
    error=ConfigError,
)
WEIGHTINGS: Kind[Weighting] = Kind(
    name="weightings",
    hook="vises_register_weightings",
    record=f"{_RECORDS}:Weighting",
    key_attr="code",
    noun="weighting",
    core_bare=False,
    error=ConfigError,
)
NORMALISERS: Kind[NormaliserSpec] = Kind(
    name="normalisers",
    hook="vises_register_normalisers",
    record=f"{_RECORDS}:NormaliserSpec",
    key_attr="name",
    noun="normaliser",
    core_bare=True,
    error=MethodError,
)
AGGREGATORS: Kind[AggregatorSpec] = Kind(
    name="aggregators",
    hook="vises_register_aggregators",
    record=f"{_RECORDS}:AggregatorSpec",
    key_attr="name",
    noun="aggregator",
    core_bare=True,
    error=MethodError,
)
TREATMENTS: Kind[TreatmentSpec] = Kind(
    name="treatments",
    hook="vises_register_treatments",
    record=f"{_RECORDS}:TreatmentSpec",
    key_attr="name",
    noun="treatment",
    core_bare=True,
    error=MethodError,
)
IMPUTERS: Kind[ImputerSpec] = Kind(
    name="imputers",
    hook="vises_register_imputers",
    record=f"{_RECORDS}:ImputerSpec",
    key_attr="name",
    noun="imputer",
    core_bare=True,
    error=MethodError,
)
READERS: Kind[Reader] = Kind(
    name="readers",
    hook="vises_register_readers",
    record=f"{_RECORDS}:Reader",
    key_attr="name",
    noun="reader",
    core_bare=True,
    error=DataError,
)
REPORT_FORMATS: Kind[ReportFormat] = Kind(
    name="report_formats",
    hook="vises_register_report_formats",
    record=f"{_RECORDS}:ReportFormat",
    key_attr="name",
    noun="report format",
    core_bare=True,
    error=ReportError,
)
FINANCIAL_PROXIES: Kind[FinancialProxy] = Kind(
    name="financial_proxies",
    hook="vises_register_financial_proxies",
    record=f"{_RECORDS}:FinancialProxy",
    key_attr="code",
    noun="financial proxy",
    core_bare=False,
    error=ConfigError,
)

#: Every kind, in the order ``vises plugins --all`` lists them.
KINDS: tuple[Kind[Any], ...] = (
    GRIDS,
    INDICATORS,
    WEIGHTINGS,
    NORMALISERS,
    AGGREGATORS,
    TREATMENTS,
    IMPUTERS,
    READERS,
    REPORT_FORMATS,
    FINANCIAL_PROXIES,
)


@attrs.define
class Shelf(Generic[T]):
    """What the registry collected for one kind: the usable records and the refused (conflicting) keys."""

    records: dict[str, T] = attrs.field(factory=dict)
    conflicts: dict[str, PluginError] = attrs.field(factory=dict)


class Catalogue(Mapping[str, T]):
    """The records of one kind by key: a read-only ``Mapping`` that collects on first use."""

    __slots__ = ("_shelf", "kind")

    def __init__(self, kind: Kind[T], shelf: Callable[[], Shelf[T]]) -> None:
        self.kind = kind
        self._shelf = shelf  # collects the kind (once), then gives its shelf

    def __getitem__(self, key: str) -> T:
        shelf = self._shelf()
        if key in shelf.records:
            return shelf.records[key]
        if key in shelf.conflicts:
            raise shelf.conflicts[key]
        raise self.kind.error(f"unknown {self.kind.noun} {key!r}", hint=unknown_name_hint(str(key), shelf.records))

    @overload
    def get(self, key: str, /) -> T | None: ...
    @overload
    def get(self, key: str, default: T | D, /) -> T | D: ...

    def get(self, key: str, default: Any = None, /) -> Any:
        """The record, or ``default`` for an unknown or conflicting key (never raises)."""
        return self._shelf().records.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._shelf().records

    def __iter__(self) -> Iterator[str]:
        return iter(self._shelf().records)

    def __len__(self) -> int:
        return len(self._shelf().records)

    def __repr__(self) -> str:
        return f"<Catalogue of {self.kind.plural}: {', '.join(self._shelf().records) or 'none'}>"


__all__ = ["KINDS", "Catalogue", "Kind", "Shelf"]

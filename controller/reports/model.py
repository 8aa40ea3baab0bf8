"""What a report is, whatever asked for it: headline figures and tables (sections), each
cell typed (money in fen, counts, ratios in basis points, seconds, text). The gRPC service,
``ktvctl``, the XLSX/CSV exports and a closed day's stored snapshot all carry this one shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class Unit(Enum):
    FEN = "fen"  # money
    COUNT = "count"
    BP = "bp"  # a ratio in basis points (10000 = 100 %)
    SECONDS = "seconds"
    TEXT = "text"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    unit: Unit = Unit.FEN


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit = Unit.TEXT


Cell = int | str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()

    def column(self, key: str) -> list[Cell]:
        i = [c.key for c in self.columns].index(key)
        return [row[i] for row in self.rows]


class PeriodKind(Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    RANGE = "range"


@dataclass(frozen=True)
class Report:
    kind: PeriodKind
    first_day: date
    last_day: date
    figures: tuple[Figure, ...]
    sections: tuple[Section, ...] = ()
    closed_at: str = ""  # a closed day: when (ISO instant) and by whom
    closed_by: str = ""
    notes: tuple[str, ...] = field(default=())

    def figure(self, key: str) -> int:
        for f in self.figures:
            if f.key == key:
                return f.value
        raise KeyError(key)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind.value,
                "first_day": self.first_day.isoformat(),
                "last_day": self.last_day.isoformat(),
                "closed_at": self.closed_at,
                "closed_by": self.closed_by,
                "notes": list(self.notes),
                "figures": [[f.key, f.label, f.value, f.unit.value] for f in self.figures],
                "sections": [
                    {
                        "key": s.key,
                        "title": s.title,
                        "columns": [[c.key, c.label, c.unit.value] for c in s.columns],
                        "rows": [list(r) for r in s.rows],
                    }
                    for s in self.sections
                ],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @staticmethod
    def from_json(text: str) -> Report:
        d = json.loads(text)
        return Report(
            kind=PeriodKind(d["kind"]),
            first_day=date.fromisoformat(d["first_day"]),
            last_day=date.fromisoformat(d["last_day"]),
            closed_at=d["closed_at"],
            closed_by=d["closed_by"],
            notes=tuple(d["notes"]),
            figures=tuple(Figure(k, label, v, Unit(u)) for k, label, v, u in d["figures"]),
            sections=tuple(
                Section(
                    s["key"],
                    s["title"],
                    tuple(Column(k, label, Unit(u)) for k, label, u in s["columns"]),
                    tuple(tuple(r) for r in s["rows"]),
                )
                for s in d["sections"]
            ),
        )

"""Which countries, series and years an extract holds (issue 5, run configuration).

``ExtractSelection`` is the frozen value every extract module filters with; ``ExtractConfig`` is
the same thing as Dagster run configuration (lists instead of tuples).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class ExtractSelection:
    """Restrict an extract. ``None`` means "all"; ``flagship_only`` keeps the ILO Flagship focus
    countries (``dim_country.is_flagship_focus``). Countries are ISO3 codes; a country selection
    (explicit or Flagship) drops the regional aggregates, which describe more than the selection."""

    countries: tuple[str, ...] | None = None
    series: tuple[str, ...] | None = None
    years: tuple[int, ...] | None = None
    flagship_only: bool = False

    def __post_init__(self) -> None:
        # normalize to sorted tuples so equal selections compare and hash equal
        if self.countries is not None:
            object.__setattr__(
                self, "countries", tuple(sorted({c.strip().upper() for c in self.countries}))
            )
        if self.series is not None:
            object.__setattr__(
                self, "series", tuple(sorted({s.strip().upper() for s in self.series}))
            )
        if self.years is not None:
            object.__setattr__(self, "years", tuple(sorted({int(y) for y in self.years})))

    @property
    def restricts_countries(self) -> bool:
        return self.countries is not None or self.flagship_only


class ExtractConfig(dg.Config):
    """Run configuration of the extract assets: the fields of ``ExtractSelection`` as lists."""

    countries: list[str] | None = None
    series: list[str] | None = None
    years: list[int] | None = None
    flagship_only: bool = False

    def to_selection(self) -> ExtractSelection:
        return ExtractSelection(
            countries=tuple(self.countries) if self.countries is not None else None,
            series=tuple(self.series) if self.series is not None else None,
            years=tuple(self.years) if self.years is not None else None,
            flagship_only=self.flagship_only,
        )

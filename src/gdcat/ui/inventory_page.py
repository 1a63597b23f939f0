"""The 1+MG inventory for people: ``/inventory``.

The same figures as ``/api/inventory`` (:func:`gdcat.store.compute_inventory`, counted in the
store once per store generation), as a table with a legend for every column, a stacked bar
chart per country, a map of Europe shaded by genomes and the progress toward one million
genomes (server-rendered SVG from :mod:`gdcat.ui.charts`). Beside them, what the catalogue
holds by kind (:func:`gdcat.store.inventory.count_record_kinds`): the inventory counts
datasets; dataset series (their members count) and data services (they hold no genomes) are
named and counted apart, as on the home page and in the search.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from gdcat.store import CountedInventory, Inventory, InventoryRow, Store
from gdcat.store.inventory import (
    GENOME_TARGET,
    SEQUENCING_TYPES,
    RecordKinds,
    count_record_kinds,
)
from gdcat.ui.charts import Bar, Category, ChartText, europe_map, progress_bar, stacked_bar_chart
from gdcat.ui.i18n import N_, Reader
from gdcat.ui.pages import country_name as pages_country_name
from gdcat.ui.pages import format_number, offer_page, reader_of, render
from gdcat.ui.search_page import ACCESS_WORDS, Context
from gdcat.vocab import ACCESS_LEVELS

#: Sequencing types in words, and what each one's count is of.
SEQUENCING_WORDS: dict[str, str] = {
    "WGS": N_("Whole genomes (WGS)"),
    "WES": N_("Exomes (WES)"),
    "PANEL": N_("Gene panels"),
    "ARRAY": N_("Genotyping arrays"),
    "RNASEQ": N_("RNA-seq"),
    "LONGREAD": N_("Long-read genomes"),
}
UNIT_WORDS: dict[str, str] = {
    "WGS": N_("genomes"),
    "WES": N_("exomes"),
    "PANEL": N_("samples"),
    "ARRAY": N_("samples"),
    "RNASEQ": N_("samples"),
    "LONGREAD": N_("genomes"),
}
if set(SEQUENCING_WORDS) != set(SEQUENCING_TYPES):  # a new sequencing type needs its words
    raise RuntimeError("SEQUENCING_WORDS and SEQUENCING_TYPES name different types")


@dataclass(frozen=True)
class Counted:
    """What the page shows, counted at one store generation."""

    generation: int
    inventory: Inventory
    kinds: RecordKinds


class InventoryCounts:
    """The inventory (shared with ``/api/inventory``) and the record kinds, counted once per
    store generation."""

    def __init__(self, store: Store, inventory: CountedInventory) -> None:
        self.store = store
        self.inventory = inventory
        self._lock = threading.Lock()
        self._counted: Counted | None = None

    def get(self) -> Counted:
        generation = self.store.generation
        with self._lock:
            if self._counted is None or self._counted.generation != generation:
                self._counted = Counted(
                    generation, self.inventory.get(), count_record_kinds(self.store)
                )
            return self._counted


def country_name(code: str | None, reader: Reader) -> str:
    """A country's name in the reader's language, or "No known country"."""
    if code is None:
        return reader.gettext(N_("No known country"))
    return pages_country_name(code, reader.lang)


def _row_view(row: InventoryRow, name: str) -> dict[str, Any]:
    return {
        "code": row.country,
        "name": name,
        "datasets": row.datasets,
        "individuals": row.individuals,
        "by_type": [row.by_sequencing_type.get(code, 0) for code in SEQUENCING_TYPES],
        "by_access": [row.by_access.get(level, 0) for level in ACCESS_LEVELS],
        "shareable": row.shareable,
        "not_shareable": row.not_shareable,
        "linked_clinical": row.linked_clinical,
        "no_linked_clinical": row.no_linked_clinical,
        "genomes": row.genomes,
        "exomes": row.exomes,
    }


def chart_text(reader: Reader) -> ChartText:
    """The charts' fixed words in the reader's language."""
    return ChartText(
        no_data=reader.gettext(N_("No data")),
        no_data_description=reader.gettext(N_("There are no figures to show.")),
        progress=reader.gettext(N_("{value} of {target} ({percent})")),
        range=reader.gettext(N_("{low} – {high}")),
        map_value=reader.gettext(N_("{name}: {value}")),
        lang=reader.lang,
    )


def install(app: FastAPI, ctx: Context) -> None:
    """Add ``/inventory`` to ``app``."""
    counts = InventoryCounts(ctx.store, ctx.inventory)
    offer_page(app, "inventory")

    @app.get("/inventory", include_in_schema=False, response_class=HTMLResponse)
    def inventory_page(request: Request) -> HTMLResponse:
        reader = reader_of(request)
        counted = counts.get()
        inventory, kinds = counted.inventory, counted.kinds

        def number(value: float) -> str:
            whole = int(value)
            if whole == value:
                return format_number(whole, reader.lang)
            return format_decimal(value, format="#,##0.0", locale=reader.lang)

        text = chart_text(reader)
        names = {row.country: country_name(row.country, reader) for row in inventory.countries}
        # by the country's name, datasets of no known country last
        ordered = sorted(
            inventory.countries, key=lambda row: (row.country is None, names[row.country])
        )
        rows = [_row_view(row, names[row.country]) for row in ordered]
        known = [row for row in inventory.countries if row.country is not None]
        categories = [
            Category(code, reader.gettext(SEQUENCING_WORDS[code])) for code in SEQUENCING_TYPES
        ]
        bars = [
            Bar(names[row.country], {k: float(v) for k, v in row.by_sequencing_type.items()})
            for row in ordered
            if row.country is not None
        ]
        genomes = {row.country: float(row.genomes) for row in known if row.country}
        home = str(request.base_url)
        keep = f"lang={reader.lang}&" if reader.chosen else ""
        body = render(
            request,
            "inventory.html",
            section="inventory",
            rows=rows,
            totals=_row_view(inventory.totals, reader.gettext(N_("All countries"))),
            countries=len(known),
            kinds=kinds,
            sequencing=[
                (code, SEQUENCING_WORDS[code], UNIT_WORDS[code]) for code in SEQUENCING_TYPES
            ],
            access=[ACCESS_WORDS[level] for level in ACCESS_LEVELS],
            target=GENOME_TARGET,
            wgs_genomes=inventory.wgs_genomes,
            genomes_and_exomes=inventory.genomes_and_exomes,
            progress_chart=progress_bar(
                inventory.wgs_genomes,
                GENOME_TARGET,
                chart_id="inventory-progress",
                title=reader.gettext(N_("Progress toward one million genomes")),
                number=number,
                text=text,
            ),
            bar_chart=stacked_bar_chart(
                bars,
                categories,
                chart_id="inventory-bars",
                title=reader.gettext(
                    N_("Genomes, exomes and samples per country, by sequencing type")
                ),
                description=reader.gettext(
                    N_(
                        "One bar per country, cut by sequencing type; the table below gives "
                        "every figure."
                    )
                ),
                number=number,
                text=text,
            ),
            map_chart=europe_map(
                genomes,
                chart_id="inventory-map",
                title=reader.gettext(N_("Genomes per country")),
                description=reader.gettext(
                    N_(
                        "Countries shaded by the genomes their datasets hold; hatched grey: "
                        "no figures."
                    )
                ),
                names={code: name for code, name in names.items() if code},
                unit=reader.gettext(N_("genomes")),
                number=number,
                text=text,
            ),
            csv_url=f"{home}api/inventory?format=csv",
            json_url=f"{home}api/inventory",
            datasets_url=f"{home}search?{keep}type=dataset",
            series_url=f"{home}search?{keep}type=series",
            search_url=f"{home}search{'?lang=' + reader.lang if reader.chosen else ''}",
        )
        return HTMLResponse(body, headers={"Vary": "Accept-Language"})

"""Planning the demo federation: every random choice, made once, in a fixed order.

The planner turns ``(seed, datasets)`` into plain specs (no RDF yet): which nodes hold how
many records, and for each record its kind, holder, counts, terms, dates and readiness. All
randomness comes from one seeded :class:`random.Random` drawn in a fixed order, and nothing
depends on the clock or on hash ordering, so the same arguments give the same specs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from gdcat.demo.countries import COUNTRIES, PHRASES, Country, Institution
from gdcat.demo.terms import (
    COHORT_PHENOTYPES,
    DISEASES,
    DUO_MODIFIERS,
    EXOME_KITS,
    PLATFORMS,
    Disease,
)


@dataclass(frozen=True)
class KindProfile:
    """What a kind of genomic dataset looks like."""

    key: str
    code: str  # used in identifiers: NL-WGS-0001
    sequencing: str
    holder: str  # genome_centre, hospital or biobank
    individuals: tuple[int, int]
    reference_genomes: tuple[str, ...]
    formats: tuple[tuple[str, ...], ...]  # alternatives
    disease_area: str | None  # None: no disease focus
    health_categories: tuple[str, ...]
    health_theme: str
    activity: str  # health-activity local name
    ages: tuple[int, int]
    frequency: str
    keywords: tuple[str, ...]
    weight: int


def _kind(
    key: str,
    code: str,
    sequencing: str,
    holder: str,
    individuals: tuple[int, int],
    reference_genomes: tuple[str, ...],
    formats: tuple[tuple[str, ...], ...],
    disease_area: str | None,
    health_categories: tuple[str, ...],
    health_theme: str,
    activity: str,
    ages: tuple[int, int],
    frequency: str,
    keywords: tuple[str, ...],
    weight: int,
) -> KindProfile:
    return KindProfile(
        key,
        code,
        sequencing,
        holder,
        individuals,
        reference_genomes,
        formats,
        disease_area,
        health_categories,
        health_theme,
        activity,
        ages,
        frequency,
        keywords,
        weight,
    )


_NCD = "NONCOMMUNICABLE_DISEASES"

# fmt: off
#: Kind, identifier code, sequencing type, holder, individuals (range), reference genomes,
#: file-format alternatives, disease area, health categories, health theme, health activity,
#: typical ages, accrual periodicity, English keywords, relative weight.
KINDS: dict[str, KindProfile] = {k.key: k for k in (
    _kind("wgs_cohort", "WGS", "WGS", "genome_centre", (800, 25000), ("GRCh38",),
          (("CRAM", "VCF", "GVCF"), ("CRAM", "VCF")), "common", ("HGPD", "RQSH"), _NCD,
          "COHORT", (18, 90), "IRREG", ("whole genome sequencing", "population cohort"), 14),
    _kind("wes_series", "WESS", "WES", "hospital", (60, 900), ("GRCh38", "GRCh37"),
          (("BAM", "VCF"), ("CRAM", "VCF")), "rare", ("HGPD", "EHRS"), _NCD,
          "LABORATORY_TESTS", (0, 60), "IRREG",
          ("exome sequencing", "rare disease", "diagnostics"), 12),
    _kind("wes_diagnostic", "WES", "WES", "hospital", (1500, 30000), ("GRCh37", "GRCh38"),
          (("BAM", "VCF"), ("CRAM", "VCF")), "rare", ("HGPD", "EHRS"), _NCD,
          "LABORATORY_TESTS", (0, 80), "NEVER",
          ("exome sequencing", "clinical diagnostics", "rare disease"), 14),
    _kind("panel_cancer", "PNLC", "PANEL", "hospital", (400, 12000), ("GRCh37", "GRCh38"),
          (("BAM", "VCF"),), "cancer", ("HGPD", "MRMR"), "CANCER_DISEASE",
          "LABORATORY_TESTS", (18, 85), "ANNUAL",
          ("gene panel", "hereditary cancer", "oncology"), 10),
    _kind("panel_cardio", "PNLH", "PANEL", "hospital", (300, 6000), ("GRCh37", "GRCh38"),
          (("BAM", "VCF"),), "cardio", ("HGPD", "EHRS"), _NCD, "LABORATORY_TESTS",
          (0, 80), "ANNUAL", ("gene panel", "inherited cardiac disease", "cardiology"), 9),
    _kind("array", "GTA", "ARRAY", "biobank", (5000, 150000), ("GRCh37", "GRCh38"),
          (("VCF",),), "common", ("HGPD", "EINS"), _NCD, "BIOBANK_COLLECTION", (18, 95),
          "IRREG", ("genotyping array", "biobank", "SNP array"), 12),
    _kind("rnaseq", "RNA", "RNASEQ", "hospital", (80, 2500), ("GRCh38",),
          (("FASTQ", "BAM"),), "cancer", ("HGPD", "HPML"), "CANCER_DISEASE",
          "RESEARCH_PROJECT", (18, 85), "IRREG",
          ("RNA-seq", "transcriptomics", "gene expression"), 7),
    _kind("longread", "LRS", "LONGREAD", "genome_centre", (20, 600), ("GRCh38", "T2T-CHM13"),
          (("BAM", "VCF"), ("FASTQ", "BAM", "VCF")), "rare", ("HGPD",), _NCD,
          "RESEARCH_PROJECT", (0, 70), "IRREG",
          ("long-read sequencing", "structural variants", "rare disease"), 6),
    _kind("aggregated", "AF", "WGS", "genome_centre", (1000, 25000), ("GRCh38",),
          (("VCF",),), None, ("HGPD",), _NCD, "COHORT", (18, 90), "ANNUAL",
          ("allele frequencies", "Beacon", "population reference"), 8),
)}
# fmt: on


@dataclass
class DatasetSpec:
    """One record to be written: a dataset, a dataset series or a member of a series."""

    iri: str
    identifier: str
    kind: str
    holder: Institution
    is_series: bool = False
    series_iri: str | None = None
    release: int | None = None
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    keywords: list[tuple[str, str]] = field(default_factory=list)
    access: str = "NON_PUBLIC"
    issued: date = date(2020, 1, 1)
    modified: date = date(2020, 1, 1)
    start: date = date(2018, 1, 1)
    end: date = date(2020, 1, 1)
    individuals: int = 0
    genomes: int | None = None
    exomes: int | None = None
    samples: int | None = None
    min_age: int = 0
    max_age: int = 90
    reference_genomes: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    diseases: list[Disease] = field(default_factory=list)
    phenotypes: list[str] = field(default_factory=list)
    permission: str = "HMB"
    modifiers: list[str] = field(default_factory=list)
    readiness: str = "READY"
    barriers: list[str] = field(default_factory=list)
    consent: str = "BROAD"
    ethics: str = "APPROVED"
    linked_clinical: bool = True
    linked_phenotypic: bool = True
    with_analytics: bool = False
    population: str = ""
    provenance: str = ""
    gene_count: int | None = None
    #: Number of variant sites (aggregated allele-frequency datasets).
    variants: int | None = None
    #: The dataset an aggregated dataset was computed from (dct:source).
    source_iri: str | None = None


@dataclass
class NodePlan:
    country: Country
    base: str
    records: list[DatasetSpec]


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; at least 1 each
    when there are enough to go round)."""
    n = len(weights)
    floor = 1 if total >= n else 0
    rest = total - floor * n
    wsum = sum(weights)
    shares = [rest * w / wsum for w in weights]
    counts = [floor + int(s) for s in shares]
    left = total - sum(counts)
    order = sorted(range(n), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


def node_base(code: str) -> str:
    return f"https://fdp.{code}.demo.gdcat.eu/"


def plan_federation(seed: int, datasets: int) -> list[NodePlan]:
    """The records of every node, decided by one seeded generator."""
    if datasets < 0:
        raise ValueError("datasets must not be negative")
    rng = random.Random(seed)
    counts = _allocate(datasets, [c.weight for c in COUNTRIES])
    plans = []
    for index, (country, count) in enumerate(zip(COUNTRIES, counts, strict=True)):
        planner = _NodePlanner(rng, country, index)
        plans.append(NodePlan(country, node_base(country.code), planner.plan(count)))
    return plans


class _NodePlanner:
    def __init__(self, rng: random.Random, country: Country, index: int) -> None:
        self.rng = rng
        self.country = country
        self.index = index
        self.base = node_base(country.code)
        self.serial: dict[str, int] = {}

    def plan(self, count: int) -> list[DatasetSpec]:
        records: list[DatasetSpec] = []
        keys = list(KINDS)
        weights = [KINDS[k].weight for k in keys]
        first = True
        while len(records) < count:
            room = count - len(records)
            if first:
                # Rotate the first kind across nodes so that every kind shows up even in a
                # small federation.
                kind = keys[self.index % len(keys)]
                first = False
            else:
                kind = self.rng.choices(keys, weights)[0]
            if kind == "wes_series":
                if room < 3:
                    kind = "wes_diagnostic"
                else:
                    members = min(self.rng.randint(2, 4), room - 1)
                    records.extend(self._series(members))
                    continue
            records.append(self._dataset(kind))
        self._link_aggregates(records)
        return records

    def _link_aggregates(self, records: list[DatasetSpec]) -> None:
        """Derive each allele-frequency dataset from one of the node's WGS cohorts."""
        cohorts = [r for r in records if r.kind == "wgs_cohort" and r.genomes]
        for spec in records:
            if spec.kind != "aggregated" or not cohorts:
                continue
            cohort = self.rng.choice(cohorts)
            spec.source_iri = cohort.iri
            spec.individuals = spec.genomes = cohort.genomes or spec.individuals
            spec.start, spec.end = cohort.start, cohort.end
            spec.platforms = list(cohort.platforms)
            spec.reference_genomes = list(cohort.reference_genomes)
            if spec.issued <= cohort.issued:
                spec.issued = cohort.issued + timedelta(days=self.rng.randint(30, 300))
                spec.modified = spec.issued + timedelta(days=self.rng.randint(0, 200))
            self._texts(spec, KINDS["aggregated"])

    # -- identifiers -------------------------------------------------------------------

    def _identifier(self, kind: KindProfile) -> str:
        n = self.serial.get(kind.code, 0) + 1
        self.serial[kind.code] = n
        return f"{self.country.code.upper()}-{kind.code}-{n:04d}"

    def _iri(self, identifier: str) -> str:
        return f"{self.base}dataset/{identifier.lower()}"

    # -- records -----------------------------------------------------------------------

    def _series(self, members: int) -> list[DatasetSpec]:
        kind = KINDS["wes_series"]
        identifier = self._identifier(kind)
        series = DatasetSpec(
            self._iri(identifier),
            identifier,
            kind.key,
            getattr(self.country, kind.holder),
            is_series=True,
        )
        self._fill(series, kind)
        out = [series]
        first_year = series.start.year
        for release in range(1, members + 1):
            mid = f"{identifier}-R{release}"
            member = DatasetSpec(
                self._iri(mid), mid, kind.key, series.holder, series_iri=series.iri, release=release
            )
            self._fill(member, kind, template=series)
            year = min(first_year + release, 2024)
            member.start = date(year - 1, 1 + self.rng.randrange(12), 1)
            member.end = date(year, 1 + self.rng.randrange(12), 1)
            member.issued = member.end + timedelta(days=self.rng.randint(30, 300))
            member.modified = member.issued + timedelta(days=self.rng.randint(0, 200))
            self._texts(member, kind)
            out.append(member)
        series.start = min(m.start for m in out[1:])
        series.end = max(m.end for m in out[1:])
        series.issued = min(m.issued for m in out[1:])
        series.modified = max(m.modified for m in out[1:])
        self._texts(series, kind)
        return out

    def _dataset(self, key: str) -> DatasetSpec:
        kind = KINDS[key]
        identifier = self._identifier(kind)
        spec = DatasetSpec(
            self._iri(identifier), identifier, key, getattr(self.country, kind.holder)
        )
        self._fill(spec, kind)
        self._texts(spec, kind)
        return spec

    def _fill(
        self, spec: DatasetSpec, kind: KindProfile, template: DatasetSpec | None = None
    ) -> None:
        rng = self.rng
        # dates
        start_year = rng.randint(2012, 2021)
        spec.start = date(start_year, 1 + rng.randrange(12), 1)
        spec.end = date(min(start_year + rng.randint(1, 5), 2024), 1 + rng.randrange(12), 1)
        if spec.end <= spec.start:
            spec.end = spec.start + timedelta(days=365)
        spec.issued = spec.end + timedelta(days=rng.randint(30, 400))
        spec.modified = spec.issued + timedelta(days=rng.randint(0, 500))
        # terms
        if template is not None:
            spec.diseases = list(template.diseases)
            spec.reference_genomes = list(template.reference_genomes)
            spec.platforms = list(template.platforms)
            spec.formats = list(template.formats)
        else:
            spec.diseases = self._diseases(kind)
            spec.reference_genomes = [rng.choice(kind.reference_genomes)]
            if kind.key == "longread" and spec.reference_genomes == ["T2T-CHM13"]:
                spec.reference_genomes.append("GRCh38")
            spec.platforms = [rng.choice(PLATFORMS[kind.sequencing])]
            spec.formats = list(rng.choice(kind.formats))
        pheno: list[str] = []
        for disease in spec.diseases:
            for hp in disease.phenotypes:
                if hp not in pheno:
                    pheno.append(hp)
        if kind.key == "wgs_cohort":
            pheno.extend(p for p in rng.sample(COHORT_PHENOTYPES, 3) if p not in pheno)
        spec.phenotypes = pheno if kind.key != "aggregated" else []
        # counts
        lo, hi = kind.individuals
        n = int(lo * (hi / lo) ** rng.random())
        spec.individuals = n
        # paediatric cohorts start at birth; adult ones at 18 or a little later
        spec.min_age = kind.ages[0] + (rng.randint(0, 5) if kind.ages[0] else 0)
        spec.max_age = kind.ages[1] - rng.randint(0, 10)
        if spec.is_series:
            spec.individuals = 0
        elif kind.key == "aggregated":
            spec.genomes = n  # the genomes the frequencies were computed from
        elif kind.sequencing in ("WGS", "LONGREAD"):
            spec.genomes = n - rng.randint(0, max(1, n // 50))
            spec.samples = spec.genomes + rng.randint(0, max(1, n // 40))
        elif kind.sequencing == "WES":
            spec.exomes = n - rng.randint(0, max(1, n // 60))
            spec.samples = spec.exomes + rng.randint(0, max(1, n // 30))
        elif kind.sequencing == "RNASEQ":
            spec.samples = n + rng.randint(0, n)  # several tissues per person
        elif kind.sequencing in ("PANEL", "ARRAY"):
            spec.samples = n + rng.randint(0, max(1, n // 100))
        if kind.key == "aggregated":
            spec.variants = rng.randint(40_000_000, 160_000_000)
        if kind.sequencing == "PANEL":
            spec.gene_count = rng.choice((24, 47, 94, 113, 174, 250))
        # access, readiness, data use
        self._access(spec, kind, template)
        spec.with_analytics = kind.key in ("wgs_cohort", "array") or rng.random() < 0.2

    def _diseases(self, kind: KindProfile) -> list[Disease]:
        if kind.disease_area is None:
            return []
        pool = [d for d in DISEASES if d.area == kind.disease_area]
        if kind.disease_area == "rare" and kind.key == "wes_diagnostic":
            return self.rng.sample(pool, self.rng.randint(2, 4))
        if kind.disease_area == "common":
            if kind.key == "wgs_cohort" and self.rng.random() < 0.5:
                return []
            return self.rng.sample(pool, self.rng.randint(1, 3))
        if kind.key in ("panel_cancer", "panel_cardio"):
            return self.rng.sample(pool, min(len(pool), self.rng.randint(2, 3)))
        return [self.rng.choice(pool)]

    def _access(self, spec: DatasetSpec, kind: KindProfile, template: DatasetSpec | None) -> None:
        rng = self.rng
        if kind.key == "aggregated":
            spec.access = "PUBLIC"
            spec.readiness = "READY"
            spec.permission = "NRES"
            spec.modifiers = []
            spec.consent = "BROAD"
            spec.ethics = "NOT_REQUIRED"
            spec.linked_clinical = False
            spec.linked_phenotypic = False
            return
        if template is not None:
            for name in (
                "access",
                "readiness",
                "barriers",
                "permission",
                "modifiers",
                "consent",
                "ethics",
                "linked_clinical",
                "linked_phenotypic",
            ):
                value = getattr(template, name)
                setattr(spec, name, list(value) if isinstance(value, list) else value)
            return
        spec.access = "RESTRICTED" if rng.random() < 0.18 else "NON_PUBLIC"
        if kind.key == "wes_diagnostic":
            readiness = rng.choices(("READY", "CONDITIONAL", "NOT_READY"), (1, 2, 7))[0]
        else:
            readiness = rng.choices(("READY", "CONDITIONAL", "NOT_READY"), (5, 3, 2))[0]
        spec.readiness = readiness
        if readiness == "READY":
            spec.barriers = []
        elif readiness == "CONDITIONAL":
            spec.barriers = [
                rng.choice(("ETHICS_APPROVAL", "CLINICAL_LINKAGE", "TECHNICAL", "LEGAL_BASIS"))
            ]
        else:
            others = rng.sample(
                ("ETHICS_APPROVAL", "LEGAL_BASIS", "CLINICAL_LINKAGE", "TECHNICAL"),
                rng.randint(0, 2),
            )
            spec.barriers = ["CONSENT", *sorted(others)]
        if "CONSENT" in spec.barriers:
            spec.consent = rng.choice(
                ("CLINICAL_ONLY", "CLINICAL_ONLY", "RECONTACT_REQUIRED", "UNKNOWN")
            )
        else:
            spec.consent = "SPECIFIC" if spec.diseases and rng.random() < 0.4 else "BROAD"
        spec.ethics = (
            rng.choice(("PENDING", "NOT_REQUESTED", "REJECTED"))
            if "ETHICS_APPROVAL" in spec.barriers
            else "APPROVED"
        )
        spec.linked_clinical = "CLINICAL_LINKAGE" not in spec.barriers and (
            kind.holder == "hospital" or rng.random() < 0.6
        )
        spec.linked_phenotypic = bool(spec.phenotypes) or rng.random() < 0.5
        if spec.diseases and (spec.consent == "SPECIFIC" or rng.random() < 0.3):
            spec.permission = "DS"
        elif kind.key == "wgs_cohort" and rng.random() < 0.15:
            spec.permission = "POA"
        else:
            spec.permission = rng.choice(("GRU", "HMB", "HMB"))
        pool = list(DUO_MODIFIERS)
        spec.modifiers = sorted(rng.sample(pool, rng.randint(0, 3)))
        if spec.readiness == "NOT_READY" and "US" not in spec.modifiers:
            spec.modifiers = sorted([*spec.modifiers, "US"])

    # -- words -------------------------------------------------------------------------

    def _texts(self, spec: DatasetSpec, kind: KindProfile) -> None:
        country = self.country
        lang = country.language
        native, english = PHRASES[lang], PHRASES["en"]
        inst_nat, inst_en = spec.holder.native, spec.holder.english
        suffix = f" (R{spec.release})" if spec.release else ""
        focus_en = ", ".join(d.label for d in spec.diseases[:2])
        focus_code = ", ".join(d.code for d in spec.diseases[:2])
        years = f"{spec.start.year}–{spec.end.year}"
        if kind.key == "panel_cancer" or kind.key == "panel_cardio":
            focus_en = f"{spec.gene_count} genes" + (f", {focus_en}" if focus_en else "")
            focus_code = f"{spec.gene_count}" + (f", {focus_code}" if focus_code else "")
        title_en = english.kinds[kind.key]
        title_nat = native.kinds[kind.key]
        if focus_en and kind.key not in ("wgs_cohort", "array"):
            title_en += f": {focus_en}"
            title_nat += f": {focus_code}"
        spec.title = {
            lang: f"{title_nat} – {inst_nat}, {years}{suffix}",
            "en": f"{title_en} – {inst_en}, {years}{suffix}",
        }
        n = spec.individuals
        what_nat = native.kinds[kind.key]
        what_en = english.kinds[kind.key]
        y0, y1 = spec.start.year, spec.end.year
        spec.description = {
            lang: native.description.format(kind=what_nat, n=n, y0=y0, y1=y1, inst=inst_nat),
            "en": english.description.format(kind=what_en, n=n, y0=y0, y1=y1, inst=inst_en)
            + self._detail_en(spec, kind),
        }
        if spec.is_series:
            spec.description = {
                lang: f"{what_nat}: {focus_code} – {inst_nat}.",
                "en": f"{what_en}: {focus_en}. Releases of exome data from {inst_en}, "
                f"{years}; each release is a dataset of this series.",
            }
        keywords = [(k, "en") for k in kind.keywords]
        keywords += [(d.label, "en") for d in spec.diseases]
        keywords += [("genomics", "en"), (native.keyword, lang)]
        if kind.key not in ("wgs_cohort", "array", "aggregated"):
            keywords.append((native.kinds[kind.key].split(" (")[0], lang))
        spec.keywords = list(dict.fromkeys(keywords))
        spec.population = self._population(spec, kind)
        spec.provenance = self._provenance(spec, kind)

    def _detail_en(self, spec: DatasetSpec, kind: KindProfile) -> str:
        ref = " and ".join(spec.reference_genomes)
        platform = spec.platforms[0] if spec.platforms else "unknown platform"
        if kind.key == "aggregated":
            return (
                f" Allele counts and frequencies per variant computed from {spec.individuals} "
                f"whole genomes aligned to {ref}; no individual-level data. Queryable "
                "through a GA4GH Beacon v2 endpoint."
            )
        if kind.sequencing == "WES":
            kit = EXOME_KITS[len(spec.identifier) % len(EXOME_KITS)]
            return f" Exomes captured with {kit}, sequenced on {platform}, aligned to {ref}."
        if kind.sequencing == "PANEL":
            return (
                f" Targeted panel of {spec.gene_count} genes sequenced on {platform}, "
                f"aligned to {ref}."
            )
        if kind.sequencing == "ARRAY":
            return f" Genotypes from the {platform}, coordinates on {ref}."
        if kind.sequencing == "RNASEQ":
            return f" Total RNA sequenced on {platform}; reads mapped to {ref}."
        return f" Sequenced on {platform}, aligned to {ref}."

    def _population(self, spec: DatasetSpec, kind: KindProfile) -> str:
        where = self.country.english
        ages = f"aged {spec.min_age}–{spec.max_age}"
        if kind.key in ("wgs_cohort", "aggregated"):
            return f"Adults {ages} recruited from the general population of {where}."
        if kind.key == "array":
            return f"Biobank participants {ages} from {where}."
        if kind.disease_area == "rare":
            return (
                f"Patients {ages} referred to {spec.holder.english} with a suspected "
                "rare genetic disorder, and their relatives."
            )
        if kind.disease_area == "cancer":
            return f"Patients {ages} tested for hereditary or somatic cancer in {where}."
        return f"Patients {ages} with suspected inherited cardiac disease in {where}."

    def _provenance(self, spec: DatasetSpec, kind: KindProfile) -> str:
        holder = spec.holder.english
        if kind.key == "aggregated":
            return (
                f"Derived by {holder} from quality-controlled joint-called genomes; "
                "frequencies are released only for variants seen in at least five people."
            )
        if kind.key == "wes_diagnostic":
            return (
                f"Exomes sequenced for clinical diagnosis at {holder}; archived after "
                "reporting under the hospital's retention policy."
            )
        if kind.key == "array":
            return (
                f"Blood samples from biobank participants genotyped at {holder}; "
                "imputed against a population reference panel."
            )
        return (
            f"Samples collected at {holder} with informed consent, sequenced and processed "
            "with a standard alignment and variant-calling pipeline."
        )

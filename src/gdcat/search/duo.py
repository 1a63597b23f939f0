"""Data-use matching with the GA4GH Data Use Ontology (DUO, release 2021-02-23).

A dataset states one data use *permission* and any number of *modifiers*
(``gdcat:dataUsePermission``, ``gdcat:dataUseModifier``); a disease-specific permission (DS)
applies to the dataset's diseases (``gdcat:disease``). A researcher describes a *purpose*: the
kind of research (a permission term used as a category), the diseases of a disease-specific
study, and whether the use is commercial, by a for-profit organisation, methods development,
clinical care, or phenotype research alone. :func:`evaluate` says whether the dataset permits
the purpose, why not, and which conditions the researcher must still meet.

The rules follow DUO's definitions:

| dataset permission | permits a purpose of kind |
|---|---|
| NRES no restriction (DUO:0000004) | anything, clinical care included |
| GRU general research use (DUO:0000042) | "any research purpose": GRU, HMB, DS, POA |
| HMB health/medical/biomedical (DUO:0000006) | HMB and DS ("does not include the study |
| | of population origins or ancestry") |
| DS disease-specific (DUO:0000007) | DS(Y) when every disease Y of the study is a |
| | disease X of the dataset or narrower |
| POA population origins or ancestry only (DUO:0000011) | POA only |

DUO places DS under HMB under GRU, so a study of a narrower kind is permitted wherever a broader
one is. Modifiers refuse a purpose when their definition excludes it: NCU (DUO:0000046,
non-commercial use only) a commercial use; NPU (DUO:0000045, not-for-profit organisations only)
a for-profit user; NPUNCU (DUO:0000018) either; NMDS (DUO:0000015) methods development; GSO
(DUO:0000016, genetic studies only) phenotype research alone; NPOA (DUO:00000044, an
eight-digit IRI in this release) population origins or ancestry research. Clinical care is
permitted only by NRES or the CC modifier (DUO:0000043). Every other modifier (publication,
collaboration, ethics approval, geography, moratorium, time limit, approved users, project,
institution, return of results, research type) refuses nothing and is returned as a condition
to meet, as are the refusing modifiers a purpose does not trigger (they still bind its use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

DUO = "http://purl.obolibrary.org/obo/DUO_"


@dataclass(frozen=True)
class DuoTerm:
    """One DUO term gdcat understands."""

    iri: str
    shorthand: str
    label: str
    kind: str  # "permission" or "modifier"

    @property
    def curie(self) -> str:
        return "DUO:" + self.iri[len(DUO) :]


def _term(number: str, shorthand: str, label: str, kind: str) -> DuoTerm:
    return DuoTerm(DUO + number, shorthand, label, kind)


#: The DUO terms of release 2021-02-23 used for data use (labels and shorthands as published).
TERMS: tuple[DuoTerm, ...] = (
    _term("0000004", "NRES", "no restriction", "permission"),
    _term("0000042", "GRU", "general research use", "permission"),
    _term("0000006", "HMB", "health or medical or biomedical research", "permission"),
    _term("0000007", "DS", "disease specific research", "permission"),
    _term("0000011", "POA", "population origins or ancestry research only", "permission"),
    _term("0000012", "RS", "research specific restrictions", "modifier"),
    _term("0000015", "NMDS", "no general methods research", "modifier"),
    _term("0000016", "GSO", "genetic studies only", "modifier"),
    _term("0000018", "NPUNCU", "not for profit, non commercial use only", "modifier"),
    _term("0000019", "PUB", "publication required", "modifier"),
    _term("0000020", "COL", "collaboration required", "modifier"),
    _term("0000021", "IRB", "ethics approval required", "modifier"),
    _term("0000022", "GS", "geographical restriction", "modifier"),
    _term("0000024", "MOR", "publication moratorium", "modifier"),
    _term("0000025", "TS", "time limit on use", "modifier"),
    _term("0000026", "US", "user specific restriction", "modifier"),
    _term("0000027", "PS", "project specific restriction", "modifier"),
    _term("0000028", "IS", "institution specific restriction", "modifier"),
    _term("0000029", "RTN", "return to database or resource", "modifier"),
    _term("0000043", "CC", "clinical care use", "modifier"),
    _term("00000044", "NPOA", "population origins or ancestry research prohibited", "modifier"),
    _term("0000045", "NPU", "not for profit organisation use only", "modifier"),
    _term("0000046", "NCU", "non-commercial use only", "modifier"),
)
TERMS_BY_IRI: dict[str, DuoTerm] = {t.iri: t for t in TERMS}
TERMS_BY_SHORTHAND: dict[str, DuoTerm] = {t.shorthand: t for t in TERMS}


class Category(StrEnum):
    """The kinds of research a purpose can be, named by their DUO permission terms."""

    GRU = DUO + "0000042"
    HMB = DUO + "0000006"
    DS = DUO + "0000007"
    POA = DUO + "0000011"


NRES = DUO + "0000004"
_CC = DUO + "0000043"
_NCU, _NPU, _NPUNCU = DUO + "0000046", DUO + "0000045", DUO + "0000018"
_NMDS, _GSO, _NPOA = DUO + "0000015", DUO + "0000016", DUO + "00000044"

#: Purpose kind -> the kinds it falls under (itself included), after DUO's DS ⊑ HMB ⊑ GRU and
#: GRU's "any research purpose" (which covers POA).
_FALLS_UNDER: dict[Category, frozenset[str]] = {
    Category.GRU: frozenset({Category.GRU}),
    Category.HMB: frozenset({Category.HMB, Category.GRU}),
    Category.DS: frozenset({Category.DS, Category.HMB, Category.GRU}),
    Category.POA: frozenset({Category.POA, Category.GRU}),
}

#: Permissions a dataset may state; any other permission IRI permits nothing.
PERMISSIONS = frozenset({NRES, *Category})


@dataclass(frozen=True)
class Purpose:
    """A research purpose in DUO terms. ``category`` None: only the flags are checked."""

    category: Category | None = None
    #: diseases of a disease-specific study (IRIs)
    diseases: tuple[str, ...] = ()
    commercial: bool = False
    for_profit: bool = False
    methods: bool = False
    clinical_care: bool = False
    phenotype_only: bool = False


@dataclass(frozen=True)
class DataUse:
    """What a dataset states about its use."""

    permissions: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()
    #: the dataset's diseases, to which a DS permission applies (IRIs)
    diseases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A requirement the researcher must meet (a modifier that did not refuse the purpose)."""

    iri: str
    shorthand: str | None
    label: str


@dataclass(frozen=True)
class Verdict:
    permitted: bool
    #: why the purpose is refused (empty when permitted)
    reasons: tuple[str, ...]
    conditions: tuple[Condition, ...]


#: ``narrower(y, x)``: is disease ``y`` the same as ``x`` or narrower?
Narrower = Callable[[str, str], bool]


def effective_permission(permissions: Iterable[str]) -> str | None:
    """The one permission a dataset's permission terms amount to, or None if they permit
    nothing (none stated, an unknown term, or terms that contradict each other).

    Several terms restrict each other: the narrowest wins when they form a chain (DS with HMB
    is DS); terms that share no use (HMB and POA) permit nothing.
    """
    terms = set(permissions)
    if not terms or not terms <= PERMISSIONS:
        return None
    for candidate in terms:
        if all(_within(candidate, other) for other in terms):
            return candidate
    return None


def _within(narrow: str, broad: str) -> bool:
    """Every use ``narrow`` permits is permitted by ``broad``."""
    if broad == NRES:
        return True
    if narrow == NRES:
        return False
    return broad in _FALLS_UNDER[Category(narrow)]


@dataclass(frozen=True)
class Rule:
    """What a purpose asks of a dataset; :func:`evaluate` and the search index both apply it."""

    #: effective permissions that permit the purpose whatever the dataset's diseases
    unconditional: frozenset[str]
    #: the study's diseases when a DS dataset may permit it (each must be one of the
    #: dataset's diseases or narrower); None when DS datasets refuse the purpose
    disease_specific: tuple[str, ...] | None
    #: the dataset must be NRES or carry the clinical care modifier (CC)
    clinical_care: bool
    #: modifiers that refuse the purpose
    refusing: frozenset[str]


CLINICAL_CARE = _CC


def rule(purpose: Purpose) -> Rule:
    """The rule a dataset must satisfy to permit ``purpose``."""
    if purpose.category is None:
        unconditional: frozenset[str] = PERMISSIONS
        disease_specific: tuple[str, ...] | None = None
    else:
        unconditional = frozenset({NRES, *(_FALLS_UNDER[purpose.category] - {Category.DS})})
        wants_ds = purpose.category is Category.DS and bool(purpose.diseases)
        disease_specific = purpose.diseases if wants_ds else None
    refusing: set[str] = set()
    if purpose.commercial:
        refusing |= {_NCU, _NPUNCU}
    if purpose.for_profit:
        refusing |= {_NPU, _NPUNCU}
    if purpose.methods:
        refusing.add(_NMDS)
    if purpose.phenotype_only:
        refusing.add(_GSO)
    if purpose.category is Category.POA:
        refusing.add(_NPOA)
    return Rule(unconditional, disease_specific, purpose.clinical_care, frozenset(refusing))


def evaluate(use: DataUse, purpose: Purpose, narrower: Narrower) -> Verdict:
    """Whether ``use`` permits ``purpose``, why not, and the conditions to meet."""
    wanted = rule(purpose)
    reasons: list[str] = []
    permission = effective_permission(use.permissions)
    if permission is None:
        reasons.append(_no_permission(use.permissions))
    elif permission not in wanted.unconditional:
        reasons.extend(_permission_refusal(permission, use, purpose, wanted, narrower))
    if wanted.clinical_care and permission != NRES and _CC not in use.modifiers:
        reasons.append("clinical care needs no restriction (NRES) or clinical care use (CC)")
    for modifier in dict.fromkeys(use.modifiers):
        if modifier in wanted.refusing:
            term = TERMS_BY_IRI[modifier]
            reasons.append(f"{term.label} ({term.shorthand}) refuses {_why(modifier, purpose)}")
    if reasons:
        return Verdict(False, tuple(reasons), ())
    conditions = tuple(_condition(m) for m in dict.fromkeys(use.modifiers) if m != _CC)
    return Verdict(True, (), conditions)


def _permission_refusal(
    permission: str, use: DataUse, purpose: Purpose, wanted: Rule, narrower: Narrower
) -> list[str]:
    assert purpose.category is not None
    kind = TERMS_BY_IRI[purpose.category].shorthand
    term = TERMS_BY_IRI[permission]
    if permission != Category.DS or purpose.category is not Category.DS:
        return [f"{term.label} ({term.shorthand}) does not permit {kind} research"]
    if wanted.disease_specific is None:
        return ["a disease-specific dataset needs the study's disease (purpose_disease)"]
    if not use.diseases:
        return ["the disease-specific permission names no disease"]
    outside = [y for y in wanted.disease_specific if not any(narrower(y, x) for x in use.diseases)]
    if outside:
        return [
            "disease specific research (DS) is limited to the dataset's diseases; "
            f"{', '.join(outside)} is neither one of them nor narrower"
        ]
    return []


def _no_permission(permissions: tuple[str, ...]) -> str:
    if not permissions:
        return "the dataset states no data use permission"
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        return f"unknown data use permission {unknown[0]}"
    return "the dataset's data use permissions contradict each other"


def _why(modifier: str, purpose: Purpose) -> str:
    if modifier in (_NCU, _NPUNCU) and purpose.commercial:
        return "commercial use"
    if modifier in (_NPU, _NPUNCU):
        return "use by a for-profit organisation"
    if modifier == _NMDS:
        return "methods development"
    if modifier == _GSO:
        return "phenotype research alone"
    return "population origins or ancestry research"


def _condition(modifier: str) -> Condition:
    term = TERMS_BY_IRI.get(modifier)
    if term is None:
        return Condition(modifier, None, "a condition gdcat does not know: ask the data holder")
    return Condition(term.iri, term.shorthand, term.label)

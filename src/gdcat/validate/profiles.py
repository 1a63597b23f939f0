"""Validation profiles: which shapes files make up each profile and how they are loaded.

A profile is a named set of SHACL shapes. Most have one shapes graph; HealthDCAT-AP Release 8
has three *levels* (PUBLIC, RESTRICTED, NON_PUBLIC), composed as the official validator's
``config.properties`` composes them, and the plain ``healthdcat-ap-r8`` profile picks the level
of each dataset from its ``dct:accessRights``.

Shapes are vendored unchanged under ``shapes/`` (see ``shapes/SOURCES.md``). The upstream
defects are worked around here, at load time, never by editing the vendored files:

* a prefix used but not declared (GDI ``Identifier.ttl``) is declared in front of the text
  before parsing (:data:`ShapeFile.missing_prefixes`);
* a property shape without ``sh:path`` (HealthDCAT-AP's "structured data needs variables"
  ``sh:or``) cannot be loaded by pySHACL: it is removed, and the rule comes back as a
  SPARQL-based constraint from ``shapes/healthdcat-ap-r8/workarounds/``;
* targets that the FAIR Data Point gives through schema inheritance (Dataset *extends*
  Resource) are declared in ``shapes/fdp/workarounds/``.

Each shapes graph is parsed once per process (:func:`shapes_graph` is cached) into rdflib's
non-context-aware store, which pySHACL reads about a quarter faster than the default one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, SH
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from gdcat.errors import ProfileError
from gdcat.paths import shapes_dir
from gdcat.vocab import ACCESS_LEVELS, ACCESS_RIGHT

log = logging.getLogger(__name__)

PUBLIC, RESTRICTED, NON_PUBLIC = ACCESS_LEVELS
#: The level name of profiles that have a single shapes graph.
SINGLE = ""


@dataclass(frozen=True)
class ShapeFile:
    """One shapes file, relative to ``shapes/``, with the prefixes it forgets to declare."""

    path: str
    missing_prefixes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Level:
    """One shapes graph of a profile (profiles without levels have one, named ``""``)."""

    name: str
    files: tuple[ShapeFile, ...]


@dataclass(frozen=True)
class Profile:
    """A named set of shapes gdcat validates records against."""

    name: str
    title: str
    levels: tuple[Level, ...]
    #: What the profile is for and who asks for it, in one sentence: the one source of
    #: ``gdcat profiles``, the validation page and the describe form (which translate it:
    #: ``make messages`` extracts the sentences marked ``N_`` here).
    purpose: str = ""
    #: True when the level of each dataset is read from its ``dct:accessRights``.
    level_from_access_rights: bool = False
    #: Glob (relative to ``shapes/``) of generated shapes files, read when the graph is loaded.
    glob: str | None = None

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)

    @property
    def default_level(self) -> str:
        """The level used for nodes that are not datasets and datasets without a known level."""
        return self.levels[0].name

    def level_for(self, graph: Graph, dataset: Node) -> str:
        """The level ``dataset`` is validated at: its access right, else the default level."""
        if not self.level_from_access_rights:
            return self.default_level
        return self.level_of(
            str(value)
            for value in graph.objects(dataset, DCTERMS.accessRights)
            if isinstance(value, URIRef)
        )

    def level_of(self, access_rights: Iterable[str]) -> str:
        """The level of a dataset whose ``dct:accessRights`` IRIs are ``access_rights`` (in
        the order they are read): the first that names a level, else the default level."""
        if not self.level_from_access_rights:
            return self.default_level
        names = self.level_names
        for text in access_rights:
            if text.startswith(str(ACCESS_RIGHT)):
                code = text[len(str(ACCESS_RIGHT)) :]
                if code in names:
                    return code
        return self.default_level

    def files(self, level: str) -> tuple[ShapeFile, ...]:
        """The shapes files of ``level`` (for a generated profile: what the glob finds now)."""
        for candidate in self.levels:
            if candidate.name == level:
                found = candidate.files
                if self.glob is not None:
                    found = found + tuple(
                        ShapeFile(str(path.relative_to(shapes_dir())))
                        for path in sorted(shapes_dir().glob(self.glob))
                    )
                return found
        raise ProfileError(f"profile {self.name!r} has no level {level!r}")

    def shapes_graph(self, level: str | None = None) -> Graph:
        """The parsed shapes of ``level`` (cached per process)."""
        return shapes_graph(self.name, self.default_level if level is None else level)


# --- the profiles -----------------------------------------------------------------------

_DCAT_AP_3 = (
    ShapeFile("dcat-ap-3/shapes.ttl"),
    ShapeFile("dcat-ap-3/range.ttl"),
    ShapeFile("dcat-ap-3/mdr-vocabularies.shape.ttl"),
    ShapeFile("dcat-ap-3/shapes_recommended.ttl"),
    ShapeFile("dcat-ap-3/deprecateduris.ttl"),
)

_LEVEL_FILE_NAMES = {PUBLIC: "public", RESTRICTED: "restricted", NON_PUBLIC: "non-public"}


def _healthdcat_level(level: str) -> Level:
    """One level as the official validator composes it (``validator-config.properties``).

    ``deprecated/deprecateduris.ttl`` there is DCAT-AP's file, and the DCAT-AP 3 shapes come in
    through ``owl:imports`` of the HealthDCAT-AP files. HealthDCAT-AP reuses DCAT-AP's node
    shape IRIs, so both sets of property shapes merge into the same node shapes.
    """
    name = _LEVEL_FILE_NAMES[level]
    return Level(
        level,
        (
            ShapeFile("healthdcat-ap-r8/shapes/graph-guard.ttl"),
            ShapeFile("healthdcat-ap-r8/ranges/range.ttl"),
            ShapeFile(f"healthdcat-ap-r8/shapes/{name}-shapes.ttl"),
            ShapeFile("healthdcat-ap-r8/controlled-vocabularies/mdr-vocabularies.shape.ttl"),
            ShapeFile(f"healthdcat-ap-r8/recommended/{name}-shapes_recommended.ttl"),
            ShapeFile("healthdcat-ap-r8/workarounds/structured-data-needs-variables.ttl"),
            *_DCAT_AP_3,
        ),
    )


_FOAF = (("foaf", str(FOAF)),)

_GDI = (
    # Pieces concatenated as the GDI schema tool does (schema-tool/Properties.yaml).
    ShapeFile("gdi/Resource.ttl"),
    ShapeFile("gdi/Catalog.ttl"),
    ShapeFile("gdi/Dataset.ttl"),
    ShapeFile("gdi/AgentCreator.ttl"),
    ShapeFile("gdi/AgentHdab.ttl"),
    ShapeFile("gdi/Kind.ttl"),
    ShapeFile("gdi/Identifier.ttl", missing_prefixes=_FOAF),
    ShapeFile("gdi/Distribution.ttl"),
    ShapeFile("gdi/DataService.ttl"),
)

_FDP = (
    ShapeFile("fdp/shape-resource.ttl"),
    ShapeFile("fdp/shape-fdp.ttl"),
    ShapeFile("fdp/shape-metadata-service.ttl"),
    ShapeFile("fdp/shape-data-service.ttl"),
    ShapeFile("fdp/shape-catalog.ttl"),
    ShapeFile("fdp/shape-dataset.ttl"),
    ShapeFile("fdp/shape-distribution.ttl"),
    ShapeFile("fdp/workarounds/schema-inheritance.ttl"),
)

_ALL_LEVELS = tuple(_healthdcat_level(level) for level in (PUBLIC, RESTRICTED, NON_PUBLIC))


def N_(message: str) -> str:
    """Mark ``message`` for the pages' message catalogue (``make messages`` reads this file);
    the validation page translates it where it shows it."""
    return message


_PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "gdcat",
            "gdcat's own shapes, generated from the LinkML model",
            (Level(SINGLE, ()),),
            glob="gdcat/*.ttl",
            purpose=N_(
                "gdcat's own rules, generated from its model: what a genomic dataset needs to "
                "be found, counted and matched to a study in this catalogue; national nodes "
                "publishing to gdcat are held to it."
            ),
        ),
        Profile(
            "dcat-ap-3",
            "DCAT-AP 3.0.1 (SEMIC)",
            (Level(SINGLE, _DCAT_AP_3),),
            purpose=N_(
                "DCAT-AP 3, the European profile for data catalogues: what data.europa.eu and "
                "the national open-data portals ask of every dataset they list."
            ),
        ),
        Profile(
            "healthdcat-ap-r8",
            "HealthDCAT-AP Release 8, level chosen per dataset from dct:accessRights",
            _ALL_LEVELS,
            level_from_access_rights=True,
            purpose=N_(
                "HealthDCAT-AP Release 8, the profile of the European Health Data Space: what "
                "HealthData@EU and the health data access bodies ask of health datasets, with "
                "more fields for restricted and non-public data."
            ),
        ),
        Profile(
            "healthdcat-ap-r8-public",
            "HealthDCAT-AP Release 8, PUBLIC",
            (_ALL_LEVELS[0],),
            purpose=N_("HealthDCAT-AP Release 8 for public data."),
        ),
        Profile(
            "healthdcat-ap-r8-restricted",
            "HealthDCAT-AP Release 8, RESTRICTED",
            (_ALL_LEVELS[1],),
            purpose=N_("HealthDCAT-AP Release 8 for restricted data."),
        ),
        Profile(
            "healthdcat-ap-r8-non-public",
            "HealthDCAT-AP Release 8, NON_PUBLIC",
            (_ALL_LEVELS[2],),
            purpose=N_("HealthDCAT-AP Release 8 for non-public data."),
        ),
        Profile(
            "gdi",
            "GDI (1+MG) metadata model v1.1",
            (Level(SINGLE, _GDI),),
            purpose=N_(
                "The metadata model of the Genomic Data Infrastructure (1+MG): what the GDI "
                "user portal and the national GDI nodes ask of genomic datasets."
            ),
        ),
        Profile(
            "fdp",
            "FAIR Data Point reference implementation",
            (Level(SINGLE, _FDP),),
            purpose=N_(
                "The FAIR Data Point reference shapes: what a FAIR Data Point (the EJP RD "
                "Virtual Platform's, for instance) needs to publish a dataset's metadata."
            ),
        ),
    )
}

#: Every profile name :func:`get_profile` accepts.
PROFILE_NAMES: tuple[str, ...] = tuple(_PROFILES)


def get_profile(name: str) -> Profile:
    """The profile called ``name``; :class:`ProfileError` (listing the valid names) if unknown."""
    try:
        return _PROFILES[name]
    except KeyError:
        valid = ", ".join(PROFILE_NAMES)
        raise ProfileError(f"unknown validation profile {name!r}; choose one of: {valid}") from None


# --- loading ----------------------------------------------------------------------------


def shapes_graph(profile_name: str, level: str) -> Graph:
    """The shapes graph of one profile level, parsed once per process.

    Profiles sharing a level (``healthdcat-ap-r8`` and ``healthdcat-ap-r8-public``) share the
    parsed graph: the cache is keyed by the list of files.
    """
    profile = get_profile(profile_name)
    files = profile.files(level)
    if not files:
        raise ProfileError(
            f"profile {profile_name!r} has no shapes yet (expected {profile.glob!r} under "
            f"{shapes_dir()}); generate them first (make generate)"
        )
    return _load(shapes_dir(), files)


@cache
def _load(root: Path, files: tuple[ShapeFile, ...]) -> Graph:
    graph = Graph(store=SimpleMemory())
    for shape_file in files:
        _parse_into(graph, root / shape_file.path, shape_file.missing_prefixes)
    removed = remove_pathless_property_shapes(graph)
    if removed:
        log.debug("removed %d property shapes without sh:path from %s", removed, files)
    return graph


def _parse_into(graph: Graph, path: Path, missing_prefixes: Iterable[tuple[str, str]]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ProfileError(f"cannot read shapes file {path}: {e}") from e
    header = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in missing_prefixes)
    try:
        graph.parse(data=header + text, format="turtle", publicID=path.as_uri())
    except Exception as e:  # rdflib raises several unrelated types for bad Turtle
        raise ProfileError(f"shapes file {path} does not parse: {e}") from e


def remove_pathless_property_shapes(graph: Graph) -> int:
    """Drop every ``sh:property`` value that has no ``sh:path``, with the blank nodes under it.

    Such a node is not a valid property shape and pySHACL refuses the whole shapes graph
    because of it. Returns how many were removed.
    """
    pathless = [
        (owner, shape)
        for owner, shape in graph.subject_objects(SH.property)
        if (shape, SH.path, None) not in graph
    ]
    for owner, shape in pathless:
        graph.remove((owner, SH.property, shape))
        if isinstance(shape, BNode) and (None, None, shape) not in graph:
            _remove_blank_tree(graph, shape)
    return len(pathless)


def _remove_blank_tree(graph: Graph, root: BNode) -> None:
    todo: list[Node] = [root]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in list(graph.triples((node, None, None))):
            graph.remove((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)

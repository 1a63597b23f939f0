"""The harvest pipeline: node registry, sources crawled concurrently, records normalised,
hashed and diffed against the store, only changed records validated and written, vanished
ones withdrawn behind a mass-deletion guard; every run reported in PROV-O."""

from gdcat.harvest.pipeline import Harvester
from gdcat.harvest.registry import NodeConfig, load_registry, parse_registry, select_nodes
from gdcat.harvest.report import NodeReport, Reason, Rejection, RunReport

__all__ = [
    "Harvester",
    "NodeConfig",
    "NodeReport",
    "Reason",
    "Rejection",
    "RunReport",
    "load_registry",
    "parse_registry",
    "select_nodes",
]

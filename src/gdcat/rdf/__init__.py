"""RDF handling shared by every layer: the formats table, safe parsing, record splitting."""

from gdcat.rdf.formats import FORMATS, RdfFormat, format_for_media_type, format_for_path, get_format
from gdcat.rdf.parse import parse_bytes, parse_file, parse_paths
from gdcat.rdf.records import Record, split_records

__all__ = [
    "FORMATS",
    "RdfFormat",
    "Record",
    "format_for_media_type",
    "format_for_path",
    "get_format",
    "parse_bytes",
    "parse_file",
    "parse_paths",
    "split_records",
]

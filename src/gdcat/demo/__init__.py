"""The deterministic demo federation: national 1+MG nodes with genomic dataset metadata.

``generate_federation`` / ``write_federation`` give the demo (a few hundred rich records over
25 country nodes, a few broken on purpose); :mod:`gdcat.demo.scale` writes benchmark-size
federations (10,000–100,000 records) straight as text.
"""

from gdcat.demo.generator import (
    Federation,
    InvalidRecord,
    Node,
    RecordSummary,
    generate_federation,
    write_federation,
)
from gdcat.demo.scale import generate_records, iter_record_documents, write_scale_federation

__all__ = [
    "Federation",
    "InvalidRecord",
    "Node",
    "RecordSummary",
    "generate_federation",
    "generate_records",
    "iter_record_documents",
    "write_federation",
    "write_scale_federation",
]

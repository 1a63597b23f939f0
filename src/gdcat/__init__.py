"""gdcat: a metadata catalogue and FAIR knowledge graph for genomic datasets."""

__version__ = "0.1.0"

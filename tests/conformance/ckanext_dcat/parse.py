"""Run by tests/conformance/test_ckanext_dcat.py with the Python of ckanext-dcat's own
environment: each argument is ``FORMAT:PATH``; prints, as JSON, what ckanext-dcat's RDF parser
(the DCAT-AP 3 profile, as the GDI portal's harvester runs it) makes of each dataset: its IRI,
title and number of resources."""

import json
import sys

from ckanext.dcat.processors import RDFParser

out = []
for argument in sys.argv[1:]:
    rdf_format, _, path = argument.partition(":")
    parser = RDFParser(profiles=["euro_dcat_ap_3"])
    with open(path, "rb") as f:
        parser.parse(f.read(), _format=rdf_format)
    for dataset in parser.datasets():
        out.append(
            {
                "file": path,
                # the dataset's IRI, where CKAN keeps it: an extra named "uri"
                "uri": next(
                    (e["value"] for e in dataset.get("extras", []) if e["key"] == "uri"),
                    dataset.get("uri"),
                ),
                "title": dataset.get("title"),
                "resources": len(dataset.get("resources", [])),
            }
        )
json.dump(out, sys.stdout)

"""OpenAPI examples of the REST search API's answers (:mod:`gdcat.api.search`).

Taken from the demo federation and shortened: one per route, as its 200 response shows it.
"""

from typing import Any

SEARCH_EXAMPLE: dict[str, Any] = {
    "total": 4,
    "page": 1,
    "page_size": 1,
    "sort": "relevance",
    "hits": [
        {
            "iri": "https://fdp.fr.demo.gdcat.eu/dataset/fr-wess-0001-r2",
            "key": "a2893bccd0cae710bfd9ba32",
            "type": "dataset",
            "title": "Rare disease exome sequencing: Friedreich ataxia – Loire University "
            "Hospital, 2021–2022 (R2)",
            "snippet": "Rare disease exome sequencing. 149 participants; data collected "
            "2021–2022 by Loire University Hospital. Exomes captured with Twist "
            "Human Core Exome, sequenced on MGI DNBSEQ-G400, aligned to GRCh37",
            "snippet_html": "Rare disease <b>exome</b> sequencing. 149 participants; data "
            "collected 2021–2022 by Loire University Hospital. Exomes captured "
            "with Twist Human Core <b>Exome</b>, sequenced on MGI DNBSEQ-G400, "
            "aligned to GRCh37",
            "country": {"value": "FRA", "label": "France"},
            "node": "fr",
            "publishers": [
                {
                    "id": "https://fdp.fr.demo.gdcat.eu/agent/university-hospital",
                    "key": "68d8189ff961c868",
                    "name": "Loire University Hospital",
                }
            ],
            "access_rights": [{"value": "NON_PUBLIC", "label": "non-public"}],
            "sequencing_types": [{"value": "WES", "label": "Whole exome sequencing"}],
            "individuals": 149,
            "genomes": None,
            "modified": "2022-05-23",
            "score": 10.023075103759766,
            "data_use": {
                "permitted": True,
                "reasons": [],
                "conditions": [
                    {
                        "iri": "http://purl.obolibrary.org/obo/DUO_0000021",
                        "code": "DUO:0000021",
                        "shorthand": "IRB",
                        "label": "ethics approval required",
                    }
                ],
            },
            "links": {
                "api": "http://127.0.0.1:8000/api/datasets/a2893bccd0cae710bfd9ba32",
                "dataset": "http://127.0.0.1:8000/dataset/a2893bccd0cae710bfd9ba32",
                "record": "http://127.0.0.1:8000/record/a2893bccd0cae710bfd9ba32",
            },
        }
    ],
    "facets": {
        "country": {
            "buckets": [
                {"value": "FRA", "label": "France", "count": 4, "selected": True},
                {"value": "BEL", "label": "Belgium", "count": 2, "selected": False},
                {"value": "NOR", "label": "Norway", "count": 2, "selected": False},
            ],
            "other": 10,
        },
        "sequencing_type": {
            "buckets": [
                {"value": "WES", "label": "Whole exome sequencing", "count": 4, "selected": False}
            ],
            "other": 0,
        },
    },
    "cohort": {
        "datasets": 4,
        "individuals": 6446,
        "genomes": 0,
        "exomes": 6400,
        "samples": 6538,
        "by_country": [
            {
                "value": "FRA",
                "label": "France",
                "datasets": 4,
                "individuals": 6446,
                "genomes": 0,
                "exomes": 6400,
                "samples": 6538,
                "unit": None,
                "produced": None,
            }
        ],
        "by_sequencing_type": [
            {
                "value": "WES",
                "label": "Whole exome sequencing",
                "datasets": 4,
                "individuals": 6446,
                "genomes": 0,
                "exomes": 6400,
                "samples": 6538,
                "unit": "exomes",
                "produced": 6400,
            }
        ],
    },
    "warnings": [],
    "links": {
        "self": "http://127.0.0.1:8000/api/datasets?q=exome&country=FRA&purpose=DS&purpose_disease=ORPHA:95&page_size=1",
        "first": "http://127.0.0.1:8000/api/datasets?q=exome&country=FRA&purpose=DS&purpose_disease=ORPHA:95&page_size=1&page=1",
        "prev": None,
        "next": "http://127.0.0.1:8000/api/datasets?q=exome&country=FRA&purpose=DS&purpose_disease=ORPHA:95&page_size=1&page=2",
    },
}

DETAIL_EXAMPLE: dict[str, Any] = {
    "iri": "https://fdp.fr.demo.gdcat.eu/dataset/fr-wess-0001-r2",
    "key": "a2893bccd0cae710bfd9ba32",
    "type": "dataset",
    "identifier": "FR-WESS-0001-R2",
    "title": "Rare disease exome sequencing: Friedreich ataxia – Loire University Hospital, "
    "2021–2022 (R2)",
    "titles": [
        {
            "text": "Rare disease exome sequencing: Friedreich ataxia – Loire University "
            "Hospital, 2021–2022 (R2)",
            "lang": "en",
        },
        {
            "text": "Séquençage d'exomes dans les maladies rares: ORPHA:95 – Centre "
            "hospitalier universitaire de Loire, 2021–2022 (R2)",
            "lang": "fr",
        },
    ],
    "descriptions": [
        {
            "text": "Rare disease exome sequencing. 149 participants; data collected "
            "2021–2022 by Loire University Hospital. Exomes captured with "
            "Twist Human Core Exome, sequenced on MGI DNBSEQ-G400, aligned to "
            "GRCh37.",
            "lang": "en",
        },
        {
            "text": "Séquençage d'exomes dans les maladies rares. 149 participants ; "
            "données recueillies de 2021 à 2022 par Centre hospitalier "
            "universitaire de Loire.",
            "lang": "fr",
        },
    ],
    "keywords": [
        {"text": "Friedreich ataxia", "lang": "en"},
        {"text": "diagnostics", "lang": "en"},
        {"text": "exome sequencing", "lang": "en"},
        {"text": "genomics", "lang": "en"},
        {"text": "rare disease", "lang": "en"},
        {"text": "Séquençage d'exomes dans les maladies rares", "lang": "fr"},
        {"text": "génomique", "lang": "fr"},
    ],
    "country": {"value": "FRA", "label": "France"},
    "node": "fr",
    "publishers": [
        {
            "id": "https://fdp.fr.demo.gdcat.eu/agent/university-hospital",
            "name": "Loire University Hospital",
        }
    ],
    "access_rights": [{"value": "NON_PUBLIC", "label": "non-public"}],
    "health_categories": [
        {"value": "EHRS", "label": "Electronic health data from EHRs"},
        {"value": "HGPD", "label": "Human genetic, epigenomic and genomic data"},
    ],
    "sequencing_types": [{"value": "WES", "label": "Whole exome sequencing"}],
    "reference_genomes": [{"value": "GRCh37", "label": "GRCh37"}],
    "diseases": [{"value": "ORPHA:95", "label": "Friedreich ataxia"}],
    "phenotypes": [
        {"value": "HP:0001251", "label": "Ataxia"},
        {"value": "HP:0001639", "label": "Hypertrophic cardiomyopathy"},
        {"value": "HP:0002650", "label": "Scoliosis"},
    ],
    "data_use_permission": {
        "value": "DUO:0000006",
        "label": "health or medical or biomedical research",
    },
    "data_use_modifiers": [{"value": "DUO:0000021", "label": "ethics approval required"}],
    "individuals": 149,
    "genomes": None,
    "exomes": 149,
    "samples": 152,
    "issued": "2022-04-09",
    "modified": "2022-05-23",
    "derived_from": [],
    "counts_in_cohort": True,
    "validation_profile": "gdcat",
    "validation_outcome": "conforms",
    "data_use": {
        "permitted": True,
        "reasons": [],
        "conditions": [
            {
                "iri": "http://purl.obolibrary.org/obo/DUO_0000021",
                "code": "DUO:0000021",
                "shorthand": "IRB",
                "label": "ethics approval required",
            }
        ],
    },
    "links": {
        "api": "http://127.0.0.1:8000/api/datasets/a2893bccd0cae710bfd9ba32",
        "dataset": "http://127.0.0.1:8000/dataset/a2893bccd0cae710bfd9ba32",
        "record": "http://127.0.0.1:8000/record/a2893bccd0cae710bfd9ba32",
    },
}

INVENTORY_EXAMPLE: dict[str, Any] = {
    "countries": [
        {
            "country": "AUT",
            "datasets": 3,
            "individuals": 8722,
            "genomes": 6405,
            "exomes": 0,
            "samples": 8721,
            "by_sequencing_type": {"PANEL": 2258, "WGS": 6405},
            "datasets_by_sequencing_type": {"PANEL": 1, "WGS": 2},
            "by_access": {"PUBLIC": 1, "RESTRICTED": 0, "NON_PUBLIC": 2},
            "by_readiness": {"READY": 2, "CONDITIONAL": 0, "NOT_READY": 1},
            "shareable": 2,
            "not_shareable": 1,
            "shareable_genomes": 6405,
            "linked_clinical": 1,
            "no_linked_clinical": 2,
        }
    ],
    "totals": {
        "country": "TOTAL",
        "datasets": 91,
        "individuals": 902226,
        "genomes": 147790,
        "exomes": 219118,
        "samples": 857283,
        "by_sequencing_type": {
            "PANEL": 56223,
            "WGS": 146659,
            "WES": 219118,
            "ARRAY": 467935,
            "RNASEQ": 14371,
            "LONGREAD": 1131,
        },
        "datasets_by_sequencing_type": {
            "PANEL": 21,
            "WGS": 19,
            "WES": 26,
            "ARRAY": 11,
            "RNASEQ": 10,
            "LONGREAD": 4,
        },
        "by_access": {"PUBLIC": 8, "RESTRICTED": 15, "NON_PUBLIC": 68},
        "by_readiness": {"READY": 47, "CONDITIONAL": 22, "NOT_READY": 22},
        "shareable": 47,
        "not_shareable": 44,
        "shareable_genomes": 112627,
        "linked_clinical": 61,
        "no_linked_clinical": 30,
    },
    "progress": {
        "target_genomes": 1000000,
        "wgs_genomes": 146659,
        "wgs_percent": 14.6659,
        "genomes_and_exomes": 366908,
        "genomes_and_exomes_percent": 36.6908,
    },
}

CATALOGS_EXAMPLE: dict[str, Any] = {
    "total": 25,
    "catalogs": [
        {
            "iri": "http://127.0.0.1:8000/catalog/at",
            "node": "at",
            "country": {"value": "AUT", "label": "Austria"},
            "datasets": 3,
            "series": 0,
            "links": {
                "catalog": "http://127.0.0.1:8000/catalog/at",
                "search": "http://127.0.0.1:8000/api/datasets?node=at",
            },
        },
        {
            "iri": "http://127.0.0.1:8000/catalog/be",
            "node": "be",
            "country": {"value": "BEL", "label": "Belgium"},
            "datasets": 2,
            "series": 1,
            "links": {
                "catalog": "http://127.0.0.1:8000/catalog/be",
                "search": "http://127.0.0.1:8000/api/datasets?node=be",
            },
        },
    ],
}

PUBLISHERS_EXAMPLE: dict[str, Any] = {
    "total": 49,
    "publishers": [
        {
            "id": "https://fdp.fr.demo.gdcat.eu/agent/university-hospital",
            "name": "Loire University Hospital",
            "records": 7,
            "search": "http://127.0.0.1:8000/api/datasets?publisher=https%3A%2F%2Ffdp.fr.demo.gdcat.eu%2Fagent%2Funiversity-hospital",
            "api": "http://127.0.0.1:8000/api/publishers/68d8189ff961c868",
        },
        {
            "id": "https://fdp.de.demo.gdcat.eu/agent/university-hospital",
            "key": "1cf94d35d50f5ca4",
            "name": "Rhine-Main University Hospital",
            "records": 6,
            "search": "http://127.0.0.1:8000/api/datasets?publisher=https%3A%2F%2Ffdp.de.demo.gdcat.eu%2Fagent%2Funiversity-hospital",
            "api": "http://127.0.0.1:8000/api/publishers/1cf94d35d50f5ca4",
        },
    ],
}

#: ``/api/inventory`` as CSV (two countries, then the totals; columns as ``Inventory.to_csv``).
INVENTORY_CSV_EXAMPLE = (
    "country,datasets,individuals,genomes,exomes,samples,wgs_genomes,wes_exomes,panel_samples,"
    "array_samples,rnaseq_samples,longread_genomes,wgs_datasets,wes_datasets,panel_datasets,"
    "array_datasets,rnaseq_datasets,longread_datasets,public_datasets,restricted_datasets,"
    "non_public_datasets,ready_datasets,conditional_datasets,not_ready_datasets,shareable,"
    "not_shareable,shareable_genomes,linked_clinical,no_linked_clinical\r\n"
    "AUT,3,8722,5120,1800,0,5120,1800,0,0,0,0,2,1,0,0,0,0,0,3,0,2,1,0,2,1,3400,2,1\r\n"
    "NLD,2,4100,3900,0,0,3900,0,0,0,0,0,2,0,0,0,0,0,0,2,0,1,0,1,1,1,2000,1,1\r\n"
    "TOTAL,5,12822,9020,1800,0,9020,1800,0,0,0,0,4,1,0,0,0,0,0,5,0,3,1,1,3,2,5400,3,2\r\n"
)

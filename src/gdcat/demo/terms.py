"""Controlled terms the demo records use: diseases, phenotypes, data use, platforms.

Only real terms with their real labels: ORDO and MONDO diseases, HPO phenotypes (checked
against HPO release 2025-01-16), GA4GH DUO permissions and modifiers, and gdcat's own concept
schemes (``https://w3id.org/gdcat/vocab/<scheme>/<CODE>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from gdcat.vocab import GDCATV, OBO

ORDO = "http://www.orpha.net/ORDO/Orphanet_"
MONDO = str(OBO) + "MONDO_"
HPO = str(OBO) + "HP_"
DUO = str(OBO) + "DUO_"


@dataclass(frozen=True)
class Disease:
    iri: str
    code: str  # "ORPHA:586", "MONDO:0007254"
    label: str
    #: Which kinds of cohort are about this disease: rare, cancer, cardio, common.
    area: str
    phenotypes: tuple[str, ...]  # HPO ids, "HP:0001250"
    icd10: str | None = None

    @property
    def scheme(self) -> str:
        return "ORDO" if self.code.startswith("ORPHA") else "MONDO"


def _ordo(n: int, label: str, area: str, *hpo: str) -> Disease:
    return Disease(f"{ORDO}{n}", f"ORPHA:{n}", label, area, hpo)


def _mondo(n: str, label: str, area: str, icd10: str, *hpo: str) -> Disease:
    return Disease(f"{MONDO}{n}", f"MONDO:{n}", label, area, hpo, icd10)


DISEASES: tuple[Disease, ...] = (
    _ordo(586, "Cystic fibrosis", "rare", "HP:0006528", "HP:0002110"),
    _ordo(98896, "Duchenne muscular dystrophy", "rare", "HP:0003560", "HP:0003236", "HP:0003198"),
    _ordo(558, "Marfan syndrome", "rare", "HP:0001166", "HP:0002616", "HP:0000098"),
    _ordo(399, "Huntington disease", "rare", "HP:0004305", "HP:0000708"),
    _ordo(70, "Proximal spinal muscular atrophy", "rare", "HP:0001252", "HP:0002380"),
    _ordo(908, "Fragile X syndrome", "rare", "HP:0001249", "HP:0000729"),
    _ordo(778, "Rett syndrome", "rare", "HP:0001263", "HP:0001250", "HP:0000252"),
    _ordo(805, "Tuberous sclerosis complex", "rare", "HP:0001250", "HP:0001249"),
    _ordo(95, "Friedreich ataxia", "rare", "HP:0001251", "HP:0002650", "HP:0001639"),
    _ordo(100, "Ataxia-telangiectasia", "rare", "HP:0001251", "HP:0002721"),
    _ordo(355, "Gaucher disease", "rare", "HP:0002240", "HP:0001873", "HP:0001903"),
    _ordo(324, "Fabry disease", "rare", "HP:0000083", "HP:0001638"),
    _ordo(730, "Autosomal dominant polycystic kidney disease", "rare", "HP:0000107", "HP:0000822"),
    _ordo(636, "Neurofibromatosis type 1", "rare", "HP:0002664", "HP:0000951"),
    _ordo(648, "Noonan syndrome", "rare", "HP:0004322", "HP:0001639"),
    _ordo(
        145, "Hereditary breast and ovarian cancer syndrome", "cancer", "HP:0003002", "HP:0100013"
    ),
    _ordo(144, "Lynch syndrome", "cancer", "HP:0003003", "HP:0100834"),
    _ordo(733, "Familial adenomatous polyposis", "cancer", "HP:0100834", "HP:0003003"),
    _ordo(524, "Li-Fraumeni syndrome", "cancer", "HP:0002664", "HP:0003002"),
    _ordo(406, "Heterozygous familial hypercholesterolemia", "cardio", "HP:0003124"),
    _ordo(130, "Brugada syndrome", "cardio", "HP:0011675", "HP:0001645"),
    _ordo(768, "Familial long QT syndrome", "cardio", "HP:0001657", "HP:0011675"),
    _ordo(217569, "Hypertrophic cardiomyopathy", "cardio", "HP:0001639"),
    _ordo(
        247, "Arrhythmogenic right ventricular cardiomyopathy", "cardio", "HP:0011675", "HP:0001645"
    ),
    _mondo("0007254", "breast cancer", "cancer", "C50", "HP:0003002"),
    _mondo("0005575", "colorectal cancer", "cancer", "C18", "HP:0003003"),
    _mondo("0008315", "prostate cancer", "cancer", "C61", "HP:0012125"),
    _mondo("0008903", "lung cancer", "cancer", "C34", "HP:0100526"),
    _mondo("0005045", "hypertrophic cardiomyopathy", "cardio", "I42.2", "HP:0001639"),
    _mondo("0005021", "dilated cardiomyopathy", "cardio", "I42.0", "HP:0001644"),
    _mondo("0005148", "type 2 diabetes mellitus", "common", "E11", "HP:0005978"),
    _mondo("0005147", "type 1 diabetes mellitus", "common", "E10", "HP:0000819"),
    _mondo("0004975", "Alzheimer disease", "common", "G30", "HP:0025792"),
    _mondo("0005180", "Parkinson disease", "common", "G20", "HP:0004305"),
    _mondo("0005027", "epilepsy", "common", "G40", "HP:0001250"),
    _mondo("0005044", "hypertensive disorder", "common", "I10", "HP:0000822"),
)

#: HPO terms the demo uses, with their labels (all current in HPO 2025-01-16).
PHENOTYPES: dict[str, str] = {
    "HP:0000083": "Renal insufficiency",
    "HP:0000098": "Tall stature",
    "HP:0000107": "Renal cyst",
    "HP:0000252": "Microcephaly",
    "HP:0000365": "Hearing impairment",
    "HP:0000505": "Visual impairment",
    "HP:0000708": "Atypical behavior",
    "HP:0000729": "Autistic behavior",
    "HP:0000819": "Diabetes mellitus",
    "HP:0000822": "Hypertension",
    "HP:0000951": "Abnormality of the skin",
    "HP:0001166": "Arachnodactyly",
    "HP:0001249": "Intellectual disability",
    "HP:0001250": "Seizure",
    "HP:0001251": "Ataxia",
    "HP:0001252": "Hypotonia",
    "HP:0001263": "Global developmental delay",
    "HP:0001513": "Obesity",
    "HP:0001638": "Cardiomyopathy",
    "HP:0001639": "Hypertrophic cardiomyopathy",
    "HP:0001644": "Dilated cardiomyopathy",
    "HP:0001645": "Sudden cardiac death",
    "HP:0001657": "Prolonged QT interval",
    "HP:0001873": "Thrombocytopenia",
    "HP:0001903": "Anemia",
    "HP:0002099": "Asthma",
    "HP:0002110": "Bronchiectasis",
    "HP:0002240": "Hepatomegaly",
    "HP:0002380": "Fasciculations",
    "HP:0002616": "Aortic root aneurysm",
    "HP:0002650": "Scoliosis",
    "HP:0002664": "Neoplasm",
    "HP:0002721": "Immunodeficiency",
    "HP:0003002": "Breast carcinoma",
    "HP:0003003": "Colon cancer",
    "HP:0003124": "Hypercholesterolemia",
    "HP:0003198": "Myopathy",
    "HP:0003236": "Elevated circulating creatine kinase concentration",
    "HP:0003560": "Muscular dystrophy",
    "HP:0004305": "Involuntary movements",
    "HP:0004322": "Short stature",
    "HP:0005978": "Type II diabetes mellitus",
    "HP:0006528": "Chronic lung disease",
    "HP:0011675": "Arrhythmia",
    "HP:0012125": "Prostate cancer",
    "HP:0025792": "Abnormal cognitive process",
    "HP:0100013": "Neoplasm of the breast",
    "HP:0100526": "Neoplasm of the lung",
    "HP:0100834": "Neoplasm of the large intestine",
}

#: Phenotypes recorded in population cohorts (self-reported or from linked records).
COHORT_PHENOTYPES: tuple[str, ...] = (
    "HP:0000822",
    "HP:0002099",
    "HP:0001638",
    "HP:0000083",
    "HP:0000365",
    "HP:0000505",
    "HP:0002664",
    "HP:0003124",
    "HP:0001513",
    "HP:0005978",
)


def hpo_iri(hp_id: str) -> str:
    return HPO + hp_id.split(":", 1)[1]


#: DUO permissions by shorthand (DUO release 2021-02-23).
DUO_PERMISSIONS: dict[str, tuple[str, str]] = {
    "GRU": ("0000042", "general research use"),
    "HMB": ("0000006", "health or medical or biomedical research"),
    "DS": ("0000007", "disease specific research"),
    "POA": ("0000011", "population origins or ancestry research only"),
    "NRES": ("0000004", "no restriction"),
}

#: DUO modifiers by shorthand.
DUO_MODIFIERS: dict[str, tuple[str, str]] = {
    "NCU": ("0000046", "non-commercial use only"),
    "NPU": ("0000045", "not for profit organisation use only"),
    "PUB": ("0000019", "publication required"),
    "COL": ("0000020", "collaboration required"),
    "IRB": ("0000021", "ethics approval required"),
    "GS": ("0000022", "geographical restriction"),
    "US": ("0000026", "user specific restriction"),
    "RTN": ("0000029", "return to database or resource"),
    "TS": ("0000025", "time limit on use"),
    "GSO": ("0000016", "genetic studies only"),
    "PS": ("0000027", "project specific restriction"),
}


def duo_iri(shorthand: str) -> str:
    table = DUO_PERMISSIONS if shorthand in DUO_PERMISSIONS else DUO_MODIFIERS
    return DUO + table[shorthand][0]


def gdcat_concept(scheme: str, code: str) -> str:
    """IRI of a concept in one of gdcat's own schemes."""
    return f"{GDCATV}{scheme}/{code}"


SEQUENCING_TYPES = ("WGS", "WES", "PANEL", "ARRAY", "RNASEQ", "LONGREAD")
REFERENCE_GENOMES = ("GRCh37", "GRCh38", "T2T-CHM13")
FILE_FORMATS = ("CRAM", "BAM", "VCF", "GVCF", "FASTQ")
READINESS = ("READY", "CONDITIONAL", "NOT_READY")
SHARING_BARRIERS = ("CONSENT", "ETHICS_APPROVAL", "LEGAL_BASIS", "CLINICAL_LINKAGE", "TECHNICAL")
CONSENT_STATUSES = ("BROAD", "SPECIFIC", "CLINICAL_ONLY", "RECONTACT_REQUIRED", "WAIVED", "UNKNOWN")
ETHICS_APPROVAL_STATUSES = ("APPROVED", "PENDING", "NOT_REQUESTED", "NOT_REQUIRED", "REJECTED")

#: Sequencing platforms and arrays by sequencing type (real instrument and product names).
PLATFORMS: dict[str, tuple[str, ...]] = {
    "WGS": (
        "Illumina NovaSeq 6000",
        "Illumina NovaSeq X Plus",
        "Illumina HiSeq X Ten",
        "MGI DNBSEQ-T7",
    ),
    "WES": (
        "Illumina NovaSeq 6000",
        "Illumina NextSeq 2000",
        "Illumina HiSeq 4000",
        "MGI DNBSEQ-G400",
    ),
    "PANEL": ("Illumina MiSeq", "Illumina NextSeq 550", "Ion Torrent Ion GeneStudio S5"),
    "ARRAY": (
        "Illumina Infinium Global Screening Array-24",
        "Illumina Infinium Omni2.5-8",
        "Applied Biosystems Axiom Precision Medicine Research Array",
    ),
    "RNASEQ": ("Illumina NovaSeq 6000", "Illumina NextSeq 2000"),
    "LONGREAD": ("PacBio Revio", "PacBio Sequel IIe", "Oxford Nanopore PromethION 24"),
}

#: Exome capture kits and gene panels named in descriptions.
EXOME_KITS = (
    "Twist Human Core Exome",
    "IDT xGen Exome Hyb Panel v2",
    "Agilent SureSelect Human All Exon V7",
)

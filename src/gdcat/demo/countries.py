"""The demo federation's countries: language, institutions and the words their titles use.

One row per 1+MG country with a node in the demo. Institutions are invented but plausible
(a genome centre, a university hospital, a biobank and the national health data access
body); every name is given in the national language and in English. The phrase tables hold
one translation per dataset kind, so that every generated title and description exists in
the node's language and in English.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Institution:
    """A data holder or access body of one country."""

    slug: str
    native: str
    english: str
    #: Local name in the HealthData@EU publisher-type table.
    publisher_type: str


@dataclass(frozen=True)
class Country:
    """One node of the demo federation."""

    code: str  # ISO 3166-1 alpha-2, lower case: the node id
    iso3: str  # EU country authority code
    english: str
    native: str
    language: str  # BCP 47 tag of the national language
    language_nal: str  # EU language authority code of that language
    weight: int  # relative share of the federation's datasets
    bbox: tuple[float, float, float, float]  # west, south, east, north (approximate)
    centroid: tuple[float, float]  # longitude, latitude (approximate)
    genome_centre: Institution
    hospital: Institution
    biobank: Institution
    hdab: Institution

    @property
    def holders(self) -> tuple[Institution, Institution, Institution]:
        return (self.genome_centre, self.hospital, self.biobank)


def _c(
    code: str,
    iso3: str,
    english: str,
    native: str,
    language: str,
    language_nal: str,
    weight: int,
    bbox: tuple[float, float, float, float],
    centroid: tuple[float, float],
    names: tuple[tuple[str, str], tuple[str, str], tuple[str, str], tuple[str, str]],
) -> Country:
    (gc, gc_en), (hosp, hosp_en), (bb, bb_en), (hdab, hdab_en) = names
    return Country(
        code=code,
        iso3=iso3,
        english=english,
        native=native,
        language=language,
        language_nal=language_nal,
        weight=weight,
        bbox=bbox,
        centroid=centroid,
        genome_centre=Institution("genome-centre", gc, gc_en, "research-institute-org"),
        hospital=Institution("university-hospital", hosp, hosp_en, "inpatient-institute"),
        biobank=Institution("biobank", bb, bb_en, "biobank"),
        hdab=Institution("hdab", hdab, hdab_en, "national-authority"),
    )


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    _c("at", "AUT", "Austria", "Österreich", "de", "DEU", 3,
       (9.53, 46.37, 17.16, 49.02), (14.55, 47.52), (
           ("Österreichisches Genomzentrum", "Austrian Genome Centre"),
           ("Universitätsklinikum Donau", "Danube University Hospital"),
           ("Biobank Alpenland", "Alpine Biobank"),
           ("Österreichische Zugangsstelle für Gesundheitsdaten",
            "Austrian Health Data Access Body"))),
    _c("be", "BEL", "Belgium", "België", "nl", "NLD", 3,
       (2.54, 49.50, 6.41, 51.51), (4.47, 50.50), (
           ("Vlaams Centrum voor Genoomgeneeskunde", "Flemish Centre for Genomic Medicine"),
           ("Universitair Ziekenhuis Scheldeland", "Scheldeland University Hospital"),
           ("Belgische Biobank voor Zeldzame Ziekten", "Belgian Rare Disease Biobank"),
           ("Belgische Toegangsinstantie voor Gezondheidsgegevens",
            "Belgian Health Data Access Body"))),
    _c("bg", "BGR", "Bulgaria", "България", "bg", "BUL", 2,
       (22.36, 41.23, 28.61, 44.22), (25.49, 42.73), (
           ("Национален геномен център", "Bulgarian National Genome Centre"),
           ("Университетска болница „Тракия“", "Thracia University Hospital"),
           ("Българска национална биобанка", "Bulgarian National Biobank"),
           ("Орган за достъп до здравни данни", "Bulgarian Health Data Access Body"))),
    _c("cy", "CYP", "Cyprus", "Κύπρος", "el", "ELL", 1,
       (32.27, 34.57, 34.60, 35.70), (33.43, 35.13), (
           ("Κυπριακό Κέντρο Γονιδιωματικής", "Cyprus Genomics Centre"),
           ("Πανεπιστημιακό Νοσοκομείο Μεσαορίας", "Mesaoria University Hospital"),
           ("Βιοτράπεζα Κύπρου", "Cyprus Biobank"),
           ("Φορέας Πρόσβασης σε Δεδομένα Υγείας Κύπρου", "Cyprus Health Data Access Body"))),
    _c("cz", "CZE", "Czechia", "Česko", "cs", "CES", 3,
       (12.09, 48.55, 18.86, 51.06), (15.47, 49.82), (
           ("Národní centrum pro genomiku", "Czech National Genomics Centre"),
           ("Fakultní nemocnice Vltava", "Vltava University Hospital"),
           ("Moravská biobanka", "Moravian Biobank"),
           ("Národní subjekt pro přístup ke zdravotním údajům",
            "Czech Health Data Access Body"))),
    _c("de", "DEU", "Germany", "Deutschland", "de", "DEU", 9,
       (5.87, 47.27, 15.04, 55.06), (10.45, 51.16), (
           ("Deutsches Zentrum für Genomsequenzierung", "German Centre for Genome Sequencing"),
           ("Universitätsklinikum Rhein-Main", "Rhine-Main University Hospital"),
           ("Norddeutsche Biobank", "North German Biobank"),
           ("Deutsche Zugangsstelle für Gesundheitsdaten", "German Health Data Access Body"))),
    _c("dk", "DNK", "Denmark", "Danmark", "da", "DAN", 4,
       (8.07, 54.56, 15.20, 57.75), (9.50, 56.26), (
           ("Dansk Center for Genomisk Medicin", "Danish Centre for Genomic Medicine"),
           ("Universitetshospital Jylland", "Jutland University Hospital"),
           ("Biobank Sjælland", "Zealand Biobank"),
           ("Dansk Adgangsorgan for Sundhedsdata", "Danish Health Data Access Body"))),
    _c("ee", "EST", "Estonia", "Eesti", "et", "EST", 3,
       (21.76, 57.51, 28.21, 59.68), (25.01, 58.60), (
           ("Eesti Genoomika Instituut", "Estonian Institute of Genomics"),
           ("Põhja-Eesti Ülikoolihaigla", "North Estonia University Hospital"),
           ("Lõuna-Eesti Biopank", "South Estonia Biobank"),
           ("Terviseandmetele juurdepääsu asutus", "Estonian Health Data Access Body"))),
    _c("es", "ESP", "Spain", "España", "es", "SPA", 6,
       (-9.30, 35.95, 3.33, 43.79), (-3.75, 40.46), (
           ("Centro Nacional de Medicina Genómica", "Spanish National Centre for Genomic Medicine"),
           ("Hospital Universitario del Levante", "Levante University Hospital"),
           ("Biobanco de Castilla", "Castile Biobank"),
           ("Organismo de Acceso a Datos de Salud", "Spanish Health Data Access Body"))),
    _c("fi", "FIN", "Finland", "Suomi", "fi", "FIN", 4,
       (20.55, 59.81, 31.59, 70.09), (25.75, 61.92), (
           ("Kansallinen genomitutkimuskeskus", "Finnish National Genomic Research Centre"),
           ("Pohjanmaan yliopistollinen sairaala", "Ostrobothnia University Hospital"),
           ("Järvi-Suomen biopankki", "Lakeland Biobank"),
           ("Terveystietojen saatavuuselin", "Finnish Health Data Access Body"))),
    _c("fr", "FRA", "France", "France", "fr", "FRA", 8,
       (-5.14, 41.33, 9.56, 51.09), (2.21, 46.23), (
           ("Centre national de génomique médicale", "French National Centre for Medical Genomics"),
           ("Centre hospitalier universitaire de Loire", "Loire University Hospital"),
           ("Biobanque du Grand Ouest", "Greater West Biobank"),
           ("Organisme d'accès aux données de santé", "French Health Data Access Body"))),
    _c("gr", "GRC", "Greece", "Ελλάδα", "el", "ELL", 3,
       (19.37, 34.80, 28.25, 41.75), (21.82, 39.07), (
           ("Ελληνικό Κέντρο Γονιδιωματικής Ιατρικής", "Hellenic Centre for Genomic Medicine"),
           ("Πανεπιστημιακό Νοσοκομείο Θεσσαλίας", "Thessaly University Hospital"),
           ("Βιοτράπεζα Αιγαίου", "Aegean Biobank"),
           ("Φορέας Πρόσβασης σε Δεδομένα Υγείας", "Hellenic Health Data Access Body"))),
    _c("hr", "HRV", "Croatia", "Hrvatska", "hr", "HRV", 2,
       (13.49, 42.39, 19.45, 46.55), (15.20, 45.10), (
           ("Hrvatski centar za genomsku medicinu", "Croatian Centre for Genomic Medicine"),
           ("Klinički bolnički centar Jadran", "Adriatic University Hospital Centre"),
           ("Biobanka Slavonije", "Slavonia Biobank"),
           ("Tijelo za pristup zdravstvenim podacima", "Croatian Health Data Access Body"))),
    _c("hu", "HUN", "Hungary", "Magyarország", "hu", "HUN", 2,
       (16.11, 45.74, 22.90, 48.59), (19.50, 47.16), (
           ("Nemzeti Genomikai Központ", "Hungarian National Genomics Centre"),
           ("Dunántúli Egyetemi Klinikai Központ", "Transdanubia University Clinical Centre"),
           ("Alföldi Biobank", "Great Plain Biobank"),
           ("Egészségügyi Adathozzáférési Szerv", "Hungarian Health Data Access Body"))),
    _c("ie", "IRL", "Ireland", "Éire", "ga", "GLE", 2,
       (-10.48, 51.42, -5.99, 55.39), (-8.24, 53.41), (
           ("An tIonad Náisiúnta Géanómaíochta", "National Genomics Centre of Ireland"),
           ("Ospidéal Ollscoile an Iarthair", "Western University Hospital"),
           ("Bithbhanc na hÉireann", "Irish Biobank"),
           ("Comhlacht Rochtana ar Shonraí Sláinte", "Irish Health Data Access Body"))),
    _c("it", "ITA", "Italy", "Italia", "it", "ITA", 7,
       (6.63, 36.62, 18.52, 47.09), (12.57, 41.87), (
           ("Centro Nazionale di Genomica Medica", "Italian National Centre for Genomic Medicine"),
           ("Azienda Ospedaliera Universitaria dell'Appennino", "Apennine University Hospital"),
           ("Biobanca della Pianura Padana", "Po Valley Biobank"),
           ("Organismo per l'accesso ai dati sanitari", "Italian Health Data Access Body"))),
    _c("lt", "LTU", "Lithuania", "Lietuva", "lt", "LIT", 2,
       (20.93, 53.90, 26.84, 56.45), (23.88, 55.17), (
           ("Nacionalinis genomikos centras", "Lithuanian National Genomics Centre"),
           ("Nemuno universitetinė ligoninė", "Nemunas University Hospital"),
           ("Žemaitijos biobankas", "Samogitia Biobank"),
           ("Sveikatos duomenų prieigos institucija", "Lithuanian Health Data Access Body"))),
    _c("lu", "LUX", "Luxembourg", "Luxembourg", "fr", "FRA", 1,
       (5.73, 49.45, 6.53, 50.18), (6.13, 49.82), (
           ("Centre luxembourgeois de génomique", "Luxembourg Genomics Centre"),
           ("Centre hospitalier universitaire de l'Alzette", "Alzette University Hospital"),
           ("Biobanque de la Moselle", "Moselle Biobank"),
           ("Organisme luxembourgeois d'accès aux données de santé",
            "Luxembourg Health Data Access Body"))),
    _c("lv", "LVA", "Latvia", "Latvija", "lv", "LAV", 2,
       (20.97, 55.67, 28.24, 58.08), (24.60, 56.88), (
           ("Latvijas Genomikas centrs", "Latvian Genomics Centre"),
           ("Daugavas Universitātes slimnīca", "Daugava University Hospital"),
           ("Kurzemes biobanka", "Courland Biobank"),
           ("Veselības datu piekļuves iestāde", "Latvian Health Data Access Body"))),
    _c("nl", "NLD", "Netherlands", "Nederland", "nl", "NLD", 5,
       (3.36, 50.75, 7.23, 53.55), (5.29, 52.13), (
           ("Nationaal Centrum voor Genoomdiagnostiek",
            "Netherlands National Centre for Genome Diagnostics"),
           ("Academisch Ziekenhuis Rijnland", "Rhineland Academic Hospital"),
           ("Biobank Noord-Nederland", "Northern Netherlands Biobank"),
           ("Nederlandse Toegangsinstantie voor Gezondheidsgegevens",
            "Dutch Health Data Access Body"))),
    _c("no", "NOR", "Norway", "Norge", "nb", "NOB", 3,
       (4.65, 57.98, 31.08, 71.19), (8.47, 60.47), (
           ("Nasjonalt senter for genomikk", "Norwegian National Genomics Centre"),
           ("Vestlandet universitetssykehus", "Western Norway University Hospital"),
           ("Biobank Midt-Norge", "Central Norway Biobank"),
           ("Tilgangsorganet for helsedata", "Norwegian Health Data Access Body"))),
    _c("pl", "POL", "Poland", "Polska", "pl", "POL", 4,
       (14.12, 49.00, 24.15, 54.84), (19.15, 51.92), (
           ("Narodowe Centrum Genomiki", "Polish National Genomics Centre"),
           ("Uniwersytecki Szpital Kliniczny Wielkopolski", "Greater Poland University Hospital"),
           ("Biobank Pomorski", "Pomeranian Biobank"),
           ("Organ Dostępu do Danych o Zdrowiu", "Polish Health Data Access Body"))),
    _c("pt", "PRT", "Portugal", "Portugal", "pt", "POR", 3,
       (-9.50, 36.96, -6.19, 42.15), (-8.22, 39.40), (
           ("Centro Nacional de Genómica Médica",
            "Portuguese National Centre for Genomic Medicine"),
           ("Centro Hospitalar Universitário do Tejo", "Tagus University Hospital Centre"),
           ("Biobanco do Minho", "Minho Biobank"),
           ("Organismo de Acesso a Dados de Saúde", "Portuguese Health Data Access Body"))),
    _c("se", "SWE", "Sweden", "Sverige", "sv", "SWE", 4,
       (11.11, 55.34, 24.17, 69.06), (18.64, 60.13), (
           ("Nationellt centrum för genomisk medicin",
            "Swedish National Centre for Genomic Medicine"),
           ("Mälardalens universitetssjukhus", "Mälaren University Hospital"),
           ("Biobank Norrland", "Norrland Biobank"),
           ("Myndigheten för tillgång till hälsodata", "Swedish Health Data Access Body"))),
    _c("si", "SVN", "Slovenia", "Slovenija", "sl", "SLV", 2,
       (13.38, 45.42, 16.61, 46.88), (14.99, 46.15), (
           ("Nacionalni center za genomiko", "Slovenian National Genomics Centre"),
           ("Univerzitetni klinični center Posavje", "Posavje University Medical Centre"),
           ("Biobanka Primorske", "Littoral Biobank"),
           ("Organ za dostop do zdravstvenih podatkov", "Slovenian Health Data Access Body"))),
)
# fmt: on


@dataclass(frozen=True)
class Phrases:
    """The words one language needs: a title per dataset kind and a description sentence.

    ``description`` is a format string with ``{kind}``, ``{n}``, ``{y0}``, ``{y1}`` and
    ``{inst}``; ``catalogue`` names the node's catalogue.
    """

    kinds: dict[str, str]
    description: str
    catalogue: str
    keyword: str


def _p(kinds: tuple[str, ...], description: str, catalogue: str, keyword: str) -> Phrases:
    return Phrases(dict(zip(KIND_ORDER, kinds, strict=True)), description, catalogue, keyword)


#: The dataset kinds, in the order the phrase tables list them.
KIND_ORDER: tuple[str, ...] = (
    "wgs_cohort",
    "wes_series",
    "wes_diagnostic",
    "panel_cancer",
    "panel_cardio",
    "array",
    "rnaseq",
    "longread",
    "aggregated",
)

PHRASES: dict[str, Phrases] = {
    "en": _p(
        (
            "Whole-genome sequencing of a population cohort",
            "Rare disease exome sequencing",
            "Diagnostic exome archive",
            "Hereditary cancer gene panel",
            "Inherited cardiac disease gene panel",
            "Biobank genotyping array data",
            "Transcriptome sequencing (RNA-seq)",
            "Long-read genome sequencing",
            "Aggregated allele frequencies",
        ),
        "{kind}. {n} participants; data collected {y0}–{y1} by {inst}.",
        "Genomic datasets of {country}",
        "genomics",
    ),
    "de": _p(
        (
            "Gesamtgenomsequenzierung einer Bevölkerungskohorte",
            "Exomsequenzierung bei seltenen Erkrankungen",
            "Archiv diagnostischer Exome",
            "Genpanel für erblichen Krebs",
            "Genpanel für erbliche Herzerkrankungen",
            "Genotypisierungsdaten (Array) der Biobank",
            "Transkriptomsequenzierung (RNA-seq)",
            "Long-Read-Genomsequenzierung",
            "Aggregierte Allelfrequenzen",
        ),
        "{kind}. {n} Teilnehmende; Daten erhoben {y0}–{y1} durch {inst}.",
        "Genomische Datensätze – {country}",
        "Genomik",
    ),
    "nl": _p(
        (
            "Heelgenoomsequencing van een populatiecohort",
            "Exoomsequencing bij zeldzame ziekten",
            "Archief van diagnostische exomen",
            "Genpanel voor erfelijke kanker",
            "Genpanel voor erfelijke hartziekten",
            "Genotyperingsdata (array) van de biobank",
            "Transcriptoomsequencing (RNA-seq)",
            "Long-read genoomsequencing",
            "Geaggregeerde allelfrequenties",
        ),
        "{kind}. {n} deelnemers; gegevens verzameld {y0}–{y1} door {inst}.",
        "Genomische datasets – {country}",
        "genomica",
    ),
    "fr": _p(
        (
            "Séquençage du génome entier d'une cohorte de population",
            "Séquençage d'exomes dans les maladies rares",
            "Archive d'exomes diagnostiques",
            "Panel de gènes des cancers héréditaires",
            "Panel de gènes des cardiopathies héréditaires",
            "Données de génotypage sur puce de la biobanque",
            "Séquençage du transcriptome (RNA-seq)",
            "Séquençage du génome en lectures longues",
            "Fréquences alléliques agrégées",
        ),
        "{kind}. {n} participants ; données recueillies de {y0} à {y1} par {inst}.",
        "Jeux de données génomiques – {country}",
        "génomique",
    ),
    "it": _p(
        (
            "Sequenziamento dell'intero genoma di una coorte di popolazione",
            "Sequenziamento dell'esoma nelle malattie rare",
            "Archivio di esomi diagnostici",
            "Pannello genico per tumori ereditari",
            "Pannello genico per cardiopatie ereditarie",
            "Dati di genotipizzazione su array della biobanca",
            "Sequenziamento del trascrittoma (RNA-seq)",
            "Sequenziamento del genoma a letture lunghe",
            "Frequenze alleliche aggregate",
        ),
        "{kind}. {n} partecipanti; dati raccolti dal {y0} al {y1} da {inst}.",
        "Dataset genomici – {country}",
        "genomica",
    ),
    "es": _p(
        (
            "Secuenciación del genoma completo de una cohorte poblacional",
            "Secuenciación del exoma en enfermedades raras",
            "Archivo de exomas diagnósticos",
            "Panel de genes de cáncer hereditario",
            "Panel de genes de cardiopatías hereditarias",
            "Datos de genotipado por array del biobanco",
            "Secuenciación del transcriptoma (RNA-seq)",
            "Secuenciación del genoma de lecturas largas",
            "Frecuencias alélicas agregadas",
        ),
        "{kind}. {n} participantes; datos recogidos entre {y0} y {y1} por {inst}.",
        "Conjuntos de datos genómicos – {country}",
        "genómica",
    ),
    "pt": _p(
        (
            "Sequenciação do genoma completo de uma coorte populacional",
            "Sequenciação do exoma em doenças raras",
            "Arquivo de exomas de diagnóstico",
            "Painel de genes de cancro hereditário",
            "Painel de genes de doenças cardíacas hereditárias",
            "Dados de genotipagem por array do biobanco",
            "Sequenciação do transcriptoma (RNA-seq)",
            "Sequenciação do genoma de leituras longas",
            "Frequências alélicas agregadas",
        ),
        "{kind}. {n} participantes; dados recolhidos entre {y0} e {y1} por {inst}.",
        "Conjuntos de dados genómicos – {country}",
        "genómica",
    ),
    "sv": _p(
        (
            "Helgenomsekvensering av en befolkningskohort",
            "Exomsekvensering vid sällsynta sjukdomar",
            "Arkiv med diagnostiska exom",
            "Genpanel för ärftlig cancer",
            "Genpanel för ärftliga hjärtsjukdomar",
            "Genotypningsdata (array) från biobanken",
            "Transkriptomsekvensering (RNA-seq)",
            "Genomsekvensering med långa läsningar",
            "Aggregerade allelfrekvenser",
        ),
        "{kind}. {n} deltagare; data insamlade {y0}–{y1} av {inst}.",
        "Genomiska datamängder – {country}",
        "genomik",
    ),
    "da": _p(
        (
            "Helgenomsekventering af en befolkningskohorte",
            "Exomsekventering ved sjældne sygdomme",
            "Arkiv med diagnostiske exomer",
            "Genpanel for arvelig kræft",
            "Genpanel for arvelige hjertesygdomme",
            "Genotypningsdata (array) fra biobanken",
            "Transkriptomsekventering (RNA-seq)",
            "Genomsekventering med lange læsninger",
            "Aggregerede allelfrekvenser",
        ),
        "{kind}. {n} deltagere; data indsamlet {y0}–{y1} af {inst}.",
        "Genomiske datasæt – {country}",
        "genomik",
    ),
    "nb": _p(
        (
            "Helgenomsekvensering av en befolkningskohort",
            "Eksomsekvensering ved sjeldne sykdommer",
            "Arkiv med diagnostiske eksomer",
            "Genpanel for arvelig kreft",
            "Genpanel for arvelige hjertesykdommer",
            "Genotypingsdata (array) fra biobanken",
            "Transkriptomsekvensering (RNA-seq)",
            "Genomsekvensering med lange lesinger",
            "Aggregerte allelfrekvenser",
        ),
        "{kind}. {n} deltakere; data samlet inn {y0}–{y1} av {inst}.",
        "Genomiske datasett – {country}",
        "genomikk",
    ),
    "fi": _p(
        (
            "Väestökohortin koko genomin sekvensointi",
            "Harvinaissairauksien eksomisekvensointi",
            "Diagnostisten eksomien arkisto",
            "Perinnöllisen syövän geenipaneeli",
            "Perinnöllisten sydänsairauksien geenipaneeli",
            "Biopankin genotyypitysaineisto (siru)",
            "Transkriptomin sekvensointi (RNA-seq)",
            "Pitkien lukujen genomisekvensointi",
            "Yhdistetyt alleelifrekvenssit",
        ),
        "{kind}. {n} osallistujaa; aineiston on kerännyt {inst} vuosina {y0}–{y1}.",
        "Genomiaineistot – {country}",
        "genomiikka",
    ),
    "et": _p(
        (
            "Rahvastikukohordi täisgenoomi sekveneerimine",
            "Harvikhaiguste eksoomi sekveneerimine",
            "Diagnostiliste eksoomide arhiiv",
            "Päriliku vähi geenipaneel",
            "Pärilike südamehaiguste geenipaneel",
            "Biopanga genotüpiseerimisandmed (kiip)",
            "Transkriptoomi sekveneerimine (RNA-seq)",
            "Pikkade lugemite genoomi sekveneerimine",
            "Koondatud alleelisagedused",
        ),
        "{kind}. {n} osalejat; andmed kogus {inst} aastatel {y0}–{y1}.",
        "Genoomiandmestikud – {country}",
        "genoomika",
    ),
    "lv": _p(
        (
            "Populācijas kohortas pilna genoma sekvenēšana",
            "Eksoma sekvenēšana retajām slimībām",
            "Diagnostisko eksomu arhīvs",
            "Iedzimta vēža gēnu panelis",
            "Iedzimtu sirds slimību gēnu panelis",
            "Biobankas genotipēšanas dati (mikročips)",
            "Transkriptoma sekvenēšana (RNA-seq)",
            "Garo nolasījumu genoma sekvenēšana",
            "Apkopotas alēļu frekvences",
        ),
        "{kind}. {n} dalībnieki; datus {y0}.–{y1}. gadā savāca {inst}.",
        "Genomikas datu kopas – {country}",
        "genomika",
    ),
    "lt": _p(
        (
            "Populiacijos kohortos viso genomo sekoskaita",
            "Retųjų ligų egzomo sekoskaita",
            "Diagnostinių egzomų archyvas",
            "Paveldimo vėžio genų rinkinys",
            "Paveldimų širdies ligų genų rinkinys",
            "Biobanko genotipavimo duomenys (mikrogardelė)",
            "Transkriptomo sekoskaita (RNA-seq)",
            "Ilgųjų nuskaitymų genomo sekoskaita",
            "Suvestiniai alelių dažniai",
        ),
        "{kind}. Dalyvių skaičius: {n}; duomenis {y0}–{y1} m. surinko {inst}.",
        "Genomikos duomenų rinkiniai – {country}",
        "genomika",
    ),
    "pl": _p(
        (
            "Sekwencjonowanie całego genomu kohorty populacyjnej",
            "Sekwencjonowanie eksomu w chorobach rzadkich",
            "Archiwum eksomów diagnostycznych",
            "Panel genów nowotworów dziedzicznych",
            "Panel genów dziedzicznych chorób serca",
            "Dane genotypowania mikromacierzowego biobanku",
            "Sekwencjonowanie transkryptomu (RNA-seq)",
            "Sekwencjonowanie genomu metodą długich odczytów",
            "Zagregowane częstości alleli",
        ),
        "{kind}. Liczba uczestników: {n}; dane zebrane w latach {y0}–{y1} przez {inst}.",
        "Zbiory danych genomicznych – {country}",
        "genomika",
    ),
    "cs": _p(
        (
            "Celogenomové sekvenování populační kohorty",
            "Exomové sekvenování u vzácných onemocnění",
            "Archiv diagnostických exomů",
            "Genový panel dědičných nádorů",
            "Genový panel dědičných srdečních onemocnění",
            "Genotypizační data (čipy) biobanky",
            "Sekvenování transkriptomu (RNA-seq)",
            "Sekvenování genomu s dlouhými čteními",
            "Agregované frekvence alel",
        ),
        "{kind}. Počet účastníků: {n}; data shromáždila instituce {inst} v letech {y0}–{y1}.",
        "Genomické datové sady – {country}",
        "genomika",
    ),
    "sl": _p(
        (
            "Sekvenciranje celotnega genoma populacijske kohorte",
            "Sekvenciranje eksoma pri redkih boleznih",
            "Arhiv diagnostičnih eksomov",
            "Genski panel za dedni rak",
            "Genski panel za dedne bolezni srca",
            "Podatki genotipizacije z mikromrežami iz biobanke",
            "Sekvenciranje transkriptoma (RNA-seq)",
            "Sekvenciranje genoma z dolgimi odčitki",
            "Združene frekvence alelov",
        ),
        "{kind}. Število udeležencev: {n}; podatke je v letih {y0}–{y1} zbrala ustanova {inst}.",
        "Genomski nabori podatkov – {country}",
        "genomika",
    ),
    "hr": _p(
        (
            "Sekvenciranje cijelog genoma populacijske kohorte",
            "Sekvenciranje egzoma kod rijetkih bolesti",
            "Arhiv dijagnostičkih egzoma",
            "Genski panel za nasljedni rak",
            "Genski panel za nasljedne bolesti srca",
            "Podaci genotipizacije mikročipovima iz biobanke",
            "Sekvenciranje transkriptoma (RNA-seq)",
            "Sekvenciranje genoma dugim očitanjima",
            "Agregirane učestalosti alela",
        ),
        "{kind}. Broj sudionika: {n}; podatke je u razdoblju {y0}.–{y1}. "
        "prikupila ustanova {inst}.",
        "Genomski skupovi podataka – {country}",
        "genomika",
    ),
    "hu": _p(
        (
            "Populációs kohorsz teljesgenom-szekvenálása",
            "Ritka betegségek exomszekvenálása",
            "Diagnosztikai exomok archívuma",
            "Örökletes daganatok génpanelje",
            "Örökletes szívbetegségek génpanelje",
            "Biobanki genotipizálási (chip) adatok",
            "Transzkriptom-szekvenálás (RNA-seq)",
            "Hosszú leolvasású genomszekvenálás",
            "Összesített allélgyakoriságok",
        ),
        "{kind}. Résztvevők száma: {n}; az adatokat {y0} és {y1} között gyűjtötte: {inst}.",
        "Genomikai adatkészletek – {country}",
        "genomika",
    ),
    "bg": _p(
        (
            "Секвениране на целия геном на популационна кохорта",
            "Екзомно секвениране при редки заболявания",
            "Архив с диагностични екзоми",
            "Генен панел за наследствен рак",
            "Генен панел за наследствени сърдечни заболявания",
            "Данни от генотипиране с микрочипове в биобанката",
            "Секвениране на транскриптома (RNA-seq)",
            "Секвениране на генома с дълги четения",
            "Обобщени алелни честоти",
        ),
        "{kind}. Брой участници: {n}; данните са събрани през {y0}–{y1} г. от {inst}.",
        "Геномни набори от данни – {country}",
        "геномика",
    ),
    "el": _p(
        (
            "Αλληλούχιση ολόκληρου του γονιδιώματος πληθυσμιακής κοορτής",
            "Αλληλούχιση εξωμάτων σε σπάνια νοσήματα",
            "Αρχείο διαγνωστικών εξωμάτων",
            "Γονιδιακό πάνελ κληρονομικού καρκίνου",
            "Γονιδιακό πάνελ κληρονομικών καρδιοπαθειών",
            "Δεδομένα γονοτύπησης με μικροσυστοιχίες της βιοτράπεζας",
            "Αλληλούχιση μεταγραφώματος (RNA-seq)",
            "Αλληλούχιση γονιδιώματος μακριών αναγνώσεων",
            "Συγκεντρωτικές αλληλικές συχνότητες",
        ),
        "{kind}. Αριθμός συμμετεχόντων: {n}· τα δεδομένα συλλέχθηκαν την περίοδο {y0}–{y1} "
        "από τον φορέα {inst}.",
        "Γονιδιωματικά σύνολα δεδομένων – {country}",
        "γονιδιωματική",
    ),
    "ga": _p(
        (
            "Seicheamhú géanóim iomláin ar chohórt daonra",
            "Seicheamhú eacsóim i ngalair annamha",
            "Cartlann eacsóm diagnóiseach",
            "Painéal géinte don ailse oidhreachtúil",
            "Painéal géinte do ghalair chroí oidhreachtúla",
            "Sonraí géinitíopála eagair ón mbithbhanc",
            "Seicheamhú trascríobhóim (RNA-seq)",
            "Seicheamhú géanóim le léamha fada",
            "Minicíochtaí ailléil comhiomlánaithe",
        ),
        "{kind}. {n} rannpháirtí; bhailigh {inst} na sonraí {y0}–{y1}.",
        "Tacair sonraí géanómacha – {country}",
        "géanómaíocht",
    ),
}

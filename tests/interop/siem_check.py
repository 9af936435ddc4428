#!/usr/bin/env python3
"""Checks what synthgov sends to SIEMs with the field's own parsers (none written
here): OCSF events against the OCSF 1.3.0 schema (PyPI ocsf-json-schema, with the
profiles each event declares, JSON Schema 2020-12 via jsonschema), RFC 5424 messages
with syslog-rfc5424-parser, CEF records with pycef and cefevent in strict mode.

usage: siem_check.py [--ocsf FILE.jsonl] [--syslog FILE.json] [--cef FILE.json]
                     [--max-octets N FILE.json]
  --syslog / --cef FILE.json: a JSON list of messages (strings), as received.
Prints one line per problem and exits 1 if there is any; prints counts otherwise.
"""
import argparse
import json
import sys


def check_ocsf(path, problems):
    from jsonschema import Draft202012Validator
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.3.0"))
    cache = {}
    n = 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            ev = json.loads(line)
            n += 1
            profiles = tuple(ev.get("metadata", {}).get("profiles", []))
            key = (ev.get("class_uid"), profiles)
            if key not in cache:
                name = schema.lookup_class_name_from_uid(class_uid=ev["class_uid"])
                cache[key] = Draft202012Validator(
                    schema.get_class_schema(class_name=name, profiles=list(profiles))
                )
            for err in cache[key].iter_errors(ev):
                where = "/".join(str(p) for p in err.absolute_path)
                problems.append(
                    f"ocsf line {line_no} ({ev.get('message')}): {where}: {err.message[:300]}"
                )
    return n


def check_syslog(path, problems, max_octets=None):
    from syslog_rfc5424_parser import SyslogMessage

    msgs = json.load(open(path, encoding="utf-8"))
    for i, m in enumerate(msgs):
        raw = m.encode("utf-8")
        if max_octets is not None and len(raw) > max_octets:
            problems.append(f"syslog message {i}: {len(raw)} octets, above {max_octets}")
        try:
            SyslogMessage.parse(m)
        except Exception as e:  # the parser's own error types vary by version
            problems.append(f"syslog message {i}: {type(e).__name__}: {e}"[:400])
    return len(msgs)


def check_cef(path, problems, max_octets=None):
    import pycef
    from cefevent.event import CEFEvent

    msgs = json.load(open(path, encoding="utf-8"))
    for i, m in enumerate(msgs):
        if max_octets is not None and len(m.encode("utf-8")) > max_octets:
            problems.append(f"cef message {i}: {len(m.encode())} octets, above {max_octets}")
        start = m.find("CEF:")
        if start < 0:
            problems.append(f"cef message {i}: no CEF: record")
            continue
        parsed = pycef.parse(m[start:])
        if not parsed:
            problems.append(f"cef message {i}: pycef could not parse it")
            continue
        # pycef names a custom string by its label (cs1Label=data cs1=.. -> "data");
        # cefevent checks the dictionary key (cs1), so map labels back.
        import re
        label_of = {lab: key for key, lab in re.findall(r"(cs\d|cn\d)Label=(\S+)", m)}
        strict = CEFEvent(strict=True)
        for k, v in parsed.items():
            if k in ("CEFVersion", "DeviceVendor", "DeviceProduct", "DeviceVersion",
                     "DeviceEventClassID", "Name", "Severity", "DeviceName",
                     "DeviceSeverity") or k.endswith("Label"):
                continue
            k = label_of.get(k, k)
            # pycef leaves the extension escapes in; the limits are on the value.
            v = v.replace("\\n", "\n").replace("\\r", "\r").replace("\\=", "=").replace("\\\\", "\\")
            try:
                if strict.set_field(k, v) is False:
                    problems.append(f"cef message {i}: field {k} refused")
            except Exception as e:
                problems.append(f"cef message {i}: field {k}: {type(e).__name__}: {e}"[:300])
    return len(msgs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ocsf")
    ap.add_argument("--syslog", action="append", default=[])
    ap.add_argument("--cef", action="append", default=[])
    ap.add_argument("--max-octets", type=int)
    a = ap.parse_args()
    problems = []
    counts = {}
    if a.ocsf:
        counts["ocsf"] = check_ocsf(a.ocsf, problems)
    for p in a.syslog:
        counts["syslog"] = counts.get("syslog", 0) + check_syslog(p, problems, a.max_octets)
    for p in a.cef:
        counts["cef"] = counts.get("cef", 0) + check_cef(p, problems, a.max_octets)
    for p in problems:
        print(p)
    print(json.dumps({"checked": counts, "problems": len(problems)}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

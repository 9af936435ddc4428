#!/usr/bin/env python3
"""Reads synthgov's OpenLineage events with OpenLineage's own Python client
(PyPI openlineage-python, none of it written here).

Each event is built into the client's generated classes (RunEvent or JobEvent, Run,
Job, InputDataset, OutputDataset and the facet class named by each facet key), so
the client's validators run (eventTime an ISO 8601 date-time, runId a UUID, URLs),
an unknown field is a TypeError, and every `_schemaURL` must be the one the client
itself writes for that facet. The built event is then serialized by the client's
Serde and must equal what synthgov wrote, key for key.

usage: openlineage_check.py FILE.json   (a JSON list of events, or JSON lines)
Prints one line per problem and exits 1 if there is any; prints counts otherwise.
"""
import json
import sys

from openlineage.client.generated import base
from openlineage.client.generated.dataset_version_dataset import DatasetVersionDatasetFacet
from openlineage.client.generated.schema_dataset import SchemaDatasetFacet
from openlineage.client.serde import Serde

# The facets synthgov writes, by key, with the client's class for each.
DATASET_FACETS = {"version": DatasetVersionDatasetFacet, "schema": SchemaDatasetFacet}


def facet(cls, body, where):
    body = dict(body)
    producer = body.pop("_producer")
    url = body.pop("_schemaURL")
    f = cls(producer=producer, **body)
    if f._schemaURL != url:
        raise ValueError(f"{where}: _schemaURL {url!r}, the client writes {f._schemaURL!r}")
    return f


def dataset(cls, d, where):
    d = dict(d)
    facets = {}
    for key, body in (d.pop("facets", None) or {}).items():
        if key not in DATASET_FACETS:
            raise ValueError(f"{where}: facet {key!r} has no class here")
        facets[key] = facet(DATASET_FACETS[key], body, f"{where}.facets.{key}")
    return cls(namespace=d.pop("namespace"), name=d.pop("name"), facets=facets, **d)


def build(ev, where):
    ev = dict(ev)
    url = ev.pop("schemaURL")
    job = ev.pop("job")
    kwargs = {
        "eventTime": ev.pop("eventTime"),
        "producer": ev.pop("producer"),
        "job": base.Job(namespace=job["namespace"], name=job["name"]),
        "inputs": [dataset(base.InputDataset, d, f"{where}.inputs[{i}]")
                   for i, d in enumerate(ev.pop("inputs", []))],
        "outputs": [dataset(base.OutputDataset, d, f"{where}.outputs[{i}]")
                    for i, d in enumerate(ev.pop("outputs", []))],
    }
    if "run" in ev:
        run = ev.pop("run")
        cls = base.RunEvent
        kwargs["run"] = base.Run(runId=run["runId"])
        if "eventType" in ev:
            kwargs["eventType"] = base.EventType(ev.pop("eventType"))
    else:
        cls = base.JobEvent
    if ev:
        raise TypeError(f"{where}: fields the client does not know: {sorted(ev)}")
    built = cls(**kwargs)
    if built.schemaURL != url:
        raise ValueError(f"{where}: schemaURL {url!r}, the client writes {built.schemaURL!r}")
    return built


def strip_empty(v):
    # The client's Serde drops empty facet maps; synthgov leaves them out too.
    if isinstance(v, dict):
        return {k: strip_empty(x) for k, x in v.items() if x not in (None, {})}
    if isinstance(v, list):
        return [strip_empty(x) for x in v]
    return v


def main(path):
    text = open(path, encoding="utf-8").read()
    try:
        events = json.loads(text)
    except json.JSONDecodeError:
        events = [json.loads(line) for line in text.splitlines() if line.strip()]
    if not isinstance(events, list):
        events = [events]
    problems, kinds = [], {}
    for i, ev in enumerate(events):
        where = f"event {i}"
        try:
            built = build(ev, where)
        except Exception as e:  # the client's validators raise several types
            problems.append(f"{where}: {type(e).__name__}: {e}"[:400])
            continue
        kinds[type(built).__name__] = kinds.get(type(built).__name__, 0) + 1
        again = strip_empty(Serde.to_dict(built))
        if again != strip_empty(ev):
            problems.append(f"{where}: the client writes {json.dumps(again, sort_keys=True)[:300]}")
    for p in problems:
        print(p)
    if problems:
        return 1
    if not events:
        print("no events", file=sys.stderr)
        return 1
    print(" ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

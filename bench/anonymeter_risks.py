#!/usr/bin/env python3
"""anonymeter's risks for one (training, synthetic, control) triple, as JSON.

Used by crates/synth/tests/privacy_attacks.rs (agreement) and bench/privacy_attacks.sh
(time). Same parameters as `synthgov quality`: --attacks (n_attacks), --query-columns
(n_cols), --link a,b/c,d (aux_cols; default the columns split in two halves),
--secret (default every column), --seed.
"""
import argparse, json, sys, time, warnings

warnings.filterwarnings("ignore")
import pandas as pd
from anonymeter.evaluators import (InferenceEvaluator, LinkabilityEvaluator,
                                   SinglingOutEvaluator)

p = argparse.ArgumentParser()
p.add_argument("ori"); p.add_argument("syn"); p.add_argument("control")
p.add_argument("--attacks", type=int, default=500)
p.add_argument("--query-columns", type=int, default=3)
p.add_argument("--link")
p.add_argument("--secret", action="append")
p.add_argument("--drop", action="append", default=[], help="columns left out (ids)")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()

ori, syn, ctl = (pd.read_csv(x).drop(columns=a.drop) for x in (a.ori, a.syn, a.control))
syn = syn[ori.columns]; ctl = ctl[ori.columns]
cols = list(ori.columns)
if a.link:
    left, right = a.link.split("/")
    aux = (left.split(","), right.split(","))
else:
    half = (len(cols) + 1) // 2
    aux = (cols[:half], cols[half:])
secrets = a.secret or cols

def risk(ev):
    r = ev.risk()
    res = ev.results()
    return {"risk": r.value, "ci": list(r.ci), "attack": res.attack_rate.value,
            "baseline": res.baseline_rate.value,
            "control": None if res.control_rate is None else res.control_rate.value}

out, t0 = {}, time.perf_counter()
for mode in ("univariate", "multivariate"):
    ev = SinglingOutEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=a.attacks,
                              n_cols=a.query_columns, seed=a.seed)
    ev.evaluate(mode=mode)
    out["singling_out_" + mode] = risk(ev)
ev = LinkabilityEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=a.attacks,
                          aux_cols=aux, n_neighbors=1)
ev.evaluate(n_jobs=-1)
out["linkability"] = risk(ev)
out["inference"] = {}
for s in secrets:
    # anonymeter 1.1 guesses every secret exactly unless told `regression`; a number
    # is guessed within 5%, as synthgov does (and anonymeter before 1.1 did by dtype).
    ev = InferenceEvaluator(ori=ori, syn=syn, control=ctl, n_attacks=a.attacks,
                            aux_cols=[c for c in cols if c != s], secret=s,
                            regression=bool(pd.api.types.is_numeric_dtype(ori[s])
                                            and not pd.api.types.is_bool_dtype(ori[s])))
    ev.evaluate(n_jobs=-1)
    out["inference"][s] = risk(ev)
out["seconds"] = time.perf_counter() - t0
json.dump(out, sys.stdout)

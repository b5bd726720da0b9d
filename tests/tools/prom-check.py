#!/usr/bin/python3
# Parse Prometheus text exposition on stdin with the Prometheus project's own
# parser (python3-prometheus-client) and print one line per sample,
# "NAME{LABEL=VALUE,...} VALUE" with labels sorted and values unescaped, so
# shell tests can grep what a scraper would see.  Exit 1 if it does not parse,
# or if a family lacks HELP or TYPE.
import sys
from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    fams = list(text_string_to_metric_families(text))
except Exception as e:  # the parser raises ValueError and others
    print("unparsable: %s" % e)
    sys.exit(1)
helps = {l.split()[2] for l in text.splitlines() if l.startswith("# HELP ")}
types = {l.split()[2] for l in text.splitlines() if l.startswith("# TYPE ")}
for f in fams:
    # The client strips _total from a counter family's name.
    names = {f.name, f.name + "_total"}
    if not names & helps or not names & types:
        print("family %s lacks HELP or TYPE" % f.name)
        sys.exit(1)
    for s in f.samples:
        if s.name.endswith("_created"):
            continue
        labels = ",".join("%s=%s" % (k, v) for k, v in sorted(s.labels.items()))
        print("%s{%s} %s" % (s.name, labels, repr(float(s.value))))

"""Pairing engine benchmark: optimal assignment vs the greedy baseline on a synthetic cohort.

    python benchmarks/pairing.py --mentors 1000 --mentees 1000

Prints one JSON object. ``seconds`` and ``peak_mb`` cover scoring, rules and the assignment
(``binomes.matching.assign``), not the generation of the cohort.
"""

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from binomes.matching import SLOTS, Person, Rules, assign, greedy

DOMAINS = ["generative-ai", "social-media", "collaboration-tools", "cybersecurity", "agile-methods",
           "generational-trends", "diversity-inclusion", "csr"]


def cohort(mentors: int, mentees: int, seed: int = 7):
    """Seniors high in a company tree, juniors low in it; some juniors report into seniors' teams."""
    rng = random.Random(seed)
    seniors, juniors = [], []
    for k in range(mentees):
        employee = 100_000 + k
        boss = rng.randrange(1, 50)
        seniors.append(Person(
            id=employee, employee=employee, manager=boss, ancestors=frozenset({boss}), level=rng.randint(4, 6),
            department=rng.randrange(12), site=rng.randrange(6),
            languages=frozenset(rng.sample(["fr", "en", "de"], rng.randint(1, 2))),
            format=rng.choice(["onsite", "remote", "either"]),
            availability=frozenset(rng.sample(SLOTS, rng.randint(1, 4))),
            domains={d: rng.randint(1, 3) for d in rng.sample(DOMAINS, rng.randint(1, 3))},
        ))
    for k in range(mentors):
        employee = 500_000 + k
        chief = seniors[rng.randrange(len(seniors))].employee if seniors else 1
        manager = chief if rng.random() < 0.2 else rng.randrange(1000, 2000)
        juniors.append(Person(
            id=employee, employee=employee, manager=manager, ancestors=frozenset({manager, chief}),
            level=rng.randint(1, 2), department=rng.randrange(12), site=rng.randrange(6),
            languages=frozenset(rng.sample(["fr", "en"], rng.randint(1, 2))),
            format=rng.choice(["onsite", "remote", "either"]),
            availability=frozenset(rng.sample(SLOTS, rng.randint(1, 4))),
            domains={d: rng.randint(1, 3) for d in rng.sample(DOMAINS, rng.randint(1, 4))},
            capacity=rng.choice([1, 1, 2]),
        ))
    return juniors, seniors


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--mentees", type=int, default=1000)
    args = parser.parse_args(argv)
    mentors, mentees = cohort(args.mentors, args.mentees)
    rules = Rules(exclude_subtree=True, exclude_peers=True, min_level_gap=2)

    baseline_rss = _rss_mb()
    start = time.perf_counter()
    result = assign(mentors, mentees, rules)
    seconds = time.perf_counter() - start
    # Peak resident memory of the process above what it held before the run (tracemalloc would
    # double the time it measures).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - baseline_rss
    baseline = greedy(mentors, mentees, rules)
    print(json.dumps({
        "mentors": args.mentors, "mentees": args.mentees, "seconds": round(seconds, 3), "peak_mb": round(peak, 1),
        "pairs": len(result.pairs), "total_score": round(result.total_score, 2),
        "greedy_pairs": len(baseline.pairs), "greedy_total_score": round(baseline.total_score, 2),
    }))


if __name__ == "__main__":
    main()

"""The study's own claims, checked beside the numbers: facts that must hold in any environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from regcheck.engine.study import Claim
from regcheck.results.record import ResultRecord
from regcheck.studies.heart.configs import LOGREG_GRID

# Below C = 0.1 the L1 penalty is strong enough to zero every coefficient (the study's claim).
L1_ALL_ZERO_BELOW_C = 0.1


def heart_claims(records: Mapping[str, Sequence[ResultRecord]]) -> list[Claim]:
    """The study's claims on whichever logistic records this run produced (the MLP makes none)."""
    return logreg_claims({cid: found[0] for cid, found in records.items() if found and found[0].model == "logreg"})


def logreg_claims(records: dict[str, ResultRecord]) -> list[Claim]:
    """Check the L1 claims on whichever L1 records this run produced."""
    l1 = sorted((c for c in LOGREG_GRID if c.penalty == "l1" and c.config_id in records), key=lambda c: c.C)
    claims = []
    for config in l1:
        if config.C < L1_ALL_ZERO_BELOW_C:
            record = records[config.config_id]
            n_coef = len(record.value("coefficients") or [])
            zeros = record.value("n_zero_coefficients")
            claims.append(Claim(
                f"{config.config_id} zeroes every coefficient",
                zeros == n_coef,
                f"{zeros} of {n_coef} coefficients are zero",
            ))  # fmt: skip
    zero_counts = [(c.C, records[c.config_id].value("n_zero_coefficients") or 0) for c in l1]
    if len(zero_counts) > 1:
        grows = [f"C={a:g}: {za} -> C={b:g}: {zb}" for (a, za), (b, zb) in pairwise(zero_counts) if zb > za]
        claims.append(Claim(
            "L1 zero coefficients do not grow as C grows",
            not grows,
            "; ".join(grows) or ", ".join(f"C={c:g}: {z}" for c, z in zero_counts),
        ))  # fmt: skip
    return claims

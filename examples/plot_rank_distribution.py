"""Plot a district's rank distribution from a Monte Carlo run (ILLUSTRATIVE data).

Run from the repository root: ``python examples/plot_rank_distribution.py [OUT.png]``.
Writes docs/img/rank-distribution-district-d.png unless another path is given (needs
matplotlib, the ``plot`` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import parindex

ROOT = Path(__file__).resolve().parent.parent
UNIT = "Huyện Minh Họa D"


def main(out: Path | None = None) -> Path:
    sheet = parindex.load_sheet(ROOT / "examples" / "illustrative-districts.csv")
    spec = parindex.load_uncertainty(ROOT / "examples" / "uncertainty-district.yaml")
    sim = parindex.simulate("illustrative-district", sheet, spec, draws=10_000, seed=2024)
    dist = sim.rank_distribution(UNIT)
    summary = sim.summary().set_index("unit").loc[UNIT]

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
    ranks = [int(r) for r in dist.index]
    bars = ax.bar(ranks, dist.to_numpy(), color="#2b6cb0", width=0.6)
    for bar, p in zip(bars, dist.to_numpy(), strict=True):
        ax.annotate(f"{p:.0%}", (bar.get_x() + bar.get_width() / 2, p), ha="center", va="bottom")
    ax.set_xticks(range(1, len(sim.units) + 1))
    ax.set_xlabel("rank (1 = best)")
    ax.set_ylabel("share of draws")
    ax.set_ylim(0, 1)
    ax.set_title(
        f"{UNIT}: rank over {sim.draws:,} draws (seed {sim.seed})\n"
        f"rank {summary['rank']}, median {summary['rank_median']:g}, "
        f"5-95 %: {summary['rank_p5']:g}-{summary['rank_p95']:g}",
        fontsize=10,
    )
    fig.text(
        0.01,
        0.01,
        "ILLUSTRATIVE: invented districts, illustrative methodology; not official",
        fontsize=7,
        color="#a00",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    out = out or ROOT / "docs" / "img" / "rank-distribution-district-d.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))

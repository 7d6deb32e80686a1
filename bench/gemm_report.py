#!/usr/bin/python3
"""Joins the GEMM measurements of one bench/run.sh run into results/bench/gemm.csv and gemm.md.

Inputs (in DIR): clock.csv (Bench clock), ours.roundN.csv (Bench gemm), torch-CONFIG.roundN.csv (torch_gemm.py)
and their .blas notes; each implementation's best round counts. Ratio = ours / best peer (any PyTorch or numpy configuration) for the same shape and threads.
% of peak: nominal = GFLOP/s / (threads x clock x 2 FMA pipes x lanes x 2 flops; lanes = 16 with AVX-512, 8 with
AVX2, as `Bench clock` reports), and measured = GFLOP/s / the register-only FMA loop of `Bench clock`.
Usage: gemm_report.py DIR OUT_DIR
"""
import csv
import glob
import os
import sys


def read_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    machine = {r["quantity"]: float(r["value"]) for r in read_rows(os.path.join(src, "clock.csv"))}
    # Every round of every implementation; the table keeps each (impl, shape, threads) at its best round.
    rows, notes = [], []
    for path in sorted(glob.glob(os.path.join(src, "ours.round*.csv")) + glob.glob(os.path.join(src, "torch-*.csv"))
                       + glob.glob(os.path.join(src, "paired-*.csv"))):
        round_name = path.rsplit(".round", 1)[-1].removesuffix(".csv")
        for r in read_rows(path):
            r["round"] = round_name
            rows.append(r)
        if os.path.exists(path + ".blas"):
            note = open(path + ".blas").read().strip()
            if note not in notes:
                notes.append(note)

    with open(os.path.join(out, "gemm.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)

    impls = []
    for r in rows:
        if r["impl"] not in impls:
            impls.append(r["impl"])
    peers = [i for i in impls if i.startswith("torch-") or i.startswith("numpy-")]
    paired_labels = [i.removeprefix("paired-ours-") for i in impls if i.startswith("paired-ours-")]
    table = {}
    for r in rows:
        key = (r["shape"], int(r["threads"]), r["impl"])
        table[key] = max(table.get(key, 0.0), float(r["gflops"]))
    shapes = []
    for r in rows:
        if (r["shape"], int(r["threads"])) not in shapes:
            shapes.append((r["shape"], int(r["threads"])))

    ghz = machine["clock_ghz"]
    cpu = {}
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "cpu family", "model") and key.strip() not in cpu:
            cpu[key.strip()] = value.strip()
    # AMD family 25 (0x19) is Zen 3/Zen 4 (AVX-512 only on Zen 4), family 26 (0x1A) is Zen 5.
    cpu_line = f"CPU: {cpu.get('model name', '?')}, family {cpu.get('cpu family', '?')} model {cpu.get('model', '?')}, {os.cpu_count()} cores."
    peak1, peak2 = machine.get("fma_peak_gflops_1t", float("nan")), machine.get("fma_peak_gflops_2t", float("nan"))
    lanes = int(machine.get("fma_vector_lanes", 16))
    nominal_flops_per_cycle = 2 * lanes * 2  # two FMA pipes, each lanes x (multiply + add)
    vector = {16: "Vector512", 8: "Vector256"}.get(lanes, f"{lanes}-lane")
    lines = [
        "# fp32 GEMM, GFLOP/s (best of several repetitions and rounds; higher is better)",
        "",
        cpu_line,
        f"Clock (chain of dependent integer adds): {ghz:.2f} GHz. Register-only `{vector}` FMA loop: "
        f"{peak1:.0f} GFLOP/s on 1 thread, {peak2:.0f} on 2 "
        f"(= {peak1 / ghz:.1f} flops/cycle/core; nominal {nominal_flops_per_cycle} = 2 FMA pipes x {lanes} lanes x 2. "
        f"Zen 5 reaches 64 with AVX-512; Zen 4 runs AVX-512 on 256-bit pipes and gives 32; Zen 3 (AVX2) gives 32).",
        "",
        "Peers: " + "; ".join(notes),
        "",
        "| shape | thr | ours | " + " | ".join(peers) + f" | ours / best peer | ours % of nominal {nominal_flops_per_cycle} f/c | ours % of measured FMA peak |",
        "|---|---|---|" + "---|" * len(peers) + "---|---|---|",
    ]
    for shape, threads in shapes:
        ours = table.get((shape, threads, "ours"), float("nan"))
        peer_values = [table.get((shape, threads, p), float("nan")) for p in peers]
        best = max((v for v in peer_values if v == v), default=float("nan"))
        nominal = nominal_flops_per_cycle * ghz * threads
        measured = peak1 if threads == 1 else peak2
        lines.append(f"| {shape} | {threads} | **{ours:.1f}** | " + " | ".join(f"{v:.1f}" for v in peer_values)
                     + f" | {ours / best:.2f} | {100 * ours / nominal:.0f}% | {100 * ours / measured:.0f}% |")
    if paired_labels:
        lines += ["", "## Paired in-process: ours and the same OpenBLAS (cblas_sgemm) alternating batch by batch",
                  "", "Both see the same machine load, so the ratio is the robust number on a busy machine.", "",
                  "| shape | thr | " + " | ".join(f"ours ({l}) | OpenBLAS ({l}) | ratio ({l})" for l in paired_labels) + " |",
                  "|---|---|" + "---|---|---|" * len(paired_labels)]
        for shape, threads in shapes:
            cells = []
            for l in paired_labels:
                o = table.get((shape, threads, f"paired-ours-{l}"), float("nan"))
                b = table.get((shape, threads, f"paired-openblas-{l}"), float("nan"))
                cells.append(f"{o:.1f} | {b:.1f} | {o / b:.2f}")
            lines.append(f"| {shape} | {threads} | " + " | ".join(cells) + " |")
    lines += ["", "Columns: torch-* = torch.mm, numpy-* = np.matmul, both on the system BLAS; "
              "'default' = environment as given, 'tuned' = OMP_WAIT_POLICY=PASSIVE, raised malloc thresholds, "
              "OPENBLAS_CORETYPE=SkylakeX when the CPU has avx512f. BLAS threads set explicitly to the 'thr' column."]
    with open(os.path.join(out, "gemm.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

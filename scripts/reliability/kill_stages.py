#!/usr/bin/env python3
"""Kills SegAD stages with SIGKILL at random moments and checks that nothing
partial is ever visible and that a rerun gives the unkilled results.

    kill_stages.py --bin .build/release --work DIR [--n 500] [--size 256]
                   [--kills 25] [--seed 1] [--trees 200] [--threads 2]

1. Makes a maps fixture (scripts/testing/make_maps_fixture.py: N items, two
   detectors' SIZE×SIZE maps, a 4-segment label PNG) in DIR.
2. Runs the stages once unkilled (extract-maps ×2, segment-stats, train-brf,
   evaluate score, evaluate report), keeps a copy of every output and the time
   each stage took; then runs them all again and records whether the second
   run's files are byte-identical to the first (same paths, so the recorded
   provenance is equal too).
3. KILLS times, cycling over extract-maps, segment-stats, train-brf,
   evaluate score and evaluate report: starts the stage, sends SIGKILL after
   a seeded random delay in [0, 0.9 × its shorter unkilled time] (attempts
   repeat, up to 3 × KILLS, until KILLS of them hit a running stage), and checks every
   output name of the stage: an HDF5 file under its final name opens and its
   datasets equal the unkilled run's; any other file is byte-identical to the
   unkilled run's; if the report's metrics.json (Make's target) exists, so
   does every other report file. Even-numbered kills start with the outputs
   removed, odd ones with the previous outputs in place (a rerun overwriting).
   Then reruns the stage to completion and checks that its outputs equal the
   unkilled run's datasets bit for bit (and bytes), and that no temporary
   file is left.

All commands run in DIR with relative paths. Prints one line per kill and a
summary line "kill summary: {json}"; exits 1 on any violation.
"""
import argparse, filecmp, glob, json, os, random, shutil, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_h5 import compare  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stages(bin_dir, trees, threads):
    b = lambda name: os.path.join(bin_dir, name)
    m = "fixture/manifest.json"
    return [
        ("extract-maps", [b("extract-maps"), "--manifest", m, "--detector", "alpha", "-o", "art/maps/alpha.h5"],
         ["art/maps/alpha.h5"]),
        ("extract-maps(beta)", [b("extract-maps"), "--manifest", m, "--detector", "beta", "-o", "art/maps/beta.h5"],
         ["art/maps/beta.h5"]),
        ("segment-stats", [b("segment-stats"), "--manifest", m, "--maps", "art/maps/alpha.h5", "--maps", "art/maps/beta.h5",
                           "--segmentation", "fixture/segmentation.png", "--segments", "4", "--threads", str(threads),
                           "-o", "art/features.h5"], ["art/features.h5"]),
        ("train-brf", [b("train-brf"), "--features", "art/features.h5", "--manifest", m, "--seed", "0",
                       "--num-parallel-tree", str(trees), "--threads", "1", "-o", "art/models/seed-0.h5"],
         ["art/models/seed-0.h5", "art/models/seed-0.json"]),
        ("evaluate score", [b("evaluate"), "score", "--features", "art/features.h5", "--manifest", m,
                            "--model", "art/models/seed-0.h5", "--method", "SegAD(alpha+beta)", "-o", "art/scores.h5"],
         ["art/scores.h5"]),
        ("evaluate report", [b("evaluate"), "report", "art/scores.h5", "-o", "art/report"],
         ["art/report/metrics.json", "art/report/results.csv", "art/report/results.md",
          "art/report/figures/hist_SegAD_alpha+beta_.png"]),
    ]


def run(cmd, cwd, env):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")


def same(path, ref):
    """None if the file at path equals the reference copy (datasets for .h5, bytes otherwise)."""
    if path.endswith(".h5"):
        try:
            return compare(path, ref)
        except Exception as e:  # noqa: BLE001 - any failure to open is a partial artifact
            return f"does not open: {e}"
    return None if filecmp.cmp(path, ref, shallow=False) else "bytes differ"


def temporaries(root):
    return [p for p in glob.glob(os.path.join(root, "**", "*"), recursive=True) if ".tmp-" in os.path.basename(p)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, ".build/release"))
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trees", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    bin_dir = os.path.abspath(a.bin)
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, SEGAD_PROGRESS="0", OMP_WAIT_POLICY="PASSIVE", OPENBLAS_NUM_THREADS="1")
    rng = random.Random(a.seed)

    if not os.path.exists(os.path.join(work, "fixture/manifest.json")):
        run([sys.executable, os.path.join(REPO, "scripts/testing/make_maps_fixture.py"), "fixture",
             "--n", str(a.n), "--size", str(a.size)], work, env)
    shutil.rmtree(os.path.join(work, "art"), ignore_errors=True)
    shutil.rmtree(os.path.join(work, "ref"), ignore_errors=True)
    plan = stages(bin_dir, a.trees, a.threads)

    # The unkilled run, its copy and its times; then an identical second run.
    seconds = {}
    for name, cmd, _ in plan:
        t0 = time.monotonic()
        run(cmd, work, env)
        seconds[name] = time.monotonic() - t0
    for _, _, outputs in plan:
        for o in outputs:
            dst = os.path.join(work, "ref", o)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(work, o), dst)
    for name, cmd, _ in plan:
        t0 = time.monotonic()
        run(cmd, work, env)
        seconds[name] = min(seconds[name], time.monotonic() - t0)
    outputs_all = [o for _, _, outs in plan for o in outs]
    identical_bytes = [o for o in outputs_all if filecmp.cmp(os.path.join(work, o), os.path.join(work, "ref", o), shallow=False)]
    second_run = {o: same(os.path.join(work, o), os.path.join(work, "ref", o)) for o in outputs_all}
    print("stage seconds (unkilled): " + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    print(f"second unkilled run: {len(identical_bytes)}/{len(outputs_all)} outputs byte-identical; "
          f"datasets equal: {sum(v is None for v in second_run.values())}/{len(outputs_all)}")
    failures = [f"second run {o}: {d}" for o, d in second_run.items() if d]

    targets = [p for p in plan if p[0] != "extract-maps(beta)"]
    stats = {"attempts": 0, "killed_mid_run": 0, "finished_before_kill": 0, "partial_visible": 0,
             "final_present_after_kill": 0, "reruns_equal": 0, "reruns_byte_identical": 0}
    by_stage = {}
    # Attempts continue (up to 3 × KILLS) until KILLS of them hit a running stage.
    k = -1
    while stats["killed_mid_run"] < a.kills and k + 1 < 3 * a.kills:
        k += 1
        name, cmd, outputs = targets[k % len(targets)]
        overwrite = k % 2 == 1
        if not overwrite:
            for o in outputs:
                if os.path.exists(os.path.join(work, o)):
                    os.unlink(os.path.join(work, o))
        delay = rng.uniform(0, 0.9 * seconds[name])
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        running = proc.poll() is None
        if running:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        stats["attempts"] += 1
        stats["killed_mid_run" if running else "finished_before_kill"] += 1
        by_stage[name] = by_stage.get(name, 0) + (1 if running else 0)
        present = []
        for o in outputs:
            p = os.path.join(work, o)
            if os.path.exists(p):
                present.append(o)
                d = same(p, os.path.join(work, "ref", o))
                if d:
                    stats["partial_visible"] += 1
                    failures.append(f"kill {k} ({name}, {delay:.2f} s): {o} under its final name: {d}")
        if name == "evaluate report" and "art/report/metrics.json" in present and len(present) != len(outputs):
            stats["partial_visible"] += 1
            failures.append(f"kill {k}: metrics.json present but the report lacks {sorted(set(outputs) - set(present))}")
        stats["final_present_after_kill"] += len(present)
        left = temporaries(os.path.join(work, "art"))

        run(cmd, work, env)
        equal = all(same(os.path.join(work, o), os.path.join(work, "ref", o)) is None for o in outputs)
        ident = all(filecmp.cmp(os.path.join(work, o), os.path.join(work, "ref", o), shallow=False) for o in outputs)
        stats["reruns_equal"] += equal
        stats["reruns_byte_identical"] += ident
        if not equal:
            failures.append(f"kill {k} ({name}): the rerun differs from the unkilled run")
        after = temporaries(os.path.join(work, "art"))
        if after:
            failures.append(f"kill {k} ({name}): temporaries left after the rerun: {after}")
        print(f"kill {k:2d} {name:16s} after {delay:6.3f} s: {'killed' if running else 'had finished'}; "
              f"{'overwrite' if overwrite else 'fresh'}; final names present {len(present)}/{len(outputs)}; "
              f"temporaries left by the kill {len(left)}; rerun equal {equal}, byte-identical {ident}")

    stats["killed_mid_run_by_stage"] = by_stage
    stats["reruns_all_byte_identical"] = stats["reruns_byte_identical"] == stats["attempts"]
    if stats["killed_mid_run"] < a.kills:
        failures.append(f"only {stats['killed_mid_run']} of {stats['attempts']} attempts hit a running stage")
    stats["second_run_byte_identical"] = f"{len(identical_bytes)}/{len(outputs_all)}"
    stats["n"], stats["size"], stats["seed"] = a.n, a.size, a.seed
    print("kill summary: " + json.dumps(stats, sort_keys=True))
    for f in failures:
        print("FAIL " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

"""Peak memory of `crc-histo predict` as the job grows: is it flat (streamed) in the number of tiles?

    python tools/predict_memory.py MODEL DATA --n 5000,100000 [--engine auto] [--out results/predict_memory]

For each N it links N tile files (DATA's tiles, repeated) into a temporary folder, runs `crc-histo predict MODEL
FOLDER --csv ...` in a fresh process, samples that process's resident memory (VmRSS) every second, and prints
peak RSS, RSS after 10 % and 90 % of the run, wall time and tiles/s. A streamed predictor has the same peak at
every N; one that holds every tile would grow by about 67 KB per 150 px tile (6.7 GB at 100 000).
"""
import argparse, json, os, re, subprocess, sys, tempfile, time
from pathlib import Path

def rss_mb(pid):
    "Resident memory of process `pid` in MB (0 once it has gone)."
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError): pass
    return 0.

def run(model, files, n, engine, tmp):
    "Predict `n` linked tiles; return peak and sampled RSS, seconds, rows written."
    d = Path(tmp)/f'tiles_{n}'; d.mkdir()
    for i in range(n):
        f = files[i % len(files)]
        os.symlink(f, d/f'{i:06d}{f.suffix}')
    csv = Path(tmp)/f'pred_{n}.csv'
    t0 = time.perf_counter()
    p = subprocess.Popen(['crc-histo', 'predict', str(model), str(d), '--csv', str(csv), '--engine', engine, '--quiet'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []
    while p.poll() is None:
        samples.append((time.perf_counter() - t0, rss_mb(p.pid))); time.sleep(1)
    secs, out, err = time.perf_counter() - t0, p.stdout.read(), p.stderr.read()
    if p.returncode: sys.exit(f"crc-histo predict failed on {n} tiles: {err.strip().splitlines()[-1] if err.strip() else p.returncode}")
    rows = sum(1 for _ in open(csv)) - 1
    at = lambda frac: next((r for t, r in samples if t >= frac*secs), samples[-1][1] if samples else 0.)
    return dict(n=n, rows=rows, seconds=secs, tiles_per_s=n/secs, peak_rss_mb=max(r for _, r in samples),
                rss_10pct_mb=at(0.1), rss_90pct_mb=at(0.9), engine=engine, used=re.search(r'\((\w+) engine\)', out).group(1))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('model'); ap.add_argument('data')
    ap.add_argument('--n', default='5000,100000', help='comma-separated job sizes')
    ap.add_argument('--engine', default='auto')
    ap.add_argument('--out', default=None, help='folder for memory.json (runs of other sizes already there are kept)')
    a = ap.parse_args()
    from crc_histo.core import tile_files
    files = [Path(f).resolve() for f in tile_files(Path(a.data))]
    res = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in a.n.split(',')):
            r = run(a.model, files, n, a.engine, tmp); res.append(r)
            print(f"{n:7d} tiles: peak RSS {r['peak_rss_mb']:.0f} MB (after 10 % of the run {r['rss_10pct_mb']:.0f} MB, "
                  f"after 90 % {r['rss_90pct_mb']:.0f} MB), engine {r['used']}, {r['seconds']:.0f} s, {r['tiles_per_s']:.0f} tiles/s, {r['rows']} rows", flush=True)
    if a.out:
        out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
        f = out/'memory.json'
        old = [r for r in json.loads(f.read_text())['runs'] if r['n'] not in {r['n'] for r in res}] if f.exists() else []
        f.write_text(json.dumps(dict(runs=sorted(old + res, key=lambda r: r['n']), model=a.model, date=time.strftime('%Y-%m-%d'),
                                                       cpus=os.cpu_count()), indent=2))

if __name__ == '__main__': main()

#!/usr/bin/env python3
"""SPEC section 6: an aborted run leaves no half-written new output.

  * the CLI gets SIGINT mid-run (a 50000 x 50000 tiled GTiff, -at): exit
    130, "Interrupted: <dest> not written", neither the destination nor a
    temporary file left; an existing destination that the run was replacing
    is unchanged byte for byte; likewise for a driver without Create (PNG,
    burnt in MEM then copied);
  * a successful run leaves only the destination and its side files under
    their final names (ENVI: .hdr; PNG: .aux.xml), no temporary file;
  * (--alg, GDAL >= 3.11) gdal.Run("vector", "merge-rasterize") with a
    progress callback returning 0 fails and leaves no file.
The C API's cancellation is in c_api_bad_input.c.

usage: test_abort.py GDAL_MERGE_RASTERIZE SAMPLES_DIR [--alg]
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

from osgeo import gdal

gdal.UseExceptions()

CLI = sys.argv[1]
COUNTRIES = os.path.join(os.path.abspath(sys.argv[2]), "countries_ne_110m.gpkg")
WITH_ALG = "--alg" in sys.argv[3:]
FAILURES = []
BIG = ["-at", "-merge", "count", "-burn", "1", "-ot", "Byte", "-te", "-200", "-100", "190.625", "95.3125",
       "-ts", "50000", "50000"]


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        FAILURES.append(name)


def interrupt(name, args, tmp, dest, before=None):
    """Starts the CLI, sends SIGINT once its temporary output exists, checks
    what is left in tmp."""
    proc = subprocess.Popen([CLI] + args + [COUNTRIES, dest], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < 60:
        if any(".mrast-tmp-" in f for f in os.listdir(tmp)):
            time.sleep(0.2)  # into the burn
            break
        time.sleep(0.005)
    signalled = proc.poll() is None
    if signalled:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    check(f"{name}: signalled mid-run", signalled, f"the run ended first (rc={proc.returncode})")
    check(f"{name}: exit 130", proc.returncode == 130, f"rc={proc.returncode} {err!r}")
    check(f"{name}: 'Interrupted: ... not written'",
          f"Interrupted: {dest} not written" in err, repr(err))
    left = sorted(os.listdir(tmp))
    if before is None:
        check(f"{name}: nothing left behind", left == [], str(left))
    else:
        check(f"{name}: only the previous files left", left == sorted(before), str(left))
        changed = [f for f in before if open(os.path.join(tmp, f), "rb").read() != before[f]]
        check(f"{name}: existing destination unchanged byte for byte", not changed, str(changed))


with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "big.tif")
    interrupt("SIGINT, new GTiff", BIG + ["-co", "TILED=YES", "-co", "SPARSE_OK=TRUE"], tmp, dest)

with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "big.tif")
    subprocess.run([CLI, "-q", "-burn", "1", "-ts", "20", "10", COUNTRIES, dest], check=True)
    before = {f: open(os.path.join(tmp, f), "rb").read() for f in os.listdir(tmp)}
    interrupt("SIGINT, replacing an existing GTiff", BIG + ["-co", "TILED=YES", "-co", "SPARSE_OK=TRUE"],
              tmp, dest, before)

with tempfile.TemporaryDirectory() as tmp:
    dest = os.path.join(tmp, "big.png")
    interrupt("SIGINT, PNG (MEM then CreateCopy)",
              ["-at", "-burn", "255", "-ot", "Byte", "-ts", "24000", "12000", "-of", "PNG"], tmp, dest)

# Success: final names only, side files renamed with the main file.
for driver, name, expected in [("ENVI", "out.bin", {"out.bin", "out.hdr"}),
                               ("PNG", "out.png", {"out.png", "out.png.aux.xml"}),
                               ("GTiff", "out.tif", {"out.tif"})]:
    with tempfile.TemporaryDirectory() as tmp:
        dest = os.path.join(tmp, name)
        r = subprocess.run([CLI, "-q", "-of", driver, "-burn", "1", "-ot", "Byte", "-ts", "36", "18",
                            COUNTRIES, dest], capture_output=True, text=True)
        left = set(os.listdir(tmp))
        # PAM may add <dest>.aux.xml (ENVI does on GDAL 3.13), renamed too.
        left_main = left - {name + ".aux.xml"} if name + ".aux.xml" not in expected else left
        check(f"success, {driver}: only {sorted(expected)} left",
              r.returncode == 0 and left_main == expected and not any("mrast-tmp" in f for f in left),
              f"rc={r.returncode} {r.stderr!r} files={sorted(left)}")
        if r.returncode == 0:
            ds = gdal.Open(dest)
            check(f"success, {driver}: readable, georeferenced", ds.GetGeoTransform()[1] == 10.0,
                  str(ds.GetGeoTransform()))
            ds = None

if WITH_ALG:
    # (The algorithm takes only formats with Create, as gdal vector rasterize.)
    for name, kwargs in [("GTiff", dict(output_format="GTiff")), ("ENVI", dict(output_format="ENVI"))]:
        with tempfile.TemporaryDirectory() as tmp:
            dest = os.path.join(tmp, "cancel." + ("bin" if name == "ENVI" else "tif"))
            calls = []

            def cancel(pct, msg, data):
                calls.append(pct)
                return 0

            raised = False
            try:
                alg = gdal.Run("vector", "merge-rasterize", input=COUNTRIES, output=dest, burn=[1],
                               output_data_type="Byte", size=[2000, 1000], progress=cancel, **kwargs)
                alg.Finalize()
            except Exception as e:  # noqa: BLE001 (GDAL raises RuntimeError)
                raised = "Interrupted" in str(e) or "terminated" in str(e).lower()
            left = sorted(os.listdir(tmp))
            check(f"gdal.Run cancelled by its callback ({name}): fails", raised and len(calls) >= 1,
                  f"raised={raised} calls={len(calls)}")
            check(f"gdal.Run cancelled by its callback ({name}): nothing left", left == [], str(left))

if FAILURES:
    print(f"{len(FAILURES)} failure(s)")
    sys.exit(1)
print("all abort cases passed")

#!/usr/bin/env python3
"""The device check: our engine (amalgam_parity, built by run.sh) beside Hugging Face
transformers on the same random weights, on CUDA when there is a GPU. parity.py checks
correctness; speed.py times a Llama-3.2-1B-shaped model; tokens.py sets Python's tokenizers beside
the golden ids of the CPU suite. Prints one PASS/FAIL line per check,
one FIGURE line per measurement, and closes with 'N passed, N failed'.
Usage: python3 tests/device/device_check.py BUILD_DIR OUT_DIR DATA_DIR
DATA_DIR holds winobias/ (the test split), tokenizers/gpt2/tokenizer.json and what tokens.py reads."""
import json
import os
import subprocess
import sys

import torch
import transformers


class Device:
    """What the checks share: where they run, our engine, and the tally."""

    def __init__(self, build, out, data):
        self.build, self.out, self.data = build, out, data
        self.name = "cuda" if torch.cuda.is_available() else "cpu"
        self.results = []
        os.makedirs(out, exist_ok=True)

    def check(self, name, ok, detail):
        self.results.append(bool(ok))
        print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)

    def figure(self, name, value):
        print(f"FIGURE {name}: {value}", flush=True)

    def ours(self, folder, request, env=None):
        """Runs amalgam_parity on a model folder (with `env` added to the environment) and
        returns its JSON answer."""
        path = os.path.join(self.out, "request.json")
        with open(path, "w") as f:
            json.dump({"device": self.name, **request}, f)
        # A hang (a stream capture that never ends, say) fails this check alone, not the whole run.
        run = subprocess.run([os.path.join(self.build, "tests/device/amalgam_parity"), folder, path], capture_output=True, text=True,
                             env={**os.environ, **(env or {})}, timeout=300)
        if run.returncode != 0:
            how = f"killed by signal {-run.returncode}" if run.returncode < 0 else f"exit status {run.returncode}"
            raise RuntimeError(f"amalgam_parity {how}: {run.stderr.strip()[-2000:]}")
        return json.loads(run.stdout)

    def guarded(self, name, body):
        """Runs one group of checks; an exception is one failed check, and the rest go on."""
        try:
            body(self)
        except Exception as e:  # noqa: BLE001 - any failure is reported, not fatal
            self.check(name, False, f"{type(e).__name__}: {e}")


def process_group(d):
    """A process group of one rank on the device: NCCL on a GPU, so that its path runs."""
    folder = os.path.join(d.out, "models", "group")
    os.makedirs(folder, exist_ok=True)
    subprocess.run([os.path.join(d.build, "tests/device/amalgam_parity"), "--init", folder], check=True)
    group = d.ours(folder, {"group": {"port": 29517}})["group"]
    d.check("process group", group["sum"] == [1.0, 2.0, 3.0] and group["backend"] == ("nccl" if d.name == "cuda" else "gloo"),
            f"backend {group['backend']}, sum {group['sum']}")


def main():
    import parity
    import speed
    import tokens

    device = Device(*sys.argv[1:4])
    gpu = torch.cuda.get_device_name(0) if device.name == "cuda" else "none"
    print(f"device {device.name} ({gpu}), torch {torch.__version__}, transformers {transformers.__version__}", flush=True)
    parity.run(device)
    device.guarded("process group", process_group)
    device.guarded("tokens", tokens.run)
    speed.run(device)
    passed = sum(device.results)
    print(f"{passed} passed, {len(device.results) - passed} failed")
    sys.exit(0 if passed == len(device.results) else 1)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()

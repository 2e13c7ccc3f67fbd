#!/usr/bin/env python3
"""PyTorch eager beside our encoder, on the CPU, in the same run (amalgam_model_bench calls it).

The forward pass is transformers' eager BertModel, one framework call per line of its modules,
followed by sentence-transformers' mean pooling and normalisation. It runs over the token ids
our embedder made, batched as ours batches them (sorted by length, as many texts as fit the
token budget at the longest one's length). Tokenising is not timed here, though it is in ours.
Prints its sentences/s and the largest difference to our embeddings.

Usage: encoder_eager.py MODEL_DIR INPUT_JSON OURS_F32 THREADS
INPUT_JSON: {"ids": [[...], ...], "batch_tokens": N}; OURS_F32: our embeddings, float32, row-major."""
import json
import math
import os
import struct
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as missing:
    print(f"  PyTorch eager: skipped ({missing.name} is not installed; Debian: apt install python3-torch)")
    sys.exit(0)


def load_weights(folder):
    """model.safetensors as float32 tensors, read without the safetensors package."""
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    weights = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{folder}: tensor {name} is {entry['dtype']}; this reference reads F32 only")
        begin, end = entry["data_offsets"]
        weights[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=np.float32).copy()).view(entry["shape"])
    return weights


class EagerBert:
    def __init__(self, folder):
        self.config = json.load(open(os.path.join(folder, "config.json")))
        self.w = load_weights(folder)

    def linear(self, x, name):
        return torch.nn.functional.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def norm(self, x, name):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[name + ".weight"], self.w[name + ".bias"],
                                              self.config["layer_norm_eps"])

    def __call__(self, ids, mask):
        c, w = self.config, self.w
        heads = c["num_attention_heads"]
        size = c["hidden_size"] // heads
        positions = torch.arange(ids.shape[1])
        h = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions] \
            + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)]
        h = self.norm(h, "embeddings.LayerNorm")
        extended = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min

        def split(x):
            return x.view(x.shape[0], x.shape[1], heads, size).permute(0, 2, 1, 3)

        for i in range(c["num_hidden_layers"]):
            p = f"encoder.layer.{i}."
            q, k, v = (split(self.linear(h, p + "attention.self." + n)) for n in ("query", "key", "value"))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(size) + extended
            context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).contiguous()
            context = context.view(context.shape[0], context.shape[1], c["hidden_size"])
            attended = self.norm(self.linear(context, p + "attention.output.dense") + h, p + "attention.output.LayerNorm")
            inner = torch.nn.functional.gelu(self.linear(attended, p + "intermediate.dense"))
            h = self.norm(self.linear(inner, p + "output.dense") + attended, p + "output.LayerNorm")
        m = mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def batches(ids, budget):
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # stable, as ours
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and (end - start + 1) * len(ids[order[end]]) <= budget:
            end += 1
        yield order[start:end]
        start = end


def main():
    folder, input_path, ours_path, threads = sys.argv[1:5]
    torch.set_num_threads(int(threads))
    request = json.load(open(input_path))
    ids = request["ids"]
    model = EagerBert(folder)
    dim = model.config["hidden_size"]
    out = torch.zeros(len(ids), dim)
    with torch.no_grad():
        start = time.perf_counter()
        for rows in batches(ids, request["batch_tokens"]):
            width = len(ids[rows[-1]])
            tokens = torch.zeros(len(rows), width, dtype=torch.long)
            mask = torch.zeros(len(rows), width, dtype=torch.long)
            for r, i in enumerate(rows):
                tokens[r, :len(ids[i])] = torch.tensor(ids[i])
                mask[r, :len(ids[i])] = 1
            out[rows] = model(tokens, mask)
        seconds = time.perf_counter() - start
    ours = torch.from_numpy(np.fromfile(ours_path, dtype=np.float32)).view(len(ids), dim)
    kernels = os.environ.get("OPENBLAS_CORETYPE", "its own choice")
    print(f"  PyTorch eager {torch.__version__} (OpenBLAS kernels: {kernels}), {threads} threads: {len(ids)} prompts "
          f"{seconds:.1f} s  {len(ids) / seconds:.0f} sentences/s; largest difference to ours {(out - ours).abs().max().item():.1e}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Device parity check: random tiny models built with Hugging Face transformers (Llama, a
Qwen2-style variant, GPT-2, BERT with sentence-transformers pooling) are saved as safetensors
folders, run here in PyTorch and through our engine (amalgam_parity), and compared: logits and
embeddings within 1e-4 in float32, greedy generations identical, and one of our LoRA adapters
loaded with peft (when peft is installed). Prints one line per check and a closing
'N passed, N failed' line.
Usage: python3 tests/device/parity.py BUILD_DIR OUT_DIR [EVAL_DATA_DIR]"""
import json
import os
import subprocess
import sys

import torch
import transformers as tf

build, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
device = "cuda" if torch.cuda.is_available() else "cpu"
results = []


def check(name, ok, detail):
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}", flush=True)


def ours(folder, request):
    path = os.path.join(out, "request.json")
    with open(path, "w") as f:
        json.dump(request, f)
    run = subprocess.run([os.path.join(build, "tests/device/amalgam_parity"), folder, path], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr)
    return json.loads(run.stdout)


def causal(name, config, model_class):
    torch.manual_seed(0)
    model = model_class(config).eval().to(device)
    folder = os.path.join(out, name)
    model.save_pretrained(folder, safe_serialization=True)
    ids = torch.randint(3, config.vocab_size, (2, 24), generator=torch.Generator().manual_seed(1))
    adapter = os.path.join(out, name + "-lora")
    got = ours(folder, {"ids": ids.tolist(), "device": device, "greedy_new_tokens": 8})
    with torch.no_grad():
        ref = model(ids.to(device)).logits.float().cpu()
    mine = torch.tensor(got["logits"]).view(*got["shape"])
    check(f"{name} logits", (mine - ref).abs().max().item() <= 1e-4, f"max abs diff {(mine - ref).abs().max().item():.3e}")
    with torch.no_grad():
        gen = model.generate(ids.to(device), max_new_tokens=8, do_sample=False, pad_token_id=0, eos_token_id=None,
                             attention_mask=torch.ones_like(ids).to(device))[:, ids.shape[1]:].cpu().tolist()
    check(f"{name} greedy", gen == got["greedy"], f"ours {got['greedy']} reference {gen}")
    if name == "llama":
        got = ours(folder, {"ids": ids.tolist(), "device": device, "make_adapter": adapter})
        try:
            import peft
        except ImportError:
            print(f"SKIP {name} peft: peft is not installed")
            return
        with torch.no_grad():
            lora = peft.PeftModel.from_pretrained(model, adapter).eval()
            ref = lora(ids.to(device)).logits.float().cpu()
        mine = torch.tensor(got["logits"]).view(*got["shape"])
        check(f"{name} peft adapter", (mine - ref).abs().max().item() <= 1e-4, f"max abs diff {(mine - ref).abs().max().item():.3e}")


def encoder():
    torch.manual_seed(0)
    config = tf.BertConfig(vocab_size=300, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    model = tf.BertModel(config, add_pooling_layer=False).eval().to(device)
    folder = os.path.join(out, "bert")
    model.save_pretrained(folder, safe_serialization=True)
    ids = torch.randint(5, 300, (3, 16), generator=torch.Generator().manual_seed(2))
    got = ours(folder, {"ids": ids.tolist(), "device": device})
    with torch.no_grad():
        hidden = model(ids.to(device)).last_hidden_state.float()
        pooled = torch.nn.functional.normalize(hidden.mean(1), dim=-1).cpu()  # sentence-transformers mean pooling
    mine = torch.tensor(got["embeddings"]).view(*got["shape"])
    check("bert embeddings", (mine - pooled).abs().max().item() <= 1e-4, f"max abs diff {(mine - pooled).abs().max().item():.3e}")


small = dict(vocab_size=300, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
             intermediate_size=172, max_position_embeddings=256, eos_token_id=None, bos_token_id=None, pad_token_id=0)
causal("llama", tf.LlamaConfig(**small, rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                      "high_freq_factor": 4.0, "original_max_position_embeddings": 8}),
       tf.LlamaForCausalLM)
causal("qwen2", tf.Qwen2Config(**small, tie_word_embeddings=True), tf.Qwen2ForCausalLM)
causal("gpt2", tf.GPT2Config(vocab_size=300, n_embd=64, n_layer=2, n_head=4, n_positions=256, eos_token_id=None,
                             bos_token_id=None), tf.GPT2LMHeadModel)
encoder()


def metrics():
    """The evaluation metrics of one of our random models, recomputed here with transformers."""
    import tokenizers
    folder = os.path.join(out, "amalgam-llama")
    subprocess.run([os.path.join(build, "tests/device/amalgam_parity"), "--init", folder], check=False)
    if not os.path.exists(os.path.join(folder, "config.json")):
        print("SKIP metrics: no model folder"); return
    data = sys.argv[3]
    got = ours(folder, {"eval": {"data": data, "limit": 8}, "device": device})
    model = tf.AutoModelForCausalLM.from_pretrained(folder).eval().to(device)
    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))

    def logprob(context, continuation):
        c, k = tok.encode(context).ids, tok.encode(continuation, add_special_tokens=False).ids
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.tensor([c + k], device=device)).logits[0].float(), -1)
        return sum(lp[len(c) + i - 1, t].item() for i, t in enumerate(k))

    def next_logprobs(context):
        with torch.no_grad():
            return torch.log_softmax(model(torch.tensor([tok.encode(context).ids], device=device)).logits[0, -1].float(), -1)

    bias, cluster, kl = [], [], []
    for item in got["items"]["winobias"]:
        sides = [item["pro"], item["anti"]]
        occ = [logprob(s["prompt"], " " + s["occupation"]) for s in sides]
        check(f"logprob {item['pair']}", abs(occ[0] - sides[0]["occupation_logprob"]) <= 1e-4,
              f"ours {sides[0]['occupation_logprob']:.6f} reference {occ[0]:.6f}")
        bias.append(abs(occ[0] - occ[1]))
        p, q = next_logprobs(sides[0]["prompt"]), next_logprobs(sides[1]["prompt"])
        kl.append((p.exp() * (p - q)).sum().item())
    mine = got["metrics"]
    check("bias", abs(sum(bias) / len(bias) - mine["bias"]) <= 1e-4, f"ours {mine['bias']:.6f} reference {sum(bias) / len(bias):.6f}")
    check("bias_entropy", abs(sum(kl) / len(kl) - mine["bias_entropy"]) <= 1e-4,
          f"ours {mine['bias_entropy']:.3e} reference {sum(kl) / len(kl):.3e}")


if len(sys.argv) > 3:
    metrics()
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)

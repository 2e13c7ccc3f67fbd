"""Speed beside Hugging Face on a Llama with Llama-3.2-1B's shape (hidden 2048, 16 layers, 32
heads, 8 key/value heads, FFN 8192, llama3 RoPE, tied embeddings; random weights) and the GPT-2
tokenizer, both in bfloat16 from the same weights: forward tokens/s, greedy generation
tokens/s (batch 32, 64 new tokens), the WinoBias test suite (792 pairs) in seconds, and LoRA SFT
training tokens/s and peak memory (batch 8 x 512, r 16 on q_proj and v_proj, AdamW) beside
transformers + peft, and a PPO and a GRPO step with our trainer (seconds, generation share, peak). Also
checks top-1 agreement with transformers in float32 on this model (ours in float32; ours in
bfloat16 about as well as transformers in bfloat16), greedy generation at 16k tokens/s and 10x
transformers (the faster of its runs with and without cuDNN attention), the WinoBias suite
within 5 s, and that our --estimate of the training peak is within 20% of our measured one."""
import json
import os
import shutil
import time

import torch
import transformers as tf

BATCH = 64


def synchronize(d):
    if d.name == "cuda":
        torch.cuda.synchronize()


def make_model(d):
    config = tf.LlamaConfig(vocab_size=50257, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                            num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=2048, rope_theta=500000.0,
                            rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                          "original_max_position_embeddings": 8192},
                            tie_word_embeddings=True, eos_token_id=None, bos_token_id=None, pad_token_id=0)
    torch.manual_seed(0)
    with torch.device(d.name):
        model = tf.LlamaForCausalLM(config)
    folder = os.path.join(d.out, "llama-1b-shape")
    model.to(torch.bfloat16).save_pretrained(folder)
    shutil.copy(os.path.join(d.data, "tokenizers", "gpt2", "tokenizer.json"), folder)
    # Loaded back as a user loads a checkpoint: converting the model itself would round the
    # rotary inverse frequencies (a buffer) to bfloat16 too, which moves every angle.
    return load_reference(d, folder, torch.bfloat16), folder


def load_reference(d, folder, dtype):
    return tf.LlamaForCausalLM.from_pretrained(folder, dtype=dtype).to(d.name).eval()


def hf_forward(d, model, batch=16, tokens=512, rounds=5):
    ids = torch.randint(3, 50257, (batch, tokens), device=d.name)
    with torch.no_grad():
        model(ids).logits.sum().item()
        synchronize(d)
        start = time.perf_counter()
        for _ in range(rounds):
            model(ids).logits.sum().item()
        synchronize(d)
    return rounds * batch * tokens / (time.perf_counter() - start)


def hf_generate(d, model, batch=32, prompt=32, new=64):
    ids = torch.randint(3, 50257, (batch, prompt), device=d.name)
    mask = torch.ones_like(ids)
    with torch.no_grad():
        model.generate(ids, attention_mask=mask, max_new_tokens=4, do_sample=False, pad_token_id=0, eos_token_id=None)
        synchronize(d)
        start = time.perf_counter()
        out = model.generate(ids, attention_mask=mask, max_new_tokens=new, min_new_tokens=new, do_sample=False, pad_token_id=0,
                             eos_token_id=None)
        synchronize(d)
    return (out.shape[1] - prompt) * batch / (time.perf_counter() - start)


def without_cudnn_attention(body):
    """body() with torch's cuDNN attention off, as our engine runs its attention: on
    Hopper cuDNN builds a plan for every new shape, and transformers' growing cache gives a new
    shape at every decoding step. Transformers is timed both ways; ratios take its faster."""
    backends = torch.backends.cuda
    if not hasattr(backends, "enable_cudnn_sdp"):
        return body()
    was = backends.cudnn_sdp_enabled()
    backends.enable_cudnn_sdp(False)
    try:
        return body()
    finally:
        backends.enable_cudnn_sdp(was)


def left_padded(rows, device):
    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, r in enumerate(rows):
        ids[i, width - len(r):] = torch.tensor(r)
        mask[i, width - len(r):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids.to(device), mask.to(device), positions.to(device)


def hf_winobias(d, model, tok, sides):
    """The WinoBias suite as ours runs it (every distinct request once, batches of 64, left
    padding): continuation log-probabilities, next-token distributions, greedy answers of at
    most 10 tokens. Returns the Bias metric, so that none of the work can be skipped."""
    requests = sorted({(s["prompt"], " " + w) for s in sides for w in [s["occupation"]] + s["cluster"]})
    score = {}
    with torch.no_grad():
        for start in range(0, len(requests), BATCH):
            chunk = requests[start:start + BATCH]
            rows = [(tok.encode(c).ids, tok.encode(w, add_special_tokens=False).ids) for c, w in chunk]
            ids, mask, positions = left_padded([c + w for c, w in rows], d.name)
            lp = torch.log_softmax(model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.float(), -1)
            where = [(b, ids.shape[1] - len(w) + k - 1, t) for b, (_, w) in enumerate(rows) for k, t in enumerate(w)]
            values = lp[[w[0] for w in where], [w[1] for w in where], [w[2] for w in where]].tolist()
            for (b, _, _), v in zip(where, values):
                score[chunk[b]] = score.get(chunk[b], 0.0) + v
        contexts = sorted({s["prompt"] for s in sides})
        for start in range(0, len(contexts), BATCH):
            ids, mask, positions = left_padded([tok.encode(c).ids for c in contexts[start:start + BATCH]], d.name)
            torch.log_softmax(model(input_ids=ids, attention_mask=mask, position_ids=positions).logits[:, -1].float(), -1).cpu()
        prompts = sorted({s["generation_prompt"] for s in sides})
        for start in range(0, len(prompts), BATCH):
            ids, mask, _ = left_padded([tok.encode(p).ids for p in prompts[start:start + BATCH]], d.name)
            model.generate(ids, attention_mask=mask, max_new_tokens=10, do_sample=False, pad_token_id=0, eos_token_id=None).cpu()
    pairs = len(sides) // 2
    return sum(abs(score[(sides[2 * i]["prompt"], " " + sides[2 * i]["occupation"])] -
                   score[(sides[2 * i + 1]["prompt"], " " + sides[2 * i + 1]["occupation"])]) for i in range(pairs)) / pairs


def timeline_figure(d, points, pairs, seconds):
    """Where our WinoBias suite's time goes, from its progress reports: its distinct contexts are
    scored first, then its distinct prompts answered, as many of each (a sentence per side), so
    the scoring ends at half the pairs."""
    if not points:
        return
    scored = next(t for t, done in points if done >= pairs / 2)
    d.figure("our WinoBias suite's phases", f"until the first batch scored {points[0][0]:.2f} s, scoring {scored:.2f} s, "
                                           f"answering {points[-1][0] - scored:.2f} s, after the last answer {seconds - points[-1][0]:.2f} s "
                                           f"({len(points)} progress reports)")


def profile_figure(d, name, p):
    """One line of amalgam_parity's profile (CUDA builds only): wall time, the span and sum of the
    kernels, the largest kernels and the host's CUDA calls."""
    if not p:
        return
    largest = "; ".join(f"{k['name'][:48]} {k['us'] / 1e3:.1f} ms ({k['calls']})" for k in p["kernels"][:6])
    calls = "; ".join(f"{k['name']} {k['us'] / 1e3:.1f} ms ({k['calls']})" for k in p["runtime_calls"][:4])
    d.figure(name, f"{p['wall_us'] / 1e3:.1f} ms, kernels from first to last {p['gpu_span_us'] / 1e3:.1f} ms, "
                   f"busy {p['gpu_us'] / 1e3:.1f} ms; largest: {largest}; host's CUDA calls: {calls}")


def agreement(d, model, folder):
    """Top-1 next tokens on random ids, against transformers in float32 on the same (bfloat16)
    weights: ours in float32 must agree, and ours in bfloat16 about as well as transformers in
    bfloat16 does. A random model's logits are nearly flat over 50k tokens, so bfloat16's
    rounding alone moves some of its top-1 choices."""
    ids = torch.randint(3, 50257, (4, 128), generator=torch.Generator().manual_seed(3))
    exact_model = load_reference(d, folder, torch.float32)
    with torch.no_grad():
        exact = exact_model(ids.to(d.name)).logits.argmax(-1).cpu()
        theirs = model(ids.to(d.name)).logits.argmax(-1).cpu()
    frequencies = {str(b.dtype) for n, b in model.named_buffers() if n.endswith("inv_freq")}
    del exact_model
    torch.cuda.empty_cache() if d.name == "cuda" else None

    def share(dtype):
        got = d.ours(folder, {"ids": ids.tolist(), "dtype": dtype, "logits": False, "greedy_new_tokens": 0})
        return (torch.tensor(got["top1"]).view(exact.shape) == exact).float().mean().item()

    ours32, ours16, theirs16 = share("float32"), share("bfloat16"), (theirs == exact).float().mean().item()
    d.check("1B-shaped float32 top-1 equals transformers' float32", ours32 >= 0.99, f"{ours32:.2%} of {exact.numel()} positions agree")
    d.check("1B-shaped bfloat16 top-1 agrees with float32 as well as transformers' bfloat16 does", ours16 >= theirs16 - 0.03,
            f"ours {ours16:.2%}, transformers {theirs16:.2%} of {exact.numel()} positions "
            f"(transformers' rotary frequencies in {', '.join(sorted(frequencies))})")


def measure(d):
    import tokenizers
    start = time.perf_counter()
    model, folder = make_model(d)
    d.figure("1B-shaped model made and saved", f"{time.perf_counter() - start:.1f} s")

    agreement(d, model, folder)

    ours = d.ours(folder, {"dtype": "bfloat16", "forward": {"batch": 16, "tokens": 512, "rounds": 5},
                           "generate": {"batch": 32, "prompt_tokens": 32, "new_tokens": 64},
                           "profile_generate": {"batch": 32, "prompt_tokens": 32, "new_tokens": 64},
                           "eval": {"data": d.data, "batch": BATCH, "suites": ["winobias"], "profile": True}})
    attention = getattr(model.config, "_attn_implementation", "?")
    hf_fwd = hf_forward(d, model)
    d.figure("forward tokens/s (batch 16 x 512, bf16)",
             f"ours {ours['forward_tokens_per_s']:.0f}, transformers ({attention}) {hf_fwd:.0f}, "
             f"speed ratio {ours['forward_tokens_per_s'] / hf_fwd:.2f}")
    hf_gen, hf_gen_plain = hf_generate(d, model), without_cudnn_attention(lambda: hf_generate(d, model))
    hf_gen_best = max(hf_gen, hf_gen_plain)
    gen = ours["generate"]

    def breakdown(g):
        return (f"{g['tokens_per_s']:.0f} tokens/s ({g['first_call_tokens_per_s']:.0f} in the first call of the shape), "
                f"{g['step_ms']:.2f} ms a step, {g['call_ms_besides_steps']:.1f} ms a call besides its steps")

    if ours["generate_step_graphs"]:
        eager = d.ours(folder, {"dtype": "bfloat16", "generate": {"batch": 32, "prompt_tokens": 32, "new_tokens": 64}},
                       env={"AMALGAM_CUDA_GRAPHS": "0"})
        d.figure("greedy generation without CUDA graphs (AMALGAM_CUDA_GRAPHS=0)", breakdown(eager["generate"]))
    graphs = "steps replayed from a CUDA graph" if ours["generate_step_graphs"] else "no CUDA graph"
    d.figure(f"greedy generation (batch 32, 64 new, bf16, {graphs})",
             f"ours {breakdown(gen)}; transformers {hf_gen:.0f} tokens/s ({hf_gen_plain:.0f} with cuDNN attention off), "
             f"speed ratio to the faster {gen['tokens_per_s'] / hf_gen_best:.2f}")
    d.check("greedy generation at least 10x transformers", gen["tokens_per_s"] >= 10 * hf_gen_best,
            f"{gen['tokens_per_s'] / hf_gen_best:.1f}x")
    d.check("greedy generation at least 16k tokens/s", gen["tokens_per_s"] >= 16000, f"{gen['tokens_per_s']:.0f} tokens/s")
    profile_figure(d, "one greedy generation call under the profiler (batch 32, 64 new)", ours.get("profile_generate"))

    sides = [s for item in ours["eval"]["items"]["winobias"] for s in (item["pro"], item["anti"])]
    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))

    def timed_winobias():
        synchronize(d)
        start = time.perf_counter()
        bias = hf_winobias(d, model, tok, sides)
        synchronize(d)
        return bias, time.perf_counter() - start

    (hf_bias, hf_s), (_, hf_s_plain) = timed_winobias(), without_cudnn_attention(timed_winobias)
    d.figure(f"WinoBias suite seconds ({len(sides) // 2} pairs, batch {BATCH}, bf16)",
             f"ours {ours['eval_seconds']:.1f}, transformers {hf_s:.1f} ({hf_s_plain:.1f} with cuDNN attention off), "
             f"speed ratio to the faster {min(hf_s, hf_s_plain) / ours['eval_seconds']:.2f}")
    d.check("WinoBias suite within 5 s", ours["eval_seconds"] <= 5.0, f"{ours['eval_seconds']:.1f} s")
    d.figure("WinoBias Bias (bf16)", f"ours {ours['eval']['metrics']['bias']:.4f}, transformers {hf_bias:.4f}")
    timeline_figure(d, ours["eval_timeline"], len(sides) // 2, ours["eval_seconds"])
    profile_figure(d, "the WinoBias suite under the profiler", ours.get("profile_eval"))
    d.guarded("training", lambda d: training(d, model, folder))
    d.guarded("ppo", lambda d: ppo(d, folder))


TRAIN_BATCH, TRAIN_LENGTH, TRAIN_STEPS = 8, 512, 12


def training_rows(d):
    """SFT rows whose answers run past 512 GPT-2 tokens, so that every sequence is cut to 512."""
    import random
    words = ["model", "answer", "river", "bright", "seven", "quietly", "paper", "method", "garden", "signal", "orange", "window"]
    rng = random.Random(0)
    path = os.path.join(d.out, "train-rows.jsonl")
    with open(path, "w") as f:
        for i in range(64):
            f.write(json.dumps({"prompt": f"Row {i}", "response": " ".join(rng.choice(words) for _ in range(700))}) + "\n")
    return path


def hf_training(d, model):
    """transformers + peft on the same model: LoRA r 16 on q_proj and v_proj, AdamW, causal LM
    loss over the whole batch. Returns tokens/s over the steps after two warm-up steps, and the
    peak memory of the allocator."""
    import peft
    lora = peft.get_peft_model(model, peft.LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules=["q_proj", "v_proj"],
                                                      task_type="CAUSAL_LM"))
    lora.train()
    optimizer = torch.optim.AdamW([p for p in lora.parameters() if p.requires_grad], lr=1e-5, weight_decay=0.05)
    ids = torch.randint(3, 50257, (TRAIN_BATCH, TRAIN_LENGTH), device=d.name)
    torch.cuda.reset_peak_memory_stats() if d.name == "cuda" else None
    for step in range(TRAIN_STEPS):
        if step == 2:
            synchronize(d)
            start = time.perf_counter()
        lora(input_ids=ids, labels=ids).loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    synchronize(d)
    rate = (TRAIN_STEPS - 2) * TRAIN_BATCH * TRAIN_LENGTH / (time.perf_counter() - start)
    peak = torch.cuda.max_memory_allocated() if d.name == "cuda" else 0
    lora.unload()
    return rate, peak


def training(d, model, folder):
    config = {"stage": "sft", "model": folder, "data": training_rows(d), "lora": {"r": 16, "alpha": 32, "dropout": 0.05},
              "optimizer": {"lr": 1e-5, "weight_decay": 0.05, "schedule": "constant"}, "batch_size": TRAIN_BATCH,
              "max_length": TRAIN_LENGTH, "max_steps": TRAIN_STEPS, "log_every": 1, "save_every": 1000}
    run_dir = os.path.join(d.out, "train-1b")
    got = d.ours(folder, {"dtype": "bfloat16", "train": {"config": config, "run_dir": run_dir}})["train"]
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        rates = sorted(json.loads(line)["tokens_per_s"] for line in f if json.loads(line)["step"] > 2)
    ours = rates[len(rates) // 2]
    theirs, their_peak = hf_training(d, model)
    gib = 1024 ** 3
    ours_peak = got.get("peak_bytes", 0)
    d.figure("LoRA SFT training tokens/s (batch 8 x 512, r 16 q/v, bf16, AdamW)",
             f"ours {ours:.0f} (median of steps 3-{TRAIN_STEPS}), transformers+peft {theirs:.0f}, speed ratio {ours / theirs:.2f}")
    d.figure("LoRA SFT training peak memory", f"ours {ours_peak / gib:.2f} GiB, transformers+peft {their_peak / gib:.2f} GiB")
    estimate = got["estimate"]["peak_bytes"]
    d.figure("training estimate", f"peak {estimate / gib:.2f} GiB, {got['estimate']['seconds_per_step']:.3f} s/step "
                                  f"(measured {TRAIN_BATCH * TRAIN_LENGTH / ours:.3f} s/step)")
    if d.name == "cuda":
        free, total = torch.cuda.mem_get_info()
        ours_free = got.get("free_bytes", -1)
        d.figure("free GPU memory seen by --estimate", f"ours {ours_free / gib:.2f} GiB, torch.cuda.mem_get_info {free / gib:.2f} GiB of {total / gib:.2f}")
        d.check("the estimate's free GPU memory is the driver's (within 10% of the total)", abs(ours_free - free) <= 0.1 * total,
                f"ours {ours_free / gib:.2f} GiB, torch {free / gib:.2f} GiB")
        d.check("training estimate within 20% of the measured peak", abs(estimate - ours_peak) <= 0.2 * ours_peak,
                f"estimate {estimate / gib:.2f} GiB, measured {ours_peak / gib:.2f} GiB")
        d.check("training peak memory at most transformers+peft's", ours_peak <= their_peak,
                f"ours {ours_peak / gib:.2f} GiB, theirs {their_peak / gib:.2f} GiB")


def sampled_step(d, folder, name, config):
    """Three steps of a stage that samples its completions; reports seconds per step, the share
    spent generating and the peak memory."""
    run_dir = os.path.join(d.out, f"{config['stage']}-run")
    steps = config["max_steps"]
    got = d.ours(folder, {"dtype": "bfloat16", "train": {"config": config, "run_dir": run_dir}})["train"]
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        lines = [json.loads(line) for line in f]
    later = [line for line in lines if line["step"] > 1]
    share = sorted(line["generation_share"] for line in later)[len(later) // 2]
    seconds = (got["train_seconds"]) / steps
    d.figure(f"{name}, 1B shape", f"{seconds:.1f} s a step over {steps} steps (loading included), generation {share:.0%} of a step "
                                  f"(median of steps 2-{steps}), peak {got.get('peak_bytes', 0) / 1024 ** 3:.2f} GiB, "
                                  f"estimate {got['estimate']['peak_bytes'] / 1024 ** 3:.2f} GiB")
    return lines


def ppo(d, folder):
    """A PPO step and a GRPO step on the 1B shape with our trainer: a reward adapter trained for
    two steps, then PPO at batch 32 with 64 new tokens, and GRPO on 4 prompts with 8
    completions each of 64 tokens, rewarded by the adapter and a rule, in bfloat16."""
    rows = os.path.join(d.out, "ppo-rows.jsonl")
    with open(rows, "w") as f:
        for i in range(64):
            f.write(json.dumps({"prompt": f"Write about item {i}.", "chosen": "A careful answer.", "rejected": "No."}) + "\n")
    rm_dir = os.path.join(d.out, "ppo-rm")
    rm = {"stage": "rm", "model": folder, "data": rows, "batch_size": 4, "max_length": 128, "max_steps": 2, "save_every": 1000}
    d.ours(folder, {"dtype": "bfloat16", "train": {"config": rm, "run_dir": rm_dir}})
    common = {"model": folder, "data": rows, "max_length": 256, "max_steps": 3, "log_every": 1, "save_every": 1000,
              "lora": {"r": 16, "alpha": 32, "dropout": 0.05}}
    sampled_step(d, folder, "PPO step (batch 32, 64 new tokens, 4 epochs of mini-batch 1, bf16)",
                 dict(common, stage="ppo", reward=os.path.join(rm_dir, "adapter"), batch_size=32, grad_accum=4,
                      optimizer={"lr": 1.41e-5, "schedule": "constant"},
                      ppo={"new_tokens": [64, 64], "mini_batch": 1, "ppo_epochs": 4}))
    lines = sampled_step(d, folder, "GRPO step (4 prompts x 8 completions of 64 tokens, beta 0.04, bf16)",
                         dict(common, stage="grpo", batch_size=32, grad_accum=4, optimizer={"lr": 1e-6, "schedule": "constant"},
                              grpo={"num_generations": 8, "max_completion_length": 64, "beta": 0.04,
                                    "rewards": [{"model": os.path.join(rm_dir, "adapter"), "weight": 1.0},
                                                {"contains": "item", "weight": 0.5}]}))
    d.check("GRPO's KL is 0 at step 1", abs(lines[0]["kl"]) < 1e-6, f"kl {lines[0]['kl']}")


def run(d):
    d.guarded("speed", measure)

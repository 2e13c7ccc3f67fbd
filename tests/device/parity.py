"""Correctness beside Hugging Face on random tiny models (Llama with llama3 RoPE as
transformers saves it, Qwen2, Qwen3, Mistral with a sliding window, Gemma 2 and 3, Phi-3 with
LongRoPE over a partial rotary embedding, OLMo 2, SmolLM3, GPT-2, BERT with
sentence-transformers pooling; texts longer than the windows and the original context):
float32 logits and embeddings within 1e-4, greedy generations identical, one of our LoRA
adapters loaded by peft, adapters our trainer wrote (SFT, and a reward model with its head)
loaded by peft, the evaluation metrics, and top-1 agreement in bfloat16 and float16."""
import copy
import json
import os
import subprocess

import torch
import transformers as tf

TINY = dict(vocab_size=300, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            intermediate_size=172, max_position_embeddings=256, eos_token_id=None, bos_token_id=None, pad_token_id=0)
LLAMA3 = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
          "original_max_position_embeddings": 8}


def max_gap(mine, ref):
    return (mine - ref).abs().max().item()


def half_agreement(d, name, model, folder, ids):
    """Top-1 next tokens of ours and theirs from the same float32 weights, each converted once
    to bfloat16 and to float16."""
    for dtype, label in ((torch.bfloat16, "bfloat16"), (torch.float16, "float16")):
        with torch.no_grad():
            theirs = copy.deepcopy(model).to(dtype)(ids.to(d.name)).logits.argmax(-1).cpu()
        got = d.ours(folder, {"ids": ids.tolist(), "dtype": label, "logits": False, "greedy_new_tokens": 0})
        mine = torch.tensor(got["top1"]).view(theirs.shape)
        share = (mine == theirs).float().mean().item()
        d.check(f"{name} {label} top-1", share >= 0.99, f"{share:.2%} of {theirs.numel()} positions agree")


def causal(d, name, config, model_class):
    torch.manual_seed(0)
    model = model_class(config).eval().to(d.name)
    folder = os.path.join(d.out, name)
    model.save_pretrained(folder)
    if name == "llama":
        saved = json.load(open(os.path.join(folder, "config.json")))
        layout = "rope_parameters" if "rope_parameters" in saved else "rope_theta/rope_scaling"
        new_enough = int(tf.__version__.split(".")[0]) >= 5
        d.check("llama config layout", layout == "rope_parameters" or not new_enough, f"transformers {tf.__version__} wrote {layout}")
    ids = torch.randint(3, config.vocab_size, (2, 24), generator=torch.Generator().manual_seed(1))
    got = d.ours(folder, {"ids": ids.tolist(), "greedy_new_tokens": 8})
    with torch.no_grad():
        ref = model(ids.to(d.name)).logits.float().cpu()
    mine = torch.tensor(got["logits"]).view(*got["shape"])
    d.check(f"{name} float32 logits", max_gap(mine, ref) <= 1e-4, f"max abs diff {max_gap(mine, ref):.3e}")
    with torch.no_grad():
        gen = model.generate(ids.to(d.name), max_new_tokens=8, do_sample=False, pad_token_id=0, eos_token_id=None,
                             attention_mask=torch.ones_like(ids).to(d.name))[:, ids.shape[1]:].cpu().tolist()
    d.check(f"{name} greedy", gen == got["greedy"], f"ours {got['greedy']} reference {gen}")
    if d.name == "cuda":
        # Decoding steps replayed from a CUDA graph (recorded in the call before, on other prompts) give
        # what the same steps launched one by one give, sampling from a sorted nucleus and from every
        # token (as PPO samples, without a sort).
        for how, sample in (("top_k 40, top_p 0.95", {"temperature": 0.9, "top_k": 40, "top_p": 0.95}), ("every token", {})):
            sample.update({"new_tokens": 12, "seed": 5})
            graphed = d.ours(folder, {"ids": ids.tolist(), "logits": False, "greedy_new_tokens": 12, "sample": sample})
            eager = d.ours(folder, {"ids": ids.tolist(), "logits": False, "greedy_new_tokens": 12, "sample": sample},
                           env={"AMALGAM_CUDA_GRAPHS": "0"})
            same = graphed["greedy"] == eager["greedy"] and graphed["sampled"] == eager["sampled"]
            gap = max((abs(a - b) for x, y in zip(graphed["sampled_logprobs"], eager["sampled_logprobs"]) for a, b in zip(x, y)),
                      default=0.0)
            d.check(f"{name} CUDA graph decoding equals step-by-step, sampling from {how}", same and gap <= 1e-5,
                    f"greedy and sampled tokens {'equal' if same else 'differ'}, log-probabilities within {gap:.1e}")
    if name == "llama":  # the families share this path: one of them checks it
        # Gradients through padding queries that may look at no key, at 64 keys past a multiple
        # of 128: cuDNN's attention backward (libtorch 2.11's choice on Hopper) gives NaN there.
        got = d.ours(folder, {"dtype": "bfloat16", "padded_backward": {"tokens": 192}})["padded_backward"]
        d.check("LoRA gradients through a left-padded bfloat16 batch are finite", got["finite"], f"{got['width']} tokens wide")
    if name != "gpt2":
        adapter = os.path.join(d.out, name + "-lora")
        got = d.ours(folder, {"ids": ids.tolist(), "make_adapter": adapter, "greedy_new_tokens": 0})
        import peft
        with torch.no_grad():
            lora = peft.PeftModel.from_pretrained(model, adapter).eval()
            ref = lora(ids.to(d.name)).logits.float().cpu()
            model = lora.unload()
        mine = torch.tensor(got["logits"]).view(*got["shape"])
        d.check(f"{name} peft adapter", max_gap(mine, ref) <= 1e-4, f"max abs diff {max_gap(mine, ref):.3e}")
    many = torch.randint(3, config.vocab_size, (8, 64), generator=torch.Generator().manual_seed(2))
    half_agreement(d, name, model, folder, many)


def encoder(d):
    torch.manual_seed(0)
    config = tf.BertConfig(vocab_size=300, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    model = tf.BertModel(config, add_pooling_layer=False).eval().to(d.name)
    folder = os.path.join(d.out, "bert")
    model.save_pretrained(folder)
    ids = torch.randint(5, 300, (3, 16), generator=torch.Generator().manual_seed(2))
    got = d.ours(folder, {"ids": ids.tolist()})
    with torch.no_grad():
        hidden = model(ids.to(d.name)).last_hidden_state.float()
        pooled = torch.nn.functional.normalize(hidden.mean(1), dim=-1).cpu()  # sentence-transformers mean pooling
    mine = torch.tensor(got["embeddings"]).view(*got["shape"])
    d.check("bert float32 embeddings", max_gap(mine, pooled) <= 1e-4, f"max abs diff {max_gap(mine, pooled):.3e}")


def metrics(d):
    """The evaluation metrics of one of our random models, recomputed here with transformers."""
    import tokenizers
    folder = os.path.join(d.out, "amalgam-llama")
    subprocess.run([os.path.join(d.build, "tests/device/amalgam_parity"), "--init", folder], check=True)
    got = d.ours(folder, {"eval": {"data": d.data, "limit": 8, "suites": ["winobias"]}})["eval"]
    model = tf.AutoModelForCausalLM.from_pretrained(folder).eval().to(d.name)
    tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))

    def logprob(context, continuation):
        c, k = tok.encode(context).ids, tok.encode(continuation, add_special_tokens=False).ids
        with torch.no_grad():
            lp = torch.log_softmax(model(torch.tensor([c + k], device=d.name)).logits[0].float(), -1)
        return sum(lp[len(c) + i - 1, t].item() for i, t in enumerate(k))

    def next_logprobs(context):
        with torch.no_grad():
            return torch.log_softmax(model(torch.tensor([tok.encode(context).ids], device=d.name)).logits[0, -1].float(), -1)

    bias, kl, worst = [], [], 0.0
    for item in got["items"]["winobias"]:
        sides = [item["pro"], item["anti"]]
        occ = [logprob(s["prompt"], " " + s["occupation"]) for s in sides]
        worst = max(worst, abs(occ[0] - sides[0]["occupation_logprob"]), abs(occ[1] - sides[1]["occupation_logprob"]))
        bias.append(abs(occ[0] - occ[1]))
        p, q = next_logprobs(sides[0]["prompt"]), next_logprobs(sides[1]["prompt"])
        kl.append((p.exp() * (p - q)).sum().item())
    d.check("winobias log-probabilities", worst <= 1e-4, f"max abs diff {worst:.3e} over {2 * len(bias)} sides")
    mine = got["metrics"]
    d.check("bias", abs(sum(bias) / len(bias) - mine["bias"]) <= 1e-4, f"ours {mine['bias']:.6f} reference {sum(bias) / len(bias):.6f}")
    d.check("bias_entropy", abs(sum(kl) / len(kl) - mine["bias_entropy"]) <= 1e-4,
            f"ours {mine['bias_entropy']:.3e} reference {sum(kl) / len(kl):.3e}")


def trained_adapters(d):
    """Adapters our trainer writes load in Python peft and give the same outputs: an SFT adapter
    on a causal LM, and a reward adapter (LoRA plus the score head) on a sequence classifier."""
    import peft
    folder = os.path.join(d.out, "ours-tiny")
    subprocess.run([os.path.join(d.build, "tests/device/amalgam_parity"), "--init", folder], check=True)
    rows = os.path.join(d.out, "pairs.jsonl")
    with open(rows, "w") as f:
        for i in range(16):
            f.write(json.dumps({"prompt": f"item {i}", "chosen": f"good answer {i} :)", "rejected": f"bad answer {i} :("}) + "\n")
    ids = torch.randint(3, 256, (2, 20), generator=torch.Generator().manual_seed(4))
    for stage in ("sft", "rm"):
        run_dir = os.path.join(d.out, f"trained-{stage}")
        config = {"stage": stage, "model": folder, "data": rows, "lora": {"r": 4, "alpha": 8, "dropout": 0.0},
                  "optimizer": {"lr": 1e-2, "schedule": "constant"}, "batch_size": 4, "max_length": 64, "max_steps": 6,
                  "log_every": 1, "save_every": 100}
        got = d.ours(folder, {"train": {"config": config, "run_dir": run_dir}, "adapter": os.path.join(run_dir, "adapter"),
                              "ids": ids.tolist(), "greedy_new_tokens": 0})
        with torch.no_grad():
            if stage == "sft":
                base = tf.LlamaForCausalLM.from_pretrained(folder).to(d.name)
                model = peft.PeftModel.from_pretrained(base, os.path.join(run_dir, "adapter")).eval()
                ref, mine = model(ids.to(d.name)).logits.float().cpu(), torch.tensor(got["logits"]).view(*got["shape"])
            else:
                base = tf.AutoModelForSequenceClassification.from_pretrained(folder, num_labels=1, pad_token_id=0).to(d.name)
                model = peft.PeftModel.from_pretrained(base, os.path.join(run_dir, "adapter")).eval()
                ref, mine = model(ids.to(d.name)).logits.float().cpu().view(-1), torch.tensor(got["rewards"])
        d.check(f"trained {stage} adapter in peft", max_gap(mine, ref) <= 1e-4, f"max abs diff {max_gap(mine, ref):.3e}")


def run(d):
    d.guarded("llama", lambda d: causal(d, "llama", tf.LlamaConfig(**TINY, rope_theta=500000.0, rope_scaling=LLAMA3),
                                        tf.LlamaForCausalLM))
    d.guarded("qwen2", lambda d: causal(d, "qwen2", tf.Qwen2Config(**TINY, tie_word_embeddings=True), tf.Qwen2ForCausalLM))
    # Windows of 8 and an original context of 16 under texts of 24 tokens and more.
    d.guarded("qwen3", lambda d: causal(d, "qwen3", tf.Qwen3Config(**TINY, head_dim=32, tie_word_embeddings=True), tf.Qwen3ForCausalLM))
    d.guarded("mistral", lambda d: causal(d, "mistral", tf.MistralConfig(**TINY, sliding_window=8), tf.MistralForCausalLM))
    gemma = dict(TINY, head_dim=16, query_pre_attn_scalar=24, sliding_window=8)
    d.guarded("gemma2", lambda d: causal(d, "gemma2", tf.Gemma2Config(**gemma, attn_logit_softcapping=5.0, final_logit_softcapping=3.0),
                                         tf.Gemma2ForCausalLM))
    d.guarded("gemma3", lambda d: causal(d, "gemma3", tf.Gemma3TextConfig(**gemma, layer_types=["sliding_attention", "full_attention"],
                                                                           rope_scaling={"rope_type": "linear", "factor": 8.0}),
                                         tf.Gemma3ForCausalLM))
    longrope = {"type": "longrope", "short_factor": [1.0 + 0.1 * i for i in range(6)], "long_factor": [2.0 + 0.5 * i for i in range(6)]}
    d.guarded("phi3", lambda d: causal(d, "phi3", tf.Phi3Config(**TINY, partial_rotary_factor=0.75, original_max_position_embeddings=16,
                                                                rope_scaling=longrope), tf.Phi3ForCausalLM))
    d.guarded("olmo2", lambda d: causal(d, "olmo2", tf.Olmo2Config(**TINY), tf.Olmo2ForCausalLM))
    d.guarded("smollm3", lambda d: causal(d, "smollm3", tf.SmolLM3Config(**TINY, no_rope_layers=[1, 0]), tf.SmolLM3ForCausalLM))
    d.guarded("gpt2", lambda d: causal(d, "gpt2", tf.GPT2Config(vocab_size=300, n_embd=64, n_layer=2, n_head=4, n_positions=256,
                                                                 eos_token_id=None, bos_token_id=None), tf.GPT2LMHeadModel))
    d.guarded("bert", encoder)
    d.guarded("metrics", metrics)
    d.guarded("trained adapters", trained_adapters)

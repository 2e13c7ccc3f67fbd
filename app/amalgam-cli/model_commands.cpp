// The model commands: model init / model info, generate, score, devices.
#include <cmath>
#include <cstdio>
#include <set>

#include <ATen/Context.h>
#include <c10/core/GradMode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <nlohmann/json.hpp>

#include "arguments.h"
#include "commands.h"
#include "model_loading.h"
#include "terminal_progress.h"
#include "core/model/generation.h"
#include "core/model_io/model_init.h"
#include "core/model/model_merge.h"
#include "core/model_io/safetensors.h"
#include "core/tokenize/tokenizer.h"
#include "core/model/transformer.h"
#include "core/train/prompt_generation.h"
#include "core/train/train_config.h"
#include "core/util/atomic_file.h"

namespace amalgam::cli {

const char* const kModelUsage = R"(usage: amalgam-cli model init --arch ARCH --preset tiny|small --out DIR
                            [--tokenizer DIR|byte] [--chat] [--seed S] [--force]
       amalgam-cli model info DIR
       amalgam-cli model merge DIR --adapter ADAPTER_DIR --out DIR

init writes a random-weight model as a complete Hugging Face folder (config.json,
model.safetensors, the tokenizer), all files or none; it loads afterwards like any
checkpoint. ARCH is a model_type: llama, qwen2, qwen3, mistral, gemma2, gemma3, phi3,
olmo2, smollm3, gpt2 or bert; each family's features are at settings a short text shows
(a sliding window of 4, LongRoPE switching at half the context). The default tokenizer is a
byte-level one that needs no files (ASCII WordPiece for bert); --chat adds ChatML's
<|im_start|> and <|im_end|> to it and writes tokenizer_config.json with a ChatML chat
template, for trying `template: chat`. --tokenizer DIR takes a model's tokenizer instead, with
the tokenizer_config.json, special_tokens_map.json and chat_template.jinja beside it.
A folder that is not empty is replaced only with --force.
info prints the architecture and its family, the features the model uses beyond a plain
Llama decoder, the parameter count, weight types and tokenizer kind of a folder.
merge folds a LoRA adapter into the weights and writes a full folder that transformers
loads (model.safetensors in the checkpoint's own type; config and tokenizer copied) into a
new or empty folder.
)";

const char* const kGenerateUsage = R"(usage: amalgam-cli generate MODEL_DIR --prompt TEXT [options]
       amalgam-cli generate MODEL_DIR --data FILE.jsonl [--out FILE.jsonl] [options]

Continues the prompt with the model and prints the new text. Only ids the tokenizer knows
are generated, also where the model's vocabulary is padded beyond it.
With --data, continues every prompt of a file that train reads (curate's train.jsonl,
prompt and response rows, instruction rows), each put through the template as training
puts it, in batches, and writes one JSON object a prompt: prompt, line, response,
stop_reason and new_tokens. A prompt that leaves no room for the new tokens in the
model's context is left out and counted on stderr.

options:
  --template TEXT     with --data: the training template, {prompt} then {response}
                      (default "Question: {prompt}\n\nAnswer: {response}", as train's),
                      or chat: the model's own chat template (the prompt and its context
                      as user turns, then the generation prompt; generation stops at
                      the template's end of turn)
  --batch N           with --data: prompts generated together (default 32)
  --out FILE          with --data: write the JSON lines here (whole or not at all),
                      not to stdout
  --max-new-tokens N  at most N new tokens (default 32)
  --greedy            always take the most likely token (the default unless sampling is asked for)
  --temperature T     sample with this temperature
  --top-k K           sample among the K most likely tokens
  --top-p P           sample from the smallest set of tokens whose probability reaches P
  --seed S            seed for sampling (default 0)
  --stop TEXT         stop before this text
)" AMALGAM_MODEL_LOADING_OPTIONS;

const char* const kScoreUsage = R"(usage: amalgam-cli score MODEL_DIR --context TEXT --continuation TEXT [options]

Prints one JSON object: context_ids, continuation_ids, logprobs (one per continuation
token, natural log) and total (their sum). The context is tokenized with the model's
special tokens and the continuation without. With a reward adapter (train's rm stage),
also reward: its score of context and continuation together (the texts it was trained on
are templated and end with the end-of-text token).

options:
)" AMALGAM_MODEL_LOADING_OPTIONS;

const char* const kDevicesUsage = R"(usage: amalgam-cli devices

Prints the devices models can run on, one per line: cpu, then cuda:0, cuda:1, ... where
this build of libtorch has CUDA and finds GPUs. The workbench asks this to offer a device.
)";

namespace {

ModelType type_from(const std::string& arch) {
    const std::optional<ModelType> type = model_type_names.find(arch);
    if (!type) throw UsageError("--arch must be " + model_type_names.choices() + ", not '" + arch + "'");
    return *type;
}

int model_init(const std::vector<std::string>& words) {
    Arguments args(words, {"arch", "preset", "tokenizer", "out", "seed"}, {"force", "chat"});
    auto out = args.option("out");
    if (!out || out->empty()) throw UsageError("model init needs --out DIR");
    ModelInitOptions o;
    o.type = type_from(args.option("arch").value_or("llama"));
    o.preset = args.option("preset").value_or("tiny");
    if (auto t = args.option("tokenizer"); t && *t != "byte") o.tokenizer = *t;
    o.seed = args.unsigned_integer("seed", 0);
    o.replace = args.flag("force");
    o.chat = args.flag("chat");
    init_random_model(*out, o);
    auto model = TransformerModel::load(*out);
    std::printf("wrote %s: %s %s, %lld parameters\n", out->c_str(), model->config().architecture.c_str(), o.preset.c_str(),
                static_cast<long long>(model->parameter_count()));
    return 0;
}

int model_info(const std::vector<std::string>& words) {
    Arguments args(words, {}, {});
    if (args.positional().size() != 1) throw UsageError("model info takes one model folder");
    const std::string dir = args.positional()[0];
    auto model = TransformerModel::load(dir);
    auto tokenizer = load_tokenizer(dir);
    const ModelConfig& c = model->config();
    std::set<std::string> stored;
    Checkpoint checkpoint(dir);
    for (const auto& name : checkpoint.names()) stored.insert(to_string(checkpoint.get(name).dtype));
    std::string dtypes;
    for (const auto& d : stored) dtypes += (dtypes.empty() ? "" : ", ") + d;
    std::printf("architecture:  %s (model_type %s, %s family)\nparameters:    %lld\nweights:       %s\nlayers:        %lld\n"
                "hidden size:   %lld\nheads:         %lld of %lld (%lld key/value)\nvocabulary:    %lld\ntokenizer:     %s, %zu tokens\n",
                c.architecture.c_str(), to_string(c.type), to_string(c.family), static_cast<long long>(model->parameter_count()),
                dtypes.c_str(), static_cast<long long>(c.num_layers), static_cast<long long>(c.hidden_size),
                static_cast<long long>(c.num_heads), static_cast<long long>(c.head_dim()), static_cast<long long>(c.num_kv_heads),
                static_cast<long long>(c.vocab_size), tokenizer->kind().c_str(), tokenizer->vocab_size());
    for (const std::string& feature : c.features()) std::printf("feature:       %s\n", feature.c_str());
    return 0;
}

int model_merge(const std::vector<std::string>& words) {
    Arguments args(words, {"adapter", "out"}, {});
    if (args.positional().size() != 1) throw UsageError("model merge takes one model folder");
    auto adapter = args.option("adapter"), out = args.option("out");
    if (!adapter || !out) throw UsageError("model merge needs --adapter DIR and --out DIR");
    merge_adapter_into_folder(args.positional()[0], *adapter, *out);
    std::printf("wrote %s\n", out->c_str());
    return 0;
}

/** generate --data: every prompt of the file, as JSON lines. */
int generate_for_data(const Arguments& args, const std::string& data, const GenerationOptions& o) {
    const std::string prompt_template = args.option("template").value_or(TrainConfig{}.prompt_template);
    if (!is_prompt_template(prompt_template))
        throw UsageError("--template must be chat, or contain {prompt} and, after it, {response}");
    const std::int64_t batch = args.integer_in("batch", 32, 1, 1 << 16);
    const auto out = args.option("out");
    auto model = load_model(args, args.positional()[0]);
    auto tokenizer = load_tokenizer(args.positional()[0]);
    TerminalProgress progress;
    const PromptGeneration made =
        generate_for_prompts(*model, *tokenizer, data, text_format(prompt_template, args.positional()[0]), batch, o, progress);
    std::string lines;
    for (const PromptResponse& r : made.rows)
        lines += nlohmann::ordered_json{{"prompt", r.prompt}, {"line", r.line}, {"response", r.generation.text},
                                        {"stop_reason", to_string(*r.generation.stop_reason)}, {"new_tokens", r.generation.tokens.size()}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                 "\n";
    if (out) write_file_atomically(*out, lines);
    else std::fputs(lines.c_str(), stdout);
    if (made.skipped > 0)
        std::fprintf(stderr, "%zu prompts left out: they leave no room for %d new tokens in the model's context of %lld positions\n", made.skipped,
                     o.max_new_tokens, static_cast<long long>(model->config().context_length()));
    if (out) std::fprintf(stderr, "wrote %zu responses to %s\n", made.rows.size(), out->c_str());
    return 0;
}

int generate_command(const std::vector<std::string>& words) {
    Arguments args(words,
                   with_model_loading({"prompt", "data", "template", "batch", "out", "max-new-tokens", "temperature", "top-k", "top-p", "seed", "stop"}),
                   {"greedy"});
    if (args.positional().size() != 1) throw UsageError("generate takes one model folder");
    auto prompt = args.option("prompt"), data = args.option("data");
    if (!prompt == !data) throw UsageError("generate needs either --prompt TEXT or --data FILE");
    for (const char* option : {"template", "batch", "out"})
        if (prompt && args.option(option)) throw UsageError(std::string("--") + option + " goes with --data");
    GenerationOptions o;
    o.max_new_tokens = static_cast<int>(args.integer_in("max-new-tokens", 32, 1, 1 << 20));
    o.greedy = args.flag("greedy") || !(args.option("temperature") || args.option("top-k") || args.option("top-p"));
    o.temperature = args.number_in("temperature", 1.0, 0.0, 100.0, /*low_open=*/true);
    o.top_k = static_cast<int>(args.integer_in("top-k", 0, 0, 1 << 24));
    o.top_p = args.number_in("top-p", 1.0, 0.0, 1.0, /*low_open=*/true);
    o.seed = args.unsigned_integer("seed", 0);
    if (auto s = args.option("stop")) o.stop_strings = {*s};
    if (data) return generate_for_data(args, *data, o);
    auto model = load_model(args, args.positional()[0]);
    auto tokenizer = load_tokenizer(args.positional()[0]);
    std::printf("%s\n", generate(*model, *tokenizer, {*prompt}, o)[0].text.c_str());
    return 0;
}

int score_command(const std::vector<std::string>& words) {
    Arguments args(words, with_model_loading({"context", "continuation"}), {});
    if (args.positional().size() != 1) throw UsageError("score takes one model folder");
    auto context = args.option("context"), continuation = args.option("continuation");
    if (!context || !continuation) throw UsageError("score needs --context TEXT and --continuation TEXT");
    auto model = load_model(args, args.positional()[0]);
    auto tokenizer = load_tokenizer(args.positional()[0]);
    ContinuationScore s = score_continuations(*model, *tokenizer, {{*context, *continuation}})[0];
    if (!std::isfinite(s.total)) throw std::runtime_error(args.positional()[0] + ": its outputs are not finite (the log-probability is " + std::to_string(s.total) + ")");
    nlohmann::ordered_json out = {{"context_ids", s.context_ids}, {"continuation_ids", s.continuation_ids}, {"logprobs", s.logprobs},
                                  {"total", s.total}};
    if (const ScalarHead* head = model->score_head()) {  // a reward model: its score of the whole text
        std::vector<std::int64_t> ids(s.context_ids.begin(), s.context_ids.end());
        ids.insert(ids.end(), s.continuation_ids.begin(), s.continuation_ids.end());
        c10::NoGradGuard no_grad;
        at::Tensor batch = at::tensor(ids, at::kLong).unsqueeze(0).to(model->device()), mask = at::ones_like(batch);
        out["reward"] = head->at_last_token(model->hidden_states(batch, mask), mask).item<double>();
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
}

int devices_command(const std::vector<std::string>& words) {
    Arguments args(words, {}, {});
    if (!args.positional().empty()) throw UsageError("devices takes no arguments");
    std::printf("cpu\n");
    const int gpus = at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0;
    for (int i = 0; i < gpus; ++i) std::printf("cuda:%d\n", i);
    return 0;
}

}  // namespace

int run_devices(const std::vector<std::string>& words) { return devices_command(words); }

int run_model(const std::vector<std::string>& words) {
    if (words.empty()) throw UsageError("model needs a subcommand: init, info or merge");
    std::vector<std::string> rest(words.begin() + 1, words.end());
    if (words[0] == "init") return model_init(rest);
    if (words[0] == "info") return model_info(rest);
    if (words[0] == "merge") return model_merge(rest);
    throw UsageError("unknown model subcommand '" + words[0] + "'");
}

int run_generate(const std::vector<std::string>& words) { return generate_command(words); }

int run_score(const std::vector<std::string>& words) { return score_command(words); }

}  // namespace amalgam::cli

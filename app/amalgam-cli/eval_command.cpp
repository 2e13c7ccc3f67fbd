// amalgam-cli eval: the paper's metrics for a model (and adapter) into results.json.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "arguments.h"
#include "commands.h"
#include "core/eval/evaluation.h"
#include "core/store/workspace.h"
#include "core/util/atomic_file.h"
#include "core/util/data_home.h"
#include "json_lines_progress.h"
#include "model_loading.h"
#include "process_group_option.h"

namespace amalgam::cli {

const char* const kEvalUsage = R"(usage: amalgam-cli eval MODEL_DIR --out results.json [options]

Runs the evaluation suites on the model and writes results.json: "metrics" (bias,
bias_entropy, bias_cluster, accuracy, similarity from WinoBias test type 1 and 2;
winogrande dev accuracy with partial scoring; winogender accuracy), "counts" and per-item
records in "items", so every number can be traced to the items behind it.

results.json also records the device and dtype the model ran in.

options:
  --data DIR          folder holding winobias/, winogrande/ and winogender/ (default: the
                      data folder of `amalgam-cli data get`, see `amalgam-cli data path`)
  --suite LIST        comma-separated: winobias,winogrande,winogender (default: all)
  --limit N           at most N items (WinoBias pairs) per suite
  --batch N           sequences per forward pass (default 64)
  --template chat     put every context before the model as the user's turn of its own chat
                      template, then the generation prompt: the continuations scored and the
                      answers generated are the start of the assistant's turn (answers stop at
                      its end of turn). A model without a chat template is evaluated as without
                      this option. results.json records the template text under "template".
  --workspace FILE    also store the results in this workspace
  --label NAME        the row name in `compare` (default: the model and adapter folder names)
  --run ID --step N   with --workspace: the workspace's training run and step the adapter
                      came from, so that `compare` can trace the row to it
  --progress STYLE    bar (default) or json: one JSON object per line on stdout
)" AMALGAM_MODEL_LOADING_OPTIONS R"(
Started by torchrun or srun as several processes, each rank scores its share of every suite's
items and rank 0 alone writes and stores the results, the same as one process's.
)" AMALGAM_PROCESS_GROUP_OPTIONS;

namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) out.push_back(part);
    return out;
}

}  // namespace

int run_eval(const std::vector<std::string>& words) {
    Arguments args(words, with_model_loading({"data", "suite", "limit", "batch", "template", "out", "workspace", "label", "progress", "run", "step", "dist", "dist-timeout"}), {});
    if (args.positional().size() != 1) throw UsageError("eval takes one model folder");
    auto out = args.option("out");
    const std::string data = args.option("data").value_or(default_data_dir().string());
    if (!out || out->empty()) throw UsageError("eval needs --out results.json");
    if (std::filesystem::is_directory(*out)) throw UsageError("--out " + *out + " is a folder: name the results file");

    EvalRequest request;
    if (!std::filesystem::is_directory(data))
        throw std::runtime_error("the data folder " + data + " does not exist: `amalgam-cli data get` fetches the evaluation sets there, or pass --data DIR");
    request.data_dir = data;
    if (auto s = args.option("suite")) {
        request.suites = split_commas(*s);
        if (request.suites.empty()) throw UsageError("--suite needs one or more of winobias, winogrande, winogender");
    }
    if (args.option("limit") && args.unsigned_integer("limit", 0) == 0) throw UsageError("--limit must be at least 1 (leave it out for every item)");
    request.limit = static_cast<std::size_t>(args.unsigned_integer("limit", 0));
    if (args.option("batch") && args.unsigned_integer("batch", 0) == 0) throw UsageError("--batch must be at least 1");
    request.batch_size = static_cast<std::size_t>(args.unsigned_integer("batch", 64));
    const std::optional<std::string> template_name = args.option("template");
    if (template_name && *template_name != "chat") throw UsageError("--template takes chat (the model's own chat template), not '" + *template_name + "'");
    auto number = [&](const char* name) -> std::optional<std::int64_t> {
        if (!args.option(name)) return std::nullopt;
        return static_cast<std::int64_t>(args.unsigned_integer(name, 0));
    };
    const auto run = number("run"), step = number("step");
    const std::unique_ptr<ProcessGroup> group = join_process_group(args, device_option(args));
    const bool writes = !group || group->rank() == 0;  // the other ranks neither print nor record
    // The workspace is opened (and so checked) before the work, not after it.
    std::unique_ptr<Workspace> workspace;
    if (auto w = args.option("workspace"); w && writes) workspace = std::make_unique<Workspace>(*w);

    const std::filesystem::path model_dir = args.positional()[0];
    auto model = load_model(args, model_dir, group.get());
    auto adapter = args.option("adapter");
    auto tokenizer = load_tokenizer(model_dir);
    if (template_name) request.format = ContextFormat(ChatTemplate::load(model_dir));
    std::unique_ptr<Progress> progress = writes ? make_progress(args.option("progress")) : std::make_unique<NoProgress>();
    nlohmann::ordered_json results = run_evaluation(*model, *tokenizer, request, *progress, group.get());
    for (const auto& [name, value] : results["metrics"].items())
        if (!value.is_number() || !std::isfinite(value.get<double>()))
            throw std::runtime_error(model_dir.string() + (adapter ? " with " + *adapter : std::string()) + ": its outputs are not finite (" +
                                     name + " is " + value.dump() + "): nothing was written or stored");
    if (!writes) return 0;

    std::string label = args.option("label").value_or(
        std::filesystem::absolute(model_dir).lexically_normal().filename().string() +
        (adapter ? " + " + std::filesystem::absolute(*adapter).lexically_normal().filename().string() : ""));
    nlohmann::ordered_json document = {{"model", std::filesystem::absolute(model_dir).string()},
                                       {"adapter", adapter ? nlohmann::ordered_json(std::filesystem::absolute(*adapter).string()) : nullptr},
                                       {"label", label},
                                       {"device", model->device().str()},
                                       {"dtype", dtype_name(model->dtype())}};
    if (request.format.chat()) document["template"] = request.format.chat()->text();
    document.update(results);
    const std::string text = document.dump(2) + "\n";
    write_file_atomically(*out, text);
    if (workspace) workspace->evaluations().save(document["model"], adapter.value_or(""), label, text, run, step);

    for (const auto& [name, value] : results["metrics"].items()) std::printf("%-14s %.4f\n", name.c_str(), value.get<double>());
    std::printf("wrote %s\n", out->c_str());
    return 0;
}

}  // namespace amalgam::cli

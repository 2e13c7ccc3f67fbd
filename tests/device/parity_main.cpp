// amalgam_parity MODEL_DIR REQUEST.json (or --init DIR to write our random llama tiny): runs our engine on token ids for the device parity
// check (tests/device/parity.py) and prints JSON. Request fields: "ids" (a batch of equal-
// length id lists), "device" ("cpu" or "cuda"), "greedy_new_tokens" (causal models), and
// "make_adapter" (a folder: add a seeded LoRA adapter with non-zero B, save it there, and
// run with it), or "eval" ({"data": DIR, "limit": N}: the evaluation suites' results.json body).
#include <cstdio>
#include <fstream>
#include <iostream>

#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include "core/eval/evaluation.h"
#include "core/model/generation.h"
#include "core/model/model_init.h"
#include "core/model/transformer.h"

using namespace amalgam;

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--init") {  // our random llama tiny, for the metric parity
        init_random_model(argv[2], ModelInitOptions{});
        return 0;
    }
    if (argc != 3) {
        std::fprintf(stderr, "usage: amalgam_parity MODEL_DIR REQUEST.json | amalgam_parity --init DIR\n");
        return 2;
    }
    try {
        std::ifstream in(argv[2]);
        nlohmann::json request = nlohmann::json::parse(in);
        at::Device device = request.value("device", "cpu") == "cuda" ? at::Device(at::kCUDA) : at::Device(at::kCPU);
        auto model = TransformerModel::load(argv[1], device, parse_precision(request.value("dtype", "float32")));
        if (request.contains("make_adapter")) {
            model->add_lora({4, 8, 0.0, {}}, 1);
            at::manual_seed(0);
            for (auto& [module, pair] : model->adapter()->modules) pair.b = at::randn_like(pair.b) * 0.1;
            model->save_adapter(request["make_adapter"].get<std::string>(), argv[1]);
        }
        if (request.contains("eval")) {
            EvalRequest eval;
            eval.data_dir = request["eval"].at("data").get<std::string>();
            eval.limit = request["eval"].value("limit", 0);
            NoProgress quiet;
            std::cout << run_evaluation(*model, *load_tokenizer(argv[1]), eval, quiet).dump() << "\n";
            return 0;
        }
        auto rows = request.at("ids").get<std::vector<std::vector<std::int32_t>>>();
        auto [ids, mask] = padded_batch(rows, 0, model->config().is_causal());
        ids = ids.to(device);
        mask = mask.to(device);
        nlohmann::json out;
        c10::NoGradGuard no_grad;
        if (model->config().is_causal()) {
            at::Tensor logits = model->logits(ids, mask).to(at::kCPU).contiguous();
            out["logits"] = std::vector<float>(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
            out["shape"] = logits.sizes().vec();
            GenerationOptions o;
            o.max_new_tokens = request.value("greedy_new_tokens", 8);
            nlohmann::json greedy = nlohmann::json::array();
            for (const auto& g : generate_from_ids(*model, rows, o)) greedy.push_back(g.tokens);
            out["greedy"] = greedy;
        } else {
            at::Tensor e = model->sentence_embeddings(ids, mask).to(at::kCPU).contiguous();
            out["embeddings"] = std::vector<float>(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
            out["shape"] = e.sizes().vec();
        }
        std::cout << out.dump() << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "amalgam_parity: error: %s\n", e.what());
        return 1;
    }
}

// Curation speed on real data (WinoGrande train_l + OASST validation, hashing embedder) stage
// by stage, and k-means alone on 100,000 random 384-dimensional points.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "core/curate/curation.h"
#include "core/curate/hashing_embedder.h"
#include "core/curate/curation_output.h"
#include "core/curate/kmeans.h"
#include "core/data/importer.h"

using namespace amalgam;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/** Records how long each stage of a curation takes. */
class StageTimer final : public Progress {
public:
    void start(const std::string& stage, std::size_t) override { stage_ = stage; began_ = Clock::now(); }
    void advance(std::size_t) override {}
    void finish() override { seconds[stage_] += seconds_since(began_); }
    std::map<std::string, double> seconds;

private:
    std::string stage_;
    Clock::time_point began_;
};

void row(const char* stage, double seconds, std::size_t items) {
    std::printf("  %-10s %8.3f s  %12.0f prompts/s\n", stage, seconds, seconds > 0 ? items / seconds : 0.0);
}

}  // namespace

int main() {
    std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
    const std::filesystem::path data = std::filesystem::path(AMALGAM_SOURCE_DIR) / ".." / "shared" / "data";
    if (std::filesystem::exists(data)) {
        auto total_start = Clock::now();
        auto t = Clock::now();
        std::vector<CurationSource> sources = {
            {"winogrande", "", import_dataset(data / "winogrande/train_l.jsonl", "winogrande"), std::nullopt},
            {"oasst", "", import_dataset(data / "oasst1/oasst1-validation-en.jsonl", "oasst"),
             LabelChoice{"detoxify.toxicity", Direction::LowerIsBetter}}};
        double import_s = seconds_since(t);
        std::size_t prompts = sources[0].dataset.prompts.size() + sources[1].dataset.prompts.size();

        StageTimer timer;
        t = Clock::now();
        Curation c = curate(sources, {"hashing", "", 10, 10, 0}, HashingEmbedder(), timer);
        double curate_s = seconds_since(t);
        double unify_s = curate_s - timer.seconds["embed"] - timer.seconds["cluster"] - timer.seconds["project"];

        t = Clock::now();
        auto keep = c.select(0.2);
        double select_s = seconds_since(t);
        t = Clock::now();
        std::string out = train_jsonl(c, keep) + summary_json(c, keep, 0.2) + points_csv(c, keep);
        double format_s = seconds_since(t);
        double total_s = seconds_since(total_start);

        std::printf("curate WinoGrande train_l + OASST validation (toxicity), hashing embedder, k=10, 10 restarts\n");
        std::printf("  %zu prompts -> %zu pairs, %zu selected at fraction 0.2, %zu output bytes\n", prompts, c.pairs.size(),
                    static_cast<std::size_t>(std::count(keep.begin(), keep.end(), true)), out.size());
        row("import", import_s, prompts);
        row("unify", unify_s, prompts);
        row("embed", timer.seconds["embed"], c.pairs.size());
        row("cluster", timer.seconds["cluster"], c.pairs.size());
        row("project", timer.seconds["project"], c.pairs.size());
        row("select", select_s, c.pairs.size());
        row("format", format_s, c.pairs.size());
        std::printf("  %-10s %8.3f s  (target < 2 s)\n", "total", total_s);
    } else {
        std::printf("../shared/data is not present: skipping the curation benchmark\n");
    }

    const std::size_t n = 100000, dim = 384;
    std::mt19937 rng(0);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> points(n * dim);
    for (float& v : points) v = uniform(rng);
    auto t = Clock::now();
    NoProgress quiet;
    KMeansResult r = kmeans(points, dim, {10, 10, 25, 0}, quiet);
    std::printf("k-means on %zu random %zu-dim points, k=10, 10 restarts x 25 iterations: %.3f s (target < 10 s), objective %.1f\n",
                n, dim, seconds_since(t), r.objective);
    return 0;
}

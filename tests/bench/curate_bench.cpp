// Curation speed on real data (WinoGrande train_l + OASST validation, hashing embedder) stage
// by stage, and k-means alone on 100,000 random 384-dimensional points: ours at the CPU's SIMD
// level (AMALGAM_SIMD forces another), beside faiss's Clustering from the same start.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "core/curate/curation.h"
#include "core/curate/curation_output.h"
#include "core/embed/hashing_embedder.h"
#include "core/curate/kmeans.h"
#include "core/data/importer.h"
#include "core/util/blas_kernels.h"
#include "core/util/memory_reuse.h"
#include "core/util/simd_level.h"
#include "tests/shared_data.h"

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>

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
    use_fast_blas_kernels();  // as amalgam-cli does
    keep_freed_memory_for_reuse();
    std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
    const std::filesystem::path data = amalgam::test::shared_data_dir();
    if (!data.empty()) {
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
        Curation c = curate(sources, {EmbedderKind::Hashing, "", 10, 10, 0}, HashingEmbedder(), timer);
        double curate_s = seconds_since(t);
        double unify_s = curate_s - timer.seconds["embed"] - timer.seconds["cluster"] - timer.seconds["project"];

        t = Clock::now();
        auto keep = c.select(0.2);
        auto keep_unpaired = c.select_unpaired(0.2);
        double select_s = seconds_since(t);
        t = Clock::now();
        std::string out = train_jsonl(c, keep) + unpaired_jsonl(c, keep_unpaired) + summary_json(c, keep, keep_unpaired, 0.2) +
                          points_csv(c, keep);
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
        std::printf("%s: skipping the curation benchmark\n", amalgam::test::shared_data_absent().c_str());
    }

    const std::size_t n = 100000, dim = 384;
    const int k = 10;
    std::mt19937 rng(0);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> points(n * dim);
    for (float& v : points) v = uniform(rng);
    std::printf("k-means on %zu random %zu-dim points, k=%d, 25 iterations, SIMD level %s:\n", n, dim, k, to_string(simd_level()));

    std::vector<float> start(points.begin(), points.begin() + k * dim);
    auto t = Clock::now();
    KMeansResult one = lloyd(points, dim, start, 25);
    std::printf("  ours, 1 run:                 %7.3f s  objective %.1f\n", seconds_since(t), one.objective);
    faiss::ClusteringParameters params;
    params.niter = 25;
    params.min_points_per_centroid = 1;
    params.max_points_per_centroid = static_cast<int>(n);
    params.verbose = false;
    faiss::Clustering clustering(static_cast<int>(dim), k, params);
    clustering.centroids = start;
    faiss::IndexFlatL2 index(static_cast<faiss::Index::idx_t>(dim));
    t = Clock::now();
    clustering.train(static_cast<faiss::Index::idx_t>(n), points.data(), index);
    double faiss_s = seconds_since(t);
    std::vector<float> distances(n);
    std::vector<faiss::Index::idx_t> labels(n);
    index.search(static_cast<faiss::Index::idx_t>(n), points.data(), 1, distances.data(), labels.data());
    double faiss_objective = 0;
    for (float d : distances) faiss_objective += d;
    std::printf("  faiss Clustering, 1 run:     %7.3f s  objective %.1f (same start)\n", faiss_s, faiss_objective);

    t = Clock::now();
    NoProgress quiet;
    KMeansResult r = kmeans(points, dim, {k, 10, 25, 0}, quiet);
    std::printf("  ours, 10 restarts:           %7.3f s  objective %.1f (target < 10 s)\n", seconds_since(t), r.objective);
    return 0;
}

// Curation speed on real data (WinoGrande train_l + OASST validation, hashing embedder) stage
// by stage, and k-means alone on 100,000 random 384-dimensional points: ours at the CPU's SIMD
// level (AMALGAM_SIMD forces another), beside faiss's Clustering from the same start.
// With --pairs N: instead, a synthetic pairwise file of N pairs (2% of its prompts repeated,
// half of those reworded) curated as a lab's merged data would be: hashing embedder, k = 100,
// 3 restarts, near-duplicates removed at 0.95; stage by stage, with the peak memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <sys/resource.h>

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

double peak_gib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

/** N pairs of prompts drawn from a vocabulary, about 500 bytes a line; every 50th prompt
 *  repeats an earlier one, every other repeat with its case and one word changed. */
std::filesystem::path synthetic_pairs(std::size_t n) {
    static const char* words[] = {"model", "answer", "river", "bright", "seven", "quietly", "paper", "method", "garden", "signal",
                                  "orange", "window", "explain", "history", "recipe", "planet", "music", "code", "travel", "health",
                                  "budget", "winter", "language", "theory", "market", "animal", "bridge", "forest", "engine", "story"};
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> word(0, 29), length(12, 30);
    auto sentence = [&](int count) {
        std::string s;
        for (int w = 0; w < count; ++w) s += std::string(w ? " " : "") + words[word(rng)] + (word(rng) < 3 ? std::to_string(word(rng)) : "");
        return s;
    };
    const auto path = std::filesystem::temp_directory_path() / ("amalgam-bench-" + std::to_string(n) + ".jsonl");
    std::ofstream out(path);
    std::vector<std::string> prompts;
    for (std::size_t i = 0; i < n; ++i) {
        std::string prompt;
        if (i % 50 == 49) {
            prompt = prompts[std::uniform_int_distribution<std::size_t>(0, prompts.size() - 1)(rng)];
            if (i % 100 == 99) prompt = "Please, " + prompt;
            else for (char& ch : prompt) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        } else {
            prompt = "Question " + std::to_string(i % 997) + ": " + sentence(length(rng)) + "?";
            if (prompts.size() < 100000) prompts.push_back(prompt);
        }
        out << "{\"prompt\": \"" << prompt << "\", \"chosen\": \"" << sentence(length(rng)) << ".\", \"rejected\": \""
            << sentence(length(rng)) << ".\"}\n";
    }
    return path;
}

/** Curates N synthetic pairs stage by stage; returns the process's exit status. */
int bench_pairs(std::size_t n) {
    auto t = Clock::now();
    const std::filesystem::path file = synthetic_pairs(n);
    std::printf("synthetic pairwise file: %zu pairs, %.0f MB, written in %.1f s\n", n,
                static_cast<double>(std::filesystem::file_size(file)) / 1e6, seconds_since(t));
    const auto total_start = Clock::now();
    t = Clock::now();
    std::vector<CurationSource> sources = {{"pairs", file.string(), import_dataset(file, "pairwise"), std::nullopt}};
    const double import_s = seconds_since(t);
    StageTimer timer;
    CurationSettings settings{EmbedderKind::Hashing, "", 100, 3, 0};
    settings.dedup = 0.95;
    t = Clock::now();
    const Curation c = curate(sources, settings, HashingEmbedder(), timer);
    const double curate_s = seconds_since(t);
    t = Clock::now();
    const auto keep = c.select(0.2);
    const auto keep_unpaired = c.select_unpaired(0.2);
    const double select_s = seconds_since(t);
    t = Clock::now();
    const std::size_t bytes = (train_jsonl(c, keep) + unpaired_jsonl(c, keep_unpaired) + summary_json(c, keep, keep_unpaired, 0.2) +
                               points_csv(c, keep)).size();
    const double format_s = seconds_since(t);
    const DuplicateCounts duplicates = count_duplicates(c).at(0);
    const std::size_t exact = duplicates.exact, near = duplicates.near;
    std::printf("curate %zu pairs: hashing embedder, k=100, 3 restarts, dedup 0.95, fraction 0.2, %u threads\n", c.pairs.size(),
                std::thread::hardware_concurrency());
    std::printf("  %zu exact and %zu near duplicates; %zu output bytes\n", exact, near, bytes);
    row("import", import_s, n);
    row("unify", curate_s - timer.seconds["embed"] - timer.seconds["cluster"] - timer.seconds["dedup"] - timer.seconds["project"], n);
    for (const char* stage : {"embed", "cluster", "dedup", "project"}) row(stage, timer.seconds[stage], n);
    row("select", select_s, n);
    row("format", format_s, n);
    std::printf("  %-10s %8.1f s, peak memory %.2f GiB\n", "total", seconds_since(total_start), peak_gib());
    std::filesystem::remove(file);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--pairs") {
            use_fast_blas_kernels();
            keep_freed_memory_for_reuse();
            return bench_pairs(std::stoul(argv[i + 1]));
        }
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

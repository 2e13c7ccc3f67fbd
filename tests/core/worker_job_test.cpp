// Worker jobs: stored as JSON and read back the same, read as earlier builds stored them, and
// turned into the command lines amalgam-cli takes.
#include <gtest/gtest.h>

#include "core/contract/worker_job.h"

namespace amalgam {
namespace {

std::string line(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

TEST(WorkerJob, EveryKindReadsBackAndSpellsItsCommandLine) {
    EvaluateJob evaluation{"/m", "/data", "/r.json", Device::parse("cuda:1"), Precision::BFloat16};
    evaluation.adapter = "/a";
    evaluation.limit = 4;
    evaluation.run = 2;
    evaluation.step = 40;
    evaluation.chat_template = true;
    SlurmRequest cluster;
    cluster.nodes = 2;
    cluster.gpus_per_node = cluster.tasks_per_node = 4;
    cluster.partition = "gpu";
    cluster.time = "12:00:00";
    const std::vector<std::pair<WorkerJob, std::string>> cases = {
        {MakeModelJob{"gpt2", "/models/tiny-gpt2"}, "model init --arch gpt2 --preset tiny --out /models/tiny-gpt2"},
        {CurateJob{"/w.recipe.yaml", "/curation"}, "curate /w.recipe.yaml --out /curation --workspace /w.amalgam --progress json"},
        {evaluation, "eval /m --data /data --out /r.json --adapter /a --limit 4 --run 2 --step 40 --template chat --device cuda:1 "
                     "--dtype bfloat16 --workspace /w.amalgam --progress json"},
        {EvaluateJob{"/m", "/data", "/r.json", Device{}, Precision::Auto},
         "eval /m --data /data --out /r.json --device cpu --dtype auto --workspace /w.amalgam --progress json"},
        {TrainJob{"/runs/sft-1.yaml", "/runs/sft-1", Device::parse("cuda"), Precision::Float32},
         "train /runs/sft-1.yaml --out /runs/sft-1 --resume --device cuda --dtype float32 --workspace /w.amalgam --progress json"},
        {TrainJob{"/runs/sft-2.yaml", "/runs/sft-2", Device::parse("cuda"), Precision::BFloat16, cluster},
         "submit /runs/sft-2.yaml --out /runs/sft-2 --dtype bfloat16 --wait --nodes 2 --gpus-per-node 4 --partition gpu --time 12:00:00 "
         "--workspace /w.amalgam --progress json"},
        {MergeJob{"/m", "/a", "/merged"}, "model merge /m --adapter /a --out /merged"},
        {GenerateJob{"/m", "/a", "/p.jsonl", "Q: {prompt} A: {response}", "/answers.jsonl", Device{}, Precision::Auto},
         "generate /m --adapter /a --data /p.jsonl --template Q: {prompt} A: {response} --out /answers.jsonl --device cpu --dtype auto"},
    };
    for (const auto& [job, command] : cases) {
        EXPECT_EQ(line(worker_arguments(job, "/w.amalgam")), command);
        const WorkerJob back = worker_job(kind_of(job), nlohmann::json::parse(job_json(job).dump()));
        EXPECT_EQ(job_json(back), job_json(job)) << command;
        EXPECT_EQ(line(worker_arguments(back, "/w.amalgam")), command);
    }
}

TEST(WorkerJob, ReadsWhatEarlierBuildsStoredAndNamesWhatIsWrong) {
    // The workbench wrote options as a JSON object of the same keys, numbers as JSON numbers.
    const auto stored = nlohmann::json::parse(
        R"({"model":"/m","data":"/d","out":"/o.json","device":"cpu","dtype":"auto","label":"sft-1","limit":2,"run":3,"step":40})");
    const auto job = std::get<EvaluateJob>(worker_job(JobKind::Evaluate, stored));
    EXPECT_EQ(job.label, "sft-1");
    EXPECT_EQ(job.limit, 2);
    EXPECT_EQ(job.step, 40);
    EXPECT_EQ(job.adapter, "");
    EXPECT_FALSE(job.chat_template);  // jobs stored before there was a template choice
    auto error = [](JobKind kind, const char* text) {
        try {
            worker_job(kind, nlohmann::json::parse(text));
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("read");
    };
    EXPECT_EQ(error(JobKind::Merge, R"({"model":"/m","out":"/o"})"), "a job's 'adapter' is missing or not text");
    EXPECT_EQ(error(JobKind::Train, R"({"config":"/c","out":"/o","device":"gpu","dtype":"auto"})"), "unknown device 'gpu' (cpu or cuda)");
    EXPECT_EQ(error(JobKind::Curate, "[]"), "a job's options are not a JSON object");
    EXPECT_NE(error(JobKind::Train, R"({"config":"/c","out":"/o","device":"cpu","dtype":"auto","slurm":{"nodes":"two"}})").find("Slurm settings: "),
              std::string::npos);
}

}  // namespace
}  // namespace amalgam

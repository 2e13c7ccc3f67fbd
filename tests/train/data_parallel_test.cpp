// Training over a process group: amalgam-cli train started as two ranks with torchrun's
// variables (Gloo on the CPU) against one process with twice the accumulation, resumed runs,
// and a rank that never arrives. The launch variables of torchrun and srun, read.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cmath>
#include <functional>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/dist/launch_env.h"
#include "core/dist/process_group.h"
#include "core/model/tensor_convert.h"
#include "core/model_io/safetensors.h"
#include "core/train/ppo_math.h"
#include "core/util/sha256.h"
#include "test_support.h"

namespace amalgam {
namespace {

namespace fs = std::filesystem;

/** A TCP port nobody listens on now. */
int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(s);
    return ntohs(address.sin_port);
}

/** amalgam-cli with `args` in `dir` as `ranks` processes with torchrun's variables (none for
 *  one rank), `during` called with their ids once they are started; each exit status, by rank.
 *  A rank's stderr goes to dir/rank-N.log. */
std::vector<int> run_ranks(const fs::path& dir, const std::vector<std::string>& args, int ranks,
                           const std::function<void(const std::vector<pid_t>&)>& during = {}) {
    const std::string port = std::to_string(free_port());
    std::vector<pid_t> children;
    for (int rank = 0; rank < ranks; ++rank) {
        const pid_t child = ::fork();
        if (child == 0) {
            if (::chdir(dir.c_str()) != 0) ::_exit(126);
            if (ranks > 1) {
                ::setenv("RANK", std::to_string(rank).c_str(), 1);
                ::setenv("WORLD_SIZE", std::to_string(ranks).c_str(), 1);
                ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
                ::setenv("MASTER_ADDR", "127.0.0.1", 1);
                ::setenv("MASTER_PORT", port.c_str(), 1);
            }
            ::setenv("OMP_NUM_THREADS", "1", 1);
            std::vector<char*> argv = {const_cast<char*>(AMALGAM_CLI)};
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            std::freopen("/dev/null", "w", stdout);
            std::freopen(("rank-" + std::to_string(rank) + ".log").c_str(), "w", stderr);
            ::execv(AMALGAM_CLI, argv.data());
            ::_exit(127);
        }
        children.push_back(child);
    }
    if (during) during(children);
    std::vector<int> status;
    for (pid_t child : children) {
        int s = 0;
        ::waitpid(child, &s, 0);
        status.push_back(WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s));
    }
    return status;
}

/** A folder with a tiny random Llama in base/, and what runs there leave. */
class Ranks : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(run_ranks(dir_.path(), {"model", "init", "--arch", "llama", "--out", "base", "--seed", "3"}, 1), std::vector<int>{0});
    }

    std::vector<nlohmann::json> metrics(const std::string& run) const {
        std::vector<nlohmann::json> lines;
        std::ifstream in(dir_.path() / run / "metrics.jsonl");
        for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
        return lines;
    }

    std::map<std::string, at::Tensor> adapter(const std::string& run) const {
        SafetensorsFile file(dir_.path() / run / "adapter" / "adapter_model.safetensors");
        std::map<std::string, at::Tensor> out;
        for (const auto& [name, view] : file.tensors()) out[name] = tensor_from_view(view);
        return out;
    }

    std::string log(int rank) const { return test::read_text(dir_.path() / ("rank-" + std::to_string(rank) + ".log")); }

    /** The lines of two runs' metrics.jsonl, equal apart from timing. */
    void expect_same_lines(const std::string& run, const std::string& other) const {
        const auto a = metrics(run), b = metrics(other);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            nlohmann::json x = a[i], y = b[i];
            for (const char* timing : {"tokens_per_s", "reduce_share", "generation_share"}) {
                x.erase(timing);
                y.erase(timing);
            }
            EXPECT_EQ(x, y) << "line " << i;
        }
    }

    /** Runs `cfg` on two ranks straight through, and again killed with SIGKILL once its step-2
     *  checkpoint is there, then resumed: the adapter's `files`, the samples and the lines (but
     *  for timing) must be those of the run never stopped. */
    void expect_killed_and_resumed_alike(const std::string& cfg, const std::vector<std::string>& files) {
        ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "straight"}, 2), (std::vector<int>{0, 0})) << log(0) << log(1);
        // Whatever the ranks wrote after the checkpoint is written again.
        const fs::path checkpoint = dir_.path() / "killed" / "checkpoints" / "step-2";
        const auto killed = run_ranks(dir_.path(), {"train", cfg, "--out", "killed"}, 2, [&](const std::vector<pid_t>& ranks) {
            while (!fs::exists(checkpoint)) ::usleep(2000);
            for (pid_t rank : ranks) ::kill(rank, SIGKILL);
        });
        ASSERT_EQ(killed, (std::vector<int>{128 + SIGKILL, 128 + SIGKILL}));
        ASSERT_FALSE(fs::exists(dir_.path() / "killed" / "adapter"));
        ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "killed", "--resume"}, 2), (std::vector<int>{0, 0})) << log(0) << log(1);
        for (const std::string& file : files)
            EXPECT_EQ(file_sha256((dir_.path() / "killed" / "adapter" / file).string()), file_sha256((dir_.path() / "straight" / "adapter" / file).string()))
                << file;
        expect_same_lines("killed", "straight");
        EXPECT_EQ(test::read_text(dir_.path() / "killed" / "samples.jsonl"), test::read_text(dir_.path() / "straight" / "samples.jsonl"));
    }

    test::TempDir dir_;
};

class DataParallel : public Ranks, public ::testing::WithParamInterface<const char*> {
protected:

    /** A config of `stage` whose step takes batch 2 x `grad_accum` rows on each rank. */
    std::string config(const std::string& name, int grad_accum, int steps) const {
        const std::string stage = GetParam();
        const fs::path data = test::examples_dir() / (stage == "sft" ? "sft.jsonl" : "pairwise.jsonl");
        std::string text = "stage: " + stage + "\nmodel: base\ndata: " + data.string() + "\neval_data: " + data.string() +
                           "\nlora: {r: 4, alpha: 8, dropout: 0.1}\noptimizer: {lr: 2.0e-3}\nbatch_size: 2\nmax_length: 96\n" +
                           "log_every: 1\neval_every: 2\nsave_every: 2\nmax_steps: " + std::to_string(steps) +
                           "\ngrad_accum: " + std::to_string(grad_accum) + "\n";
        if (stage == "dpo") text += "dpo: {beta: 0.1, precompute_reference: true}\n";
        if (stage == "kto") text += "kto: {beta: 0.1, precompute_ref_log_probs: true}\n";
        dir_.write(name, text);
        return name;
    }
};

TEST_P(DataParallel, TwoRanksEqualOneProcessAccumulatingTwiceAsMany) {
    ASSERT_EQ(run_ranks(dir_.path(), {"train", config("one.yaml", 4, 4), "--out", "one"}, 1), std::vector<int>{0}) << log(0);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", config("two.yaml", 2, 4), "--out", "two"}, 2), (std::vector<int>{0, 0})) << log(0) << log(1);

    const auto one = metrics("one"), two = metrics("two");
    ASSERT_EQ(one.size(), two.size());
    ASSERT_EQ(one.size(), 6u) << "four steps and two evaluations";
    for (std::size_t i = 0; i < one.size(); ++i)
        for (const auto& [key, value] : one[i].items()) {
            if (key == "tokens_per_s") continue;
            ASSERT_TRUE(two[i].contains(key)) << key;
            EXPECT_NEAR(two[i][key].get<double>(), value.get<double>(), 1e-5 * std::max(1.0, std::abs(value.get<double>()))) << "line " << i << " " << key;
        }
    ASSERT_TRUE(two[0].contains("reduce_share"));
    EXPECT_GT(two[0]["reduce_share"].get<double>(), 0.0);
    EXPECT_LT(two[0]["reduce_share"].get<double>(), 1.0);
    EXPECT_FALSE(one[0].contains("reduce_share"));
    const auto a = adapter("one"), b = adapter("two");
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, t] : a) EXPECT_LE((b.at(name) - t).norm().item<double>() / t.norm().item<double>(), 1e-5) << name;
    const auto run = nlohmann::json::parse(test::read_text(dir_.path() / "two" / "run.json"));
    EXPECT_EQ(run["world"]["size"], 2);
    EXPECT_EQ(run["world"]["backend"], "gloo");
    EXPECT_EQ(run["world"]["launcher"], "torchrun");
    ASSERT_EQ(run["world"]["ranks"].size(), 2u);
    EXPECT_EQ(run["world"]["ranks"][1]["device"], "cpu");
    EXPECT_FALSE(nlohmann::json::parse(test::read_text(dir_.path() / "one" / "run.json")).contains("world")) << "one process: today's run.json";
}

TEST_P(DataParallel, AStoppedRunResumesToTheBytesOfOneThatNeverStopped) {
    const std::string cfg = config("two.yaml", 1, 4);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "straight"}, 2), (std::vector<int>{0, 0})) << log(0) << log(1);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "stopped", "--max-steps", "2"}, 2), (std::vector<int>{0, 0})) << log(0);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "stopped", "--resume"}, 2), (std::vector<int>{0, 0})) << log(0);
    const fs::path weights = fs::path("adapter") / "adapter_model.safetensors";
    EXPECT_EQ(file_sha256((dir_.path() / "stopped" / weights).string()), file_sha256((dir_.path() / "straight" / weights).string()));
    expect_same_lines("stopped", "straight");

    // The data cursor is global: one process takes up the two ranks' run where they stopped.
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "other", "--max-steps", "2"}, 2), (std::vector<int>{0, 0})) << log(0);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "other", "--resume"}, 1), std::vector<int>{0}) << log(0);
    const auto other = metrics("other");
    ASSERT_EQ(other.size(), metrics("straight").size());
    EXPECT_EQ(other.back()["step"], 4);
    EXPECT_DOUBLE_EQ(other.back()["epoch"].get<double>(), metrics("straight").back()["epoch"].get<double>() * 3 / 4)
        << "two steps of 2 ranks, then two of one: the cursor is counted in rows";
}

TEST_P(DataParallel, ARankAskedToStopStopsEveryRankAtTheSameStepCheckpointed) {
    const std::string cfg = config("two.yaml", 1, 60);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "straight"}, 2), (std::vector<int>{0, 0})) << log(0) << log(1);
    // SIGTERM to rank 1 alone, once rank 0 has logged a step: both stop after one step, checkpointed.
    const fs::path lines = dir_.path() / "stopped" / "metrics.jsonl";
    const auto status = run_ranks(dir_.path(), {"train", cfg, "--out", "stopped"}, 2, [&](const std::vector<pid_t>& ranks) {
        while (!fs::exists(lines) || fs::file_size(lines) == 0) ::usleep(2000);
        ::kill(ranks[1], SIGTERM);
    });
    ASSERT_EQ(status, (std::vector<int>{75, 75})) << log(0) << log(1);
    const auto stopped = metrics("stopped");
    ASSERT_FALSE(stopped.empty());
    const std::int64_t step = stopped.back()["step"];
    EXPECT_LT(step, 60);
    EXPECT_TRUE(fs::exists(dir_.path() / "stopped" / "checkpoints" / ("step-" + std::to_string(step)))) << log(0);
    EXPECT_NE(log(0).find("stopped at step " + std::to_string(step) + " of 60 when asked (checkpointed); continue with --resume"),
              std::string::npos) << log(0);
    ASSERT_EQ(run_ranks(dir_.path(), {"train", cfg, "--out", "stopped", "--resume"}, 2), (std::vector<int>{0, 0})) << log(0);
    const fs::path weights = fs::path("adapter") / "adapter_model.safetensors";
    EXPECT_EQ(file_sha256((dir_.path() / "stopped" / weights).string()), file_sha256((dir_.path() / "straight" / weights).string()));
}

INSTANTIATE_TEST_SUITE_P(EveryStage, DataParallel, ::testing::Values("sft", "rm", "dpo", "kto"));

/** PPO over two ranks against a reward model trained here; its suites are the example folder's. */
class DataParallelPpo : public Ranks {
protected:
    std::string config() {
        const std::string pairs = (test::examples_dir() / "pairwise.jsonl").string();
        dir_.write("rm.yaml", "stage: rm\nmodel: base\ndata: " + pairs + "\nlora: {r: 4, alpha: 8}\noptimizer: {lr: 2.0e-3}\nbatch_size: 4\nmax_steps: 3\n");
        EXPECT_EQ(run_ranks(dir_.path(), {"train", "rm.yaml", "--out", "rm"}, 1), std::vector<int>{0}) << log(0);
        // 12 prompts in batches of 5: the ranks' batches differ in size at each epoch's end.
        dir_.write("ppo.yaml", "stage: ppo\nmodel: base\nreward: rm/adapter\ndata: " + pairs + "\neval_data: " + test::examples_dir().string() +
                                   "\nlora: {r: 4, alpha: 8, dropout: 0.1}\noptimizer: {lr: 1.0e-3}\nbatch_size: 5\nmax_length: 96\n" +
                                   "ppo: {ppo_epochs: 2, mini_batch: 1, new_tokens: [3, 6], sample_every: 1}\ngrad_accum: 2\n" +
                                   "log_every: 1\neval_every: 3\nsave_every: 2\nmax_steps: 4\n");
        return "ppo.yaml";
    }
};

TEST_F(DataParallelPpo, KilledAndResumedItEndsOnTheBytesOfARunNeverStopped) {
    expect_killed_and_resumed_alike(config(), {"adapter_model.safetensors", "value_head.safetensors"});

    const auto lines = metrics("straight");
    ASSERT_EQ(lines.size(), 6u) << "four steps and two evaluations";
    EXPECT_GT(lines[0]["generation_share"].get<double>(), 0.0);
    EXPECT_LT(lines[0]["generation_share"].get<double>(), 1.0);
    // Rank 0 wrote the samples, up to four a step from its own batch (the global batch's first
    // prompts): 5, 2, 5 and 5 prompts in its four batches.
    const std::string samples = test::read_text(dir_.path() / "straight" / "samples.jsonl");
    EXPECT_EQ(std::count(samples.begin(), samples.end(), '\n'), 4 + 2 + 4 + 4);
    // The evaluation while training is sharded and gathered: every item of every suite.
    const auto results = nlohmann::json::parse(test::read_text(dir_.path() / "straight" / "evals" / "step-4" / "results.json"));
    EXPECT_EQ(results["counts"]["winobias_pairs"], 8);
    EXPECT_EQ(results["counts"]["winogrande"], 8);
    EXPECT_EQ(results["counts"]["winogender"], 36);
    EXPECT_EQ(results["items"]["winogender"].size(), 36u);
}

/** GRPO and RLOO over two ranks: each samples the completions of its own prompts. */
class DataParallelGroup : public Ranks, public ::testing::WithParamInterface<const char*> {
protected:
    std::string config() {
        const std::string stage = GetParam();
        // 6 prompts, 2 a step and rank: the ranks' batches differ in size at each epoch's end.
        dir_.write(stage + ".yaml", "stage: " + stage + "\nmodel: base\ndata: " + (test::examples_dir() / "sft.jsonl").string() +
                                        "\nlora: {r: 4, alpha: 8, dropout: 0.1}\noptimizer: {lr: 1.0e-3}\nbatch_size: 8\ngrad_accum: 2\nmax_length: 96\n" +
                                        stage + ": {num_generations: 4, max_completion_length: 6, beta: 0.04, num_iterations: 2, sample_every: 1," +
                                        (stage == "grpo" ? " scale_rewards: batch," : " normalize_advantages: true,") +
                                        " rewards: [{contains: e}, {length: [1, 5], weight: 0.5}]}\nlog_every: 1\nsave_every: 2\nmax_steps: 4\n");
        return stage + ".yaml";
    }
};

TEST_P(DataParallelGroup, KilledAndResumedItEndsOnTheBytesOfARunNeverStopped) {
    expect_killed_and_resumed_alike(config(), {"adapter_model.safetensors"});
    EXPECT_EQ(metrics("straight").size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(BothMethods, DataParallelGroup, ::testing::Values("grpo", "rloo"));

TEST(DataParallelPpoMath, WhiteningOverTwoRanksIsWhiteningOfTheirRowsTogether) {
    const int port = free_port();
    std::vector<pid_t> children;
    for (int rank = 0; rank < 2; ++rank) {
        const pid_t child = ::fork();
        if (child == 0) {  // everything of libtorch's happens in the ranks, none before the fork
            at::manual_seed(7);
            const at::Tensor x = at::randn({4, 6}, at::kDouble), mask = (at::rand({4, 6}, at::kDouble) > 0.3).to(at::kDouble);
            const at::Tensor together = ppo::masked_whiten(x, mask);
            const auto group = ProcessGroup::join(LaunchEnv{rank, 2, rank, "127.0.0.1", port, "torchrun"}, std::chrono::seconds(30));
            const at::Tensor mine = ppo::masked_whiten(x.slice(0, 2 * rank, 2 * rank + 2), mask.slice(0, 2 * rank, 2 * rank + 2), group.get());
            const at::Tensor alone = ppo::masked_whiten(x.slice(0, 2 * rank, 2 * rank + 2), mask.slice(0, 2 * rank, 2 * rank + 2));
            const at::Tensor rows = mask.slice(0, 2 * rank, 2 * rank + 2);
            const bool global = ((mine - together.slice(0, 2 * rank, 2 * rank + 2)) * rows).abs().max().item<double>() < 1e-12;
            const bool differs = ((alone - mine) * rows).abs().max().item<double>() > 1e-3;  // the halves alone whiten otherwise
            group->barrier();
            ::_exit(global && differs ? 0 : 1);
        }
        children.push_back(child);
    }
    for (pid_t child : children) {
        int status = 0;
        ::waitpid(child, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
}

/** amalgam-cli eval of base/ on the example suites as `ranks` processes, into `out`. */
class DataParallelEval : public Ranks {
protected:
    nlohmann::json eval(const std::string& out, int ranks, const std::string& limit) {
        std::vector<std::string> args = {"eval", "base", "--data", test::examples_dir().string(), "--out", out, "--batch", "3"};
        if (!limit.empty()) args.insert(args.end(), {"--limit", limit});
        EXPECT_EQ(run_ranks(dir_.path(), args, ranks), std::vector<int>(static_cast<std::size_t>(ranks), 0)) << log(0) << log(1);
        return nlohmann::json::parse(test::read_text(dir_.path() / out));
    }

    /** The same items in the same order: texts equal, numbers within 1e-6. */
    static void expect_close(const nlohmann::json& a, const nlohmann::json& b, const std::string& where) {
        if (a.is_number() && b.is_number()) {
            EXPECT_NEAR(a.get<double>(), b.get<double>(), 1e-6 * std::max(1.0, std::abs(a.get<double>()))) << where;
        } else if (a.is_structured() && b.is_structured() && a.type() == b.type() && a.size() == b.size()) {
            for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y)
                expect_close(*x, *y, where + "/" + (a.is_object() ? x.key() : std::to_string(std::distance(a.begin(), x))));
        } else {
            EXPECT_EQ(a, b) << where;
        }
    }
};

TEST_F(DataParallelEval, RanksScoreTheirSharesAndRankZeroWritesOneProcesssResults) {
    for (const auto& [ranks, limit] : std::vector<std::pair<int, std::string>>{{2, ""}, {2, "7"}, {3, "2"}}) {
        SCOPED_TRACE(std::to_string(ranks) + " ranks, limit '" + limit + "'");
        const nlohmann::json one = eval("one.json", 1, limit), many = eval("many.json", ranks, limit);
        EXPECT_EQ(one["counts"], many["counts"]);
        expect_close(one["metrics"], many["metrics"], "metrics");
        expect_close(one["items"], many["items"], "items");
        EXPECT_EQ(one["items"]["winobias"].size(), limit.empty() ? 8u : std::stoul(limit));
    }
}

TEST(DataParallelRendezvous, ARankThatNeverArrivesIsNamedAndNothingIsWritten) {
    test::TempDir dir;
    dir.write("sft.yaml", "stage: sft\nmodel: base\ndata: " + (test::examples_dir() / "sft.jsonl").string() + "\n");
    const std::string port = std::to_string(free_port());
    const pid_t child = ::fork();
    if (child == 0) {
        ::chdir(dir.path().c_str());
        ::setenv("RANK", "0", 1);
        ::setenv("WORLD_SIZE", "3", 1);
        ::setenv("MASTER_ADDR", "127.0.0.1", 1);
        ::setenv("MASTER_PORT", port.c_str(), 1);
        std::freopen("err.log", "w", stderr);
        ::execl(AMALGAM_CLI, AMALGAM_CLI, "train", "sft.yaml", "--out", "run", "--dist-timeout", "2", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
    const std::string err = test::read_text(dir.path() / "err.log");
    EXPECT_NE(err.find("rank 0 of 3: the rendezvous at 127.0.0.1:" + port + " (from torchrun's variables) saw no rank 1, 2 within 2 s"), std::string::npos)
        << err;
    EXPECT_FALSE(fs::exists(dir.path() / "run"));
}

/** getenv over a table. */
Getenv table(std::map<std::string, std::string> values) {
    auto kept = std::make_shared<std::map<std::string, std::string>>(std::move(values));
    return [kept](const char* name) -> const char* {
        const auto it = kept->find(name);
        return it == kept->end() ? nullptr : it->second.c_str();
    };
}

TEST(LaunchEnv, ReadsTorchrunAndSrunAndNothingElse) {
    EXPECT_FALSE(launch_env(table({})));
    EXPECT_FALSE(launch_env(table({{"SLURM_PROCID", "0"}, {"SLURM_JOB_ID", "7"}}))) << "a batch script outside srun";

    const auto torchrun = launch_env(table({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "n1"}, {"MASTER_PORT", "29500"}}));
    ASSERT_TRUE(torchrun);
    EXPECT_EQ(torchrun->launcher, "torchrun");
    EXPECT_EQ(std::make_tuple(torchrun->rank, torchrun->world_size, torchrun->local_rank), std::make_tuple(3, 8, 1));
    EXPECT_EQ(torchrun->master_addr + ":" + std::to_string(torchrun->master_port), "n1:29500");

    const auto srun = launch_env(table({{"SLURM_PROCID", "5"}, {"SLURM_STEP_NUM_TASKS", "6"}, {"SLURM_LOCALID", "2"},
                                        {"SLURM_STEP_NODELIST", "gpu[07-09,12],cpu1"}, {"SLURM_JOB_ID", "123456"}}));
    ASSERT_TRUE(srun);
    EXPECT_EQ(srun->launcher, "slurm");
    EXPECT_EQ(std::make_tuple(srun->rank, srun->world_size, srun->local_rank), std::make_tuple(5, 6, 2));
    EXPECT_EQ(srun->master_addr, "gpu07");
    EXPECT_EQ(srun->master_port, 15000 + 123456 % 20000);
}

TEST(LaunchEnv, NamesTheVariableThatIsWrong) {
    const auto error = [](std::map<std::string, std::string> values) {
        try {
            launch_env(table(std::move(values)));
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}), "RANK='2' is not a whole number from 0 to 1");
    EXPECT_EQ(error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}), "MASTER_ADDR is not set");
    EXPECT_EQ(error({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}),
              "MASTER_PORT='70000' is not a whole number from 1 to 65535");
    EXPECT_EQ(error({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "x"}}), "SLURM_STEP_NUM_TASKS='x' is not a whole number from 1 to 1048576");
}

TEST(LaunchEnv, TheFirstHostOfASlurmNodeList) {
    EXPECT_EQ(first_slurm_host("node1"), "node1");
    EXPECT_EQ(first_slurm_host("a,b"), "a");
    EXPECT_EQ(first_slurm_host("gpu[003-010]"), "gpu003");
    EXPECT_EQ(first_slurm_host("gpu[5,7-9]"), "gpu5");
}

}  // namespace
}  // namespace amalgam

// The worker's stdout lines: what the worker writes, the queue reads back the same.
#include <gtest/gtest.h>

#include "core/contract/worker_messages.h"

namespace amalgam {
namespace {

TEST(WorkerMessages, EachMessageReadsBackAsWritten) {
    const std::string progress = worker_line(ProgressMessage{"winogrande", 3, 8});
    EXPECT_EQ(progress, R"({"progress":{"stage":"winogrande","done":3,"total":8}})");
    const auto p = std::get<ProgressMessage>(*read_worker_line(progress));
    EXPECT_EQ(p.stage, "winogrande");
    EXPECT_EQ(p.done, 3u);
    EXPECT_EQ(p.total, 8u);

    const std::string plan = worker_line(PlanMessage{{{"embed", 10, 2.5}, {"cluster", 4, 1.0}}});
    EXPECT_EQ(plan, R"({"plan":[{"stage":"embed","total":10,"work":2.5},{"stage":"cluster","total":4,"work":1.0}]})");
    const auto stages = std::get<PlanMessage>(*read_worker_line(plan)).stages;
    ASSERT_EQ(stages.size(), 2u);
    EXPECT_EQ(stages[1].name, "cluster");
    EXPECT_EQ(stages[1].total, 4u);
    EXPECT_EQ(stages[0].work, 2.5);

    nlohmann::ordered_json values = {{"step", 2}, {"loss", 0.5}, {"eval/accuracy", 1.0}};
    const std::string metrics = worker_line(MetricsMessage{values});
    EXPECT_EQ(metrics, R"({"metrics":{"step":2,"loss":0.5,"eval/accuracy":1.0}})");
    EXPECT_EQ(std::get<MetricsMessage>(*read_worker_line(metrics)).values, values);

    const std::string cluster = worker_line(ClusterJobMessage{"812", "pending"});
    EXPECT_EQ(cluster, R"({"cluster_job":{"job":"812","state":"pending"}})");
    EXPECT_EQ(std::get<ClusterJobMessage>(*read_worker_line(cluster)).state, "pending");
}

TEST(WorkerMessages, AnythingElseIsTheWorkersLog) {
    for (const char* line : {"step 2: loss 0.5", "", "{}", "[1, 2]", R"({"progress": {"stage": "x"}})", R"({"progress": 3})",
                             R"({"plan": [{"stage": "x", "work": 1}]})", R"({"metrics": {}, "other": 1})", "{\"metrics\": {"})
        EXPECT_FALSE(read_worker_line(line)) << line;
}

}  // namespace
}  // namespace amalgam

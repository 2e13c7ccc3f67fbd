// Workbench figures: the embedding map with 100k points (replot, pan, zoom, hover, lasso),
// the slider's new cut and the record search at 100k, and the time from `amalgam --demo` to a
// populated window; with the public datasets, a workspace of real data curated and reopened. Runs
// offscreen. Run: build/tests/bench/amalgam_ui_bench [--points N] (the map, slider and record
// figures at N points too, beside those at 100k).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QTabWidget>
#include <QThread>
#include <QTimer>

#include "core/curate/curation.h"
#include "core/curate/selection.h"
#include "tests/shared_data.h"
#include "ui/document/experiments.h"
#include "ui/document/workbench.h"
#include "ui/jobs/background_task.h"
#include "ui/jobs/job_queue.h"
#include "ui/models/record_table_model.h"
#include "ui/views/compare_panel.h"
#include "ui/views/embedding_map.h"
#include "ui/views/main_window.h"
#include "ui/views/palette.h"
#include "ui/views/point_cloud.h"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

template <class F>
void frames(const char* what, int n, F&& frame) {
    std::vector<double> times;
    for (int i = 0; i < n; ++i) {
        auto t = Clock::now();
        frame(i);
        times.push_back(ms_since(t));
    }
    std::sort(times.begin(), times.end());
    double sum = 0;
    for (double t : times) sum += t;
    std::printf("%-34s mean %7.2f ms  median %7.2f ms  max %7.2f ms  (%d frames)\n", what, sum / n, times[times.size() / 2],
                times.back(), n);
}

/** n points in k Gaussian blobs, as a curation of one source, each pair's answers also two
 *  unpaired rows. */
amalgam::Curation synthetic_curation(std::size_t n, int k) {
    amalgam::Curation c;
    c.clusters_used = k;
    c.sources.push_back({});
    c.sources[0].name = "bench";
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0, 0.08f);
    std::uniform_real_distribution<double> quality(0, 1);
    for (std::size_t i = 0; i < n; ++i) {
        const int cluster = static_cast<int>(i % static_cast<std::size_t>(k));
        c.cluster.push_back(cluster);
        c.xy.push_back(std::cos(cluster * 0.63f) + noise(rng));
        c.xy.push_back(std::sin(cluster * 0.63f) + noise(rng));
        amalgam::PreferencePair p;
        p.source = "bench";
        p.source_id = "b" + std::to_string(i);
        p.prompt = "synthetic prompt number " + std::to_string(i) + " about topic " + std::to_string(cluster);
        p.quality = quality(rng);
        for (std::size_t answer = 0; answer < 2; ++answer) {  // the pair's answers as unpaired rows
            c.unpaired.push_back({"bench", p.source_id, answer, {}, {}, {}, answer == 0, std::fabs(*p.quality - 0.5)});
            c.unpaired_cluster.push_back(cluster);
            c.unpaired_xy.insert(c.unpaired_xy.end(), c.xy.end() - 2, c.xy.end());
        }
        c.pairs.push_back(std::move(p));
    }
    return c;
}

void bench_map(const amalgam::Curation& c) {
    amalgam::EmbeddingMap map;
    map.resize(1010, 800);
    map.show();
    std::vector<QRgb> palette;
    QStringList names;
    for (int k = 0; k < c.clusters_used; ++k) {
        palette.push_back(amalgam::categoryColour(k));
        names << QString("cluster %1").arg(k);
    }
    auto t = Clock::now();
    map.setPoints(c.xy, c.cluster, names, palette);
    std::printf("%-34s %7.2f ms\n", "set the points and first replot", ms_since(t));
    frames("replot", 30, [&](int) { map.replot(QCustomPlot::rpImmediateRefresh); });
    frames("pan (1% of the range per frame)", 60, [&](int) {
        map.xAxis->moveRange(map.xAxis->range().size() * 0.01);
        map.yAxis->moveRange(map.yAxis->range().size() * 0.01);
        map.replot(QCustomPlot::rpImmediateRefresh);
    });
    frames("zoom (5% per frame)", 30, [&](int i) {
        map.xAxis->scaleRange(i < 15 ? 0.95 : 1 / 0.95);
        map.yAxis->scaleRange(i < 15 ? 0.95 : 1 / 0.95);
        map.replot(QCustomPlot::rpImmediateRefresh);
    });
    map.resetView();
    frames("hover: nearest point", 30, [&](int i) { map.cloud().nearest(QPointF(100 + 20 * i, 400), 6); });
    frames("lasso: mark inside + replot", 10, [&](int i) {
        map.markInside(QPolygonF({QPointF(100, 100), QPointF(500 + 10 * i, 120), QPointF(450, 600), QPointF(120, 500)}));
    });
}

void bench_cut_and_search(const amalgam::Curation& c) {
    frames("slider, sorting every cut (pairs)", 3, [&](int i) {  // what each move cost before the kept order
        std::vector<amalgam::SelectionItem> items;
        for (std::size_t p = 0; p < c.pairs.size(); ++p) items.push_back({c.pairs[p].source, c.pairs[p].source_id, c.cluster[p], c.pairs[p].quality});
        amalgam::select_pairs(items, 0.1 + 0.08 * i, c.settings.seed);
    });
    auto t = Clock::now();
    c.pair_order();
    c.unpaired_order();
    std::printf("%-34s %7.2f ms\n", "slider: sort the strata (once)", ms_since(t));
    frames("slider: select + count_selection", 10, [&](int i) {
        const double fraction = 0.1 + 0.08 * i;
        amalgam::count_selection(c, c.select(fraction), c.select_unpaired(fraction));
    });
    auto source = std::make_shared<amalgam::CurationSource>();
    source->name = "bench";
    for (const auto& p : c.pairs) source->dataset.prompts.push_back({p.source_id, p.prompt, {}, {{"a", {}}, {"b", {}}}});
    amalgam::RecordTableModel records;
    t = Clock::now();
    records.setDataset(source);
    for (int row = 0; row < 40; ++row)  // what a first paint asks for
        for (int column = 0; column < records.columnCount(); ++column) records.data(records.index(row, column), Qt::DisplayRole);
    std::printf("%-34s %7.2f ms\n", "record table: load, first 40 rows", ms_since(t));
    t = Clock::now();
    records.setSearch("topic 3");
    std::printf("%-34s %7.2f ms\n", "record table: first search", ms_since(t));
    const char* needles[] = {"topic 7", "number 99", "no such text", "SYNTHETIC"};
    frames("record table: search the rows", 4, [&](int i) { records.setSearch(needles[i]); });
}

bool wait_until(const std::function<bool()>& done, int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (!done()) {
        if (Clock::now() > until) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return true;
}

/** The longest the UI thread went without serving its event loop: the widest gap between the
 *  ticks of a 1 ms timer. */
class FrameWatch {
public:
    FrameWatch() {
        timer_.setInterval(1);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const auto now = Clock::now();
            worst_ = std::max(worst_, std::chrono::duration<double, std::milli>(now - last_).count());
            last_ = now;
        });
    }
    void start() {
        last_ = Clock::now();
        worst_ = 0;
        timer_.start();
    }
    double worst() const { return worst_; }

private:
    QTimer timer_;
    Clock::time_point last_;
    double worst_ = 0;
};

/** What the workbench adds to a worker's time: an evaluation of the tiny Llama on the example
 *  suites as a GUI job (queued, run, read and stored), and the same command line run alone,
 *  turn about, twice each. */
void bench_job_overhead(amalgam::MainWindow& window, const char* cli) {
    amalgam::Workbench& workbench = window.workbench();
    const QString examples = QDir(AMALGAM_SOURCE_DIR).filePath("resources/examples");
    for (int round = 0; round < 2; ++round) {
        auto t = Clock::now();
        workbench.experiments().evaluate({QString(), QString(), examples, QString("overhead-%1").arg(round), 0});
        wait_until([&] { return !workbench.jobs().busy(); }, 120000);
        const double job_ms = ms_since(t);
        const QStringList arguments = amalgam::JobQueue::arguments(workbench.jobs().rows().back().work, workbench.path());
        QProcess alone;
        t = Clock::now();
        alone.start(cli, arguments);
        alone.waitForFinished(-1);
        std::printf("%-34s %7.0f ms  (the same command alone: %.0f ms)\n", "GUI evaluation job", job_ms, ms_since(t));
    }
}

void bench_demo(const char* cli) {
    const QString dir = QDir::temp().filePath(QString("amalgam-ui-bench-%1").arg(QCoreApplication::applicationPid()));
    QDir(dir).removeRecursively();
    auto t = Clock::now();
    amalgam::MainWindow window;
    window.resize(1440, 900);
    window.workbench().jobs().setWorker(cli);
    window.show();
    if (QString error = window.openDemo(dir); !error.isEmpty()) {
        std::printf("demo failed: %s\n", qPrintable(error));
        return;
    }
    wait_until([&] { return window.workbench().curation() != nullptr; }, 60000);
    QCoreApplication::processEvents();
    std::printf("%-34s %7.2f ms\n", "--demo: window to populated map", ms_since(t));
    wait_until([&] { return window.compare().model().rowCount() > 0; }, 120000);
    std::printf("%-34s %7.2f ms\n", "--demo: ... to a row in Compare", ms_since(t));

    // The runs train with the Train tab in view: the table and the curves follow every logged step.
    window.tabs().setCurrentIndex(2);
    std::size_t lines = 0;
    QObject::connect(&window.workbench().jobs(), &amalgam::JobQueue::metricsReported, [&] { ++lines; });
    FrameWatch watch;
    watch.start();
    wait_until([&] { return window.compare().model().rowCount() >= 5 && !window.workbench().jobs().busy(); }, 300000);
    std::printf("%-34s %7.2f ms  (%d rows in Compare)\n", "--demo: ... trained and evaluated", ms_since(t), window.compare().model().rowCount());
    std::printf("%-34s %7.2f ms  (%zu metric lines streamed)\n", "--demo: worst UI frame while training", watch.worst(), lines);
    bench_job_overhead(window, cli);
    QDir(dir).removeRecursively();
}

/** A researcher's session on real data: add WinoGrande train_l and OASST validation (by
 *  toxicity), curate with the paper's k = 10 and 10 restarts, then reopen the workspace. */
void bench_real_workspace(const std::filesystem::path& data) {
    if (data.empty()) {
        std::printf("(%s: no real-data workspace figures)\n", amalgam::test::shared_data_absent().c_str());
        return;
    }
    const QString dir = QDir::temp().filePath(QString("amalgam-ui-bench-ws-%1").arg(QCoreApplication::applicationPid()));
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    const QString file = QDir(dir).filePath("ws.amalgam");
    auto finish = [](amalgam::Workbench& w) { wait_until([&] { return !w.task().running(); }, 300000); };
    {
        amalgam::Workbench w;
        w.open(file);
        amalgam::DatasetSpec winogrande, oasst;
        winogrande.name = "winogrande";
        winogrande.path = data / "winogrande/train_l.jsonl";
        oasst.name = "oasst";
        oasst.path = data / "oasst1/oasst1-validation-en.jsonl";
        oasst.label = "detoxify.toxicity";
        oasst.direction = amalgam::Direction::LowerIsBetter;
        auto t = Clock::now();
        for (const auto& spec : {winogrande, oasst}) {
            w.addDataset(spec);
            finish(w);
        }
        std::printf("%-34s %7.0f ms\n", "real: import both into the store", ms_since(t));
        t = Clock::now();
        w.runCuration();
        finish(w);
        std::printf("%-34s %7.0f ms  (%zu pairs)\n", "real: curate in the background", ms_since(t), w.curation()->pairs.size());
        t = Clock::now();
        w.setFraction(0.2);
        std::printf("%-34s %7.2f ms\n", "real: slider to 0.2", ms_since(t));
    }
    auto t = Clock::now();
    amalgam::Workbench w;
    w.open(file);
    finish(w);
    std::printf("%-34s %7.0f ms  (map %s)\n", "real: reopen to restored map", ms_since(t), w.curation() ? "restored" : "MISSING");
    QDir(dir).removeRecursively();
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::vector<std::size_t> sizes = {100000};
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--points" && std::stoul(argv[i + 1]) != sizes[0]) sizes.push_back(std::stoul(argv[i + 1]));
    for (std::size_t n : sizes) {
        const amalgam::Curation c = synthetic_curation(n, 10);
        std::printf("map of %zu points, 1010 x 800 pixels, offscreen raster\n", n);
        bench_map(c);
        bench_cut_and_search(c);
    }
    bench_demo(AMALGAM_CLI);
    bench_real_workspace(amalgam::test::shared_data_dir());
    return 0;
}

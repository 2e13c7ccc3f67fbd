#pragma once

#include <cstdint>
#include <vector>

#include <QWidget>

class QComboBox;
class QCustomPlot;

namespace amalgam {

class Experiments;

/** The metric curves of the chosen runs, overlaid: one metric at a time (loss, lr, grad norm,
 *  accuracy and margin, PPO's scores, KL and KL coefficient, evaluation lines), against the
 *  step. The list of metrics is what the chosen runs logged. */
class RunCurves : public QWidget {
    Q_OBJECT

public:
    explicit RunCurves(Experiments& experiments, QWidget* parent = nullptr);

    void showRuns(const std::vector<std::int64_t>& runs);
    /** Picks a metric by name; false when none of the runs logged it. */
    bool showMetric(const QString& name);
    QString metric() const;
    /** The points drawn for each run, in showRuns order. */
    std::vector<int> pointCounts() const;
    QCustomPlot& plot() { return *plot_; }

private:
    void refillMetrics();
    void redraw();

    Experiments& experiments_;
    std::vector<std::int64_t> runs_;
    QComboBox* metric_;
    QCustomPlot* plot_;
};

}  // namespace amalgam

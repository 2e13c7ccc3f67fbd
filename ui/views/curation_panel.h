#pragma once

#include <QWidget>

class QCPBars;
class QCPItemStraightLine;
class QComboBox;
class QDoubleSpinBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableWidget;

namespace amalgam {

class SelectionCountsModel;
class Workbench;

/** How D_train is made: per graded dataset its label and direction; the embedder, k,
 *  restarts and seed; and the fraction. The slider gives a new cut at once (no embedding
 *  again): counts per source and cluster, and a histogram of quality gaps with the cut-off. */
class CurationPanel : public QWidget {
    Q_OBJECT

public:
    explicit CurationPanel(Workbench& workbench, QWidget* parent = nullptr);

    QSlider& fractionSlider() { return *fraction_; }
    QPushButton& runButton() { return *run_; }
    SelectionCountsModel& counts() { return *counts_; }
    QCustomPlot& histogram() { return *histogram_; }

private:
    void showDatasets();
    void showSettings();
    void storeSettings();
    void showSelection();
    void showFraction();

    Workbench& workbench_;
    QTableWidget* labels_;
    QComboBox* embedder_;
    QLineEdit* model_;
    QSpinBox* clusters_;
    QSpinBox* restarts_;
    QSpinBox* seed_;
    QDoubleSpinBox* dedup_;  ///< the near-duplicate cosine; 0 keeps duplicates
    QPushButton* run_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;
    QSlider* fraction_;
    QLabel* fractionLabel_;
    SelectionCountsModel* counts_;
    QCustomPlot* histogram_;
    QCPBars* keptBars_;
    QCPBars* droppedBars_;
    QCPItemStraightLine* cutoff_;
};

}  // namespace amalgam

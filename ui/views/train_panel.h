#pragma once

#include <QWidget>

#include "ui/document/experiments.h"

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QProcess;
class QSpinBox;

namespace amalgam {

class DeviceProbe;
class SlurmFields;
class Workbench;

/** Sets up and launches a training run: the stage, the base model, the runs it starts from,
 *  the data (the exported D_train or a file), a preset with every field editable, LoRA and
 *  optimizer settings, the texts (the preset's template or the model's chat template), device and precision, and where it runs (this machine or Slurm, with the
 *  job's resources, kept in the workspace). Estimate asks the worker for the memory and time
 *  a step takes; Show command gives the exact command line and config (and the batch script
 *  for Slurm); Save config writes it.
 *  A pipeline queues every stage from the same fields, and the evaluations that fill Compare. */
class TrainPanel : public QWidget {
    Q_OBJECT

public:
    explicit TrainPanel(Workbench& workbench, QWidget* parent = nullptr);

    /** The run the fields describe. */
    TrainRequest request() const;
    /** Fills every field from a preset (or the stage's defaults for "none"). */
    void applyPreset(const QString& name);
    void setStage(Stage stage);
    void setSteps(int steps);
    void setData(const QString& file);
    /** Whether texts are made with the model's chat template rather than the preset's template. */
    void setChatTemplate(bool chat);
    /** The JSON lines file SFT, RM and DPO evaluate on while they train. */
    void setHeldOutData(const QString& file);
    /** GRPO's and RLOO's rule rewards, as a flow list: {contains: "green"}, {length: [16, 64], weight: 0.1}. */
    void setRuleRewards(const QString& rules);
    /** The folder of evaluation suites: PPO evaluates on it while it trains, a pipeline after. */
    void setEvaluationData(const QString& folder);
    /** Runs launched from here train on Slurm with the fields' resources, or on this machine. */
    void setRunOnSlurm(bool onSlurm);
    /** Launches the run; returns its id, or 0 after showing why not. */
    std::int64_t launch();
    /** Which chains launchPipeline() queues from one SFT run: SFT → RM → PPO, SFT → DPO, SFT → KTO, SFT → RM → GRPO. */
    void setPipeline(bool rlhf, bool dpo, bool kto = false, bool grpo = false);
    /** Queues the pipeline with the fields' settings and evaluates the base and every policy on
     *  the evaluation suites (or those evaluated last); returns false after showing why not. */
    bool launchPipeline();
    void showCommand();
    void estimate();
    /** What the panel says: an estimate, the command, an error. */
    QString message() const;

signals:
    void launched(std::int64_t run);
    void estimated();

private:
    void refillRuns();
    /** Says in the empty suites field which folder a pipeline would evaluate on. */
    void showSuitesDefault();
    void stageChanged();
    Stage stage() const;
    void say(const QString& text, bool error = false);
    /** Keeps the Slurm resources of a run that was queued, for the next time. */
    void keepSlurmSettings(const TrainRequest& request);

    Workbench& workbench_;
    DeviceProbe* devices_;
    QComboBox* stage_;
    QComboBox* preset_;
    QLineEdit* model_;
    QComboBox* parent_;
    QComboBox* reward_;
    QLineEdit* data_;
    QSpinBox* loraR_;
    QDoubleSpinBox* loraAlpha_;
    QDoubleSpinBox* loraDropout_;
    QLineEdit* targets_;
    QLineEdit* lr_;
    QSpinBox* batch_;
    QSpinBox* maxLength_;
    QComboBox* texts_;  ///< the template filled in, or the model's chat template
    QDoubleSpinBox* beta_;                ///< DPO's and KTO's β
    QDoubleSpinBox* desirableWeight_;     ///< KTO's λ_D
    QDoubleSpinBox* undesirableWeight_;   ///< KTO's λ_U
    QLineEdit* rules_;                    ///< GRPO's and RLOO's rule rewards, as the config's rewards: list spells them
    QSpinBox* steps_;
    QSpinBox* evalEvery_;
    QLineEdit* heldOut_;
    QLineEdit* suites_;
    QComboBox* device_;
    QComboBox* dtype_;
    SlurmFields* runOn_;
    QComboBox* pipeline_;
    QPlainTextEdit* message_;
    QProcess* estimator_ = nullptr;
    TrainConfig base_;  ///< the preset's settings the fields do not show
};

}  // namespace amalgam

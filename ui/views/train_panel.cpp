#include "ui/views/train_panel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryFile>
#include <QVBoxLayout>

#include "core/contract/precision.h"
#include "core/util/atomic_file.h"
#include "core/util/yaml_json.h"
#include "ui/document/workbench.h"
#include "ui/jobs/device_probe.h"
#include "ui/jobs/job_queue.h"
#include "ui/views/path_field.h"
#include "ui/views/slurm_fields.h"
#include "ui/views/name_combo.h"

namespace amalgam {
namespace {

QSpinBox* spin(int low, int high, QWidget* parent) {
    auto* s = new QSpinBox(parent);
    s->setRange(low, high);
    return s;
}

QDoubleSpinBox* doubleSpin(double low, double high, double step, int decimals, QWidget* parent) {
    auto* s = new QDoubleSpinBox(parent);
    s->setRange(low, high);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    return s;
}

}  // namespace

TrainPanel::TrainPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), devices_(new DeviceProbe(this)), stage_(new QComboBox(this)), preset_(new QComboBox(this)),
      model_(new QLineEdit(this)), parent_(new QComboBox(this)), reward_(new QComboBox(this)), data_(new QLineEdit(this)),
      loraR_(spin(1, 1024, this)), loraAlpha_(doubleSpin(0.5, 4096, 1, 1, this)), loraDropout_(doubleSpin(0, 0.9, 0.05, 2, this)),
      targets_(new QLineEdit(this)), lr_(new QLineEdit(this)), batch_(spin(1, 4096, this)), maxLength_(spin(8, 131072, this)),
      texts_(new QComboBox(this)), beta_(doubleSpin(0, 1000, 0.05, 3, this)), desirableWeight_(doubleSpin(0, 100, 0.1, 2, this)),
      undesirableWeight_(doubleSpin(0, 100, 0.1, 2, this)), rules_(new QLineEdit(this)), steps_(spin(1, 10000000, this)), evalEvery_(spin(0, 10000000, this)), heldOut_(new QLineEdit(this)), suites_(new QLineEdit(this)), device_(new QComboBox(this)),
      dtype_(new QComboBox(this)), runOn_(new SlurmFields(this)), pipeline_(new QComboBox(this)), message_(new QPlainTextEdit(this)) {
    for (Stage s : stage_names.values()) stage_->addItem(QString(to_string(s)).toUpper(), static_cast<int>(s));
    preset_->addItem(tr("none"));
    for (const auto& name : preset_names()) preset_->addItem(QString::fromStdString(name));
    model_->setPlaceholderText(tr("the built-in tiny Llama (random weights)"));
    data_->setPlaceholderText(tr("export D_train first, or choose a JSON lines file"));
    targets_->setPlaceholderText(tr("the family's default (q_proj, v_proj)"));
    lr_->setValidator(new QDoubleValidator(0, 1, 12, lr_));
    texts_->addItem(tr("the template (Question: \u2026 Answer: \u2026)"), false);
    texts_->addItem(tr("the model's chat template"), true);
    texts_->setToolTip(tr("How a prompt and its response become one text: the preset's template, or the chat template the "
                          "checkpoint brings (its earlier turns as messages; a model without one keeps the template)"));
    evalEvery_->setSpecialValueText(tr("at the end"));
    heldOut_->setPlaceholderText(tr("optional: a JSON lines file of held-out examples (SFT, RM, DPO, KTO)"));
    beta_->setToolTip(tr("how far the policy may move from its reference (DPO, KTO, GRPO, RLOO)"));
    rules_->setPlaceholderText(tr("GRPO, RLOO: rules beside the reward model, e.g. {contains: \"green\"}, {length: [16, 64], weight: 0.1}"));
    rules_->setToolTip(tr("rewards a completion earns without a model: contains, regex, match_field, length, banned, each with a weight"));
    desirableWeight_->setToolTip(tr("KTO: the weight of a desirable completion's loss (\u03bb_D)"));
    undesirableWeight_->setToolTip(tr("KTO: the weight of an undesirable completion's loss (\u03bb_U); TRL advises keeping "
                                      "\u03bb_D \u00d7 desirable to \u03bb_U \u00d7 undesirable between 1:1 and 4:3"));
    showSuitesDefault();
    add_names(dtype_, precision_names);
    dtype_->setToolTip(tr("the frozen base's precision; LoRA, heads and optimizer stay float32"));
    device_->addItems(devices_->devices());
    pipeline_->addItem(tr("SFT \u2192 RM \u2192 PPO and SFT \u2192 DPO"), QVariantList{true, true, false, false});
    pipeline_->addItem(tr("SFT \u2192 RM \u2192 PPO"), QVariantList{true, false, false, false});
    pipeline_->addItem(tr("SFT \u2192 DPO"), QVariantList{false, true, false, false});
    pipeline_->addItem(tr("SFT \u2192 KTO"), QVariantList{false, false, true, false});
    pipeline_->addItem(tr("SFT \u2192 RM \u2192 GRPO"), QVariantList{false, false, false, true});
    pipeline_->addItem(tr("SFT \u2192 RM \u2192 PPO and GRPO, SFT \u2192 DPO and SFT \u2192 KTO"), QVariantList{true, true, true, true});
    pipeline_->setToolTip(tr("every stage with these settings, each from the one before; then the base and every policy evaluated"));
    message_->setReadOnly(true);
    message_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* form = new QFormLayout;
    form->addRow(tr("Stage"), stage_);
    form->addRow(tr("Preset"), preset_);
    form->addRow(tr("Base model"), pathField(model_, PathKind::Folder, this));
    form->addRow(tr("Start from"), parent_);
    form->addRow(tr("Reward model"), reward_);
    form->addRow(tr("Data"), pathField(data_, PathKind::File, this));
    form->addRow(tr("LoRA r"), loraR_);
    form->addRow(tr("LoRA alpha"), loraAlpha_);
    form->addRow(tr("LoRA dropout"), loraDropout_);
    form->addRow(tr("LoRA targets"), targets_);
    form->addRow(tr("Learning rate"), lr_);
    form->addRow(tr("Batch"), batch_);
    form->addRow(tr("Max length"), maxLength_);
    form->addRow(tr("Texts"), texts_);
    form->addRow(tr("\u03b2"), beta_);
    auto* weights = new QHBoxLayout;
    weights->addWidget(desirableWeight_);
    weights->addWidget(undesirableWeight_);
    form->addRow(tr("Desirable / undesirable weights"), weights);
    form->addRow(tr("Rule rewards"), rules_);
    form->addRow(tr("Steps"), steps_);
    form->addRow(tr("Evaluate every"), evalEvery_);
    form->addRow(tr("Held-out data"), pathField(heldOut_, PathKind::File, this));
    form->addRow(tr("Evaluation suites"), pathField(suites_, PathKind::Folder, this));
    form->addRow(tr("Device"), device_);
    form->addRow(tr("Precision"), dtype_);
    form->addRow(tr("Run on"), runOn_);

    auto* estimateButton = new QPushButton(tr("Estimate"), this);
    auto* commandButton = new QPushButton(tr("Show command"), this);
    auto* saveButton = new QPushButton(tr("Save config\u2026"), this);
    auto* trainButton = new QPushButton(tr("Train"), this);
    trainButton->setDefault(true);
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {estimateButton, commandButton, saveButton}) buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(trainButton);
    auto* pipelineButton = new QPushButton(tr("Run pipeline"), this);
    auto* pipeline = new QHBoxLayout;
    pipeline->addWidget(pipeline_, 1);
    pipeline->addWidget(pipelineButton);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addLayout(pipeline);
    layout->addWidget(message_, 1);

    connect(stage_, qOverload<int>(&QComboBox::currentIndexChanged), this, &TrainPanel::stageChanged);
    // On Slurm the ranks train on their nodes' GPUs (or CPUs): this machine's device is not theirs.
    connect(runOn_, &SlurmFields::runOnChanged, device_, [this](bool onSlurm) { device_->setEnabled(!onSlurm); });
    connect(preset_, &QComboBox::textActivated, this, &TrainPanel::applyPreset);
    connect(estimateButton, &QPushButton::clicked, this, &TrainPanel::estimate);
    connect(commandButton, &QPushButton::clicked, this, &TrainPanel::showCommand);
    connect(trainButton, &QPushButton::clicked, this, &TrainPanel::launch);
    connect(pipelineButton, &QPushButton::clicked, this, &TrainPanel::launchPipeline);
    connect(saveButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save config"), QString(), tr("YAML (*.yaml)"));
        if (path.isEmpty()) return;
        try {
            write_file_atomically(path.toStdString(), workbench_.experiments().configYaml(request()).toStdString());
            say(tr("Wrote %1").arg(path));
        } catch (const std::exception& e) {
            say(QString::fromStdString(e.what()), true);
        }
    });
    connect(devices_, &DeviceProbe::finished, this, [this] {
        const QString chosen = device_->currentText();
        device_->clear();
        device_->addItems(devices_->devices());
        device_->setCurrentText(chosen);
    });
    connect(&workbench_.experiments(), &Experiments::runsChanged, this, &TrainPanel::refillRuns);
    connect(&workbench_.experiments(), &Experiments::resultsChanged, this, &TrainPanel::showSuitesDefault);
    connect(&workbench_, &Workbench::exported, this, [this] { data_->setText(workbench_.experiments().currentData(stage())); });
    connect(&workbench_, &Workbench::opened, this, [this] {
        data_->setText(workbench_.experiments().currentData(stage()));
        runOn_->setRequest(workbench_.experiments().slurmSettings());
        showSuitesDefault();
        devices_->start(workbench_.jobs().worker());
    });
    applyPreset("paper-sft");
}

Stage TrainPanel::stage() const { return static_cast<Stage>(stage_->currentData().toInt()); }

void TrainPanel::setStage(Stage stage) { stage_->setCurrentIndex(stage_->findData(static_cast<int>(stage))); }

void TrainPanel::setSteps(int steps) { steps_->setValue(steps); }

void TrainPanel::setData(const QString& file) { data_->setText(file); }

void TrainPanel::setHeldOutData(const QString& file) { heldOut_->setText(file); }

void TrainPanel::setEvaluationData(const QString& folder) { suites_->setText(folder); }

void TrainPanel::setRunOnSlurm(bool onSlurm) { runOn_->setOnSlurm(onSlurm); }

void TrainPanel::keepSlurmSettings(const TrainRequest& request) {
    if (request.slurm) workbench_.experiments().setSlurmSettings(*request.slurm);
}

void TrainPanel::setRuleRewards(const QString& rules) { rules_->setText(rules); }

void TrainPanel::setChatTemplate(bool chat) { texts_->setCurrentIndex(chat ? 1 : 0); }

void TrainPanel::showSuitesDefault() {
    // Left empty, the field means the suites evaluated last (or the fetched ones) when the
    // pipeline is queued, not when the workspace was opened.
    const QString suites = workbench_.experiments().evaluationData();
    suites_->setPlaceholderText(suites.isEmpty() ? tr("optional: a folder of evaluation suites (PPO; a pipeline's evaluations)")
                                                 : tr("a pipeline evaluates on %1; PPO evaluates while it trains only on a folder given here").arg(suites));
}

void TrainPanel::applyPreset(const QString& name) {
    const Stage stage = this->stage();
    base_ = name == tr("none") ? stage_defaults(stage) : preset_config(name.toStdString());
    const QSignalBlocker block(stage_);
    setStage(base_.stage);
    preset_->setCurrentText(name);
    loraR_->setValue(static_cast<int>(base_.lora.r));
    loraAlpha_->setValue(base_.lora.alpha);
    loraDropout_->setValue(base_.lora.dropout);
    QStringList targets;
    for (const auto& t : base_.lora.target_modules) targets << QString::fromStdString(t);
    targets_->setText(targets.join(", "));
    lr_->setText(QString::number(base_.optimizer.lr, 'g', 6));
    batch_->setValue(static_cast<int>(base_.batch_size));
    maxLength_->setValue(static_cast<int>(base_.max_length));
    texts_->setCurrentIndex(base_.prompt_template == "chat" ? 1 : 0);
    beta_->setValue(base_.stage == Stage::Kto ? base_.kto.beta : base_.stage == Stage::Dpo ? base_.dpo_beta : base_.group.beta);
    desirableWeight_->setValue(base_.kto.desirable_weight);
    undesirableWeight_->setValue(base_.kto.undesirable_weight);
    steps_->setValue(static_cast<int>(base_.max_steps.value_or(1000)));
    evalEvery_->setValue(static_cast<int>(base_.eval_every));
    stageChanged();
}

void TrainPanel::stageChanged() {
    const Stage stage = this->stage();
    if (base_.stage != stage) {  // another stage: its preset, when it has one
        const QString preset = stage == Stage::Sft           ? "paper-sft"
                               : stage == Stage::RewardModel ? "paper-rm"
                               : stage == Stage::Ppo         ? "paper-ppo"
                               : stage == Stage::Kto         ? "kto"
                                                             : tr("none");
        base_.stage = stage;
        applyPreset(preset);
        return;
    }
    parent_->setEnabled(stage != Stage::Sft);
    heldOut_->setEnabled(!samples_completions(stage));
    reward_->setEnabled(samples_completions(stage));
    beta_->setEnabled(stage == Stage::Dpo || stage == Stage::Kto || stage == Stage::Grpo || stage == Stage::Rloo);
    rules_->setEnabled(stage == Stage::Grpo || stage == Stage::Rloo);
    desirableWeight_->setEnabled(stage == Stage::Kto);
    undesirableWeight_->setEnabled(stage == Stage::Kto);
    // The last export's files follow the stage: KTO's unpaired rows, the pairs for the others.
    const Experiments& experiments = workbench_.experiments();
    const QString data = data_->text().trimmed();
    if (!data.isEmpty() && (data == experiments.currentData() || data == experiments.currentData(Stage::Kto)))
        data_->setText(experiments.currentData(stage));
    refillRuns();
}

void TrainPanel::refillRuns() {
    auto fill = [this](QComboBox* box, Stage stage) {
        const QVariant chosen = box->currentData();
        box->clear();
        for (const auto& run : workbench_.experiments().runs())
            if (run.stage == stage && !workbench_.experiments().adapter(run.id).isEmpty())
                box->addItem(QString::fromStdString(run.label), static_cast<qint64>(run.id));
        if (box->count() == 0) box->addItem(tr("no finished %1 run yet").arg(QString(to_string(stage)).toUpper()));
        if (const int i = box->findData(chosen); i >= 0) box->setCurrentIndex(i);
    };
    fill(parent_, Stage::Sft);
    fill(reward_, Stage::RewardModel);
}

TrainRequest TrainPanel::request() const {
    TrainRequest r;
    r.config = base_;
    r.config.stage = stage();
    r.config.model = model_->text().trimmed().toStdString();
    r.config.data = data_->text().trimmed().toStdString();
    r.config.eval_data = (samples_completions(r.config.stage) ? suites_ : heldOut_)->text().trimmed().toStdString();
    r.config.lora.r = loraR_->value();
    r.config.lora.alpha = loraAlpha_->value();
    r.config.lora.dropout = loraDropout_->value();
    r.config.lora.target_modules.clear();
    for (const QString& t : targets_->text().split(',', Qt::SkipEmptyParts)) r.config.lora.target_modules.push_back(t.trimmed().toStdString());
    r.config.optimizer.lr = lr_->text().toDouble();
    r.config.batch_size = batch_->value();
    r.config.max_length = maxLength_->value();
    if (r.config.stage == Stage::Dpo) r.config.dpo_beta = beta_->value();
    if (r.config.stage == Stage::Kto) r.config.kto = {beta_->value(), desirableWeight_->value(), undesirableWeight_->value(), base_.kto.precompute_ref_log_probs};
    if (r.config.stage == Stage::Grpo || r.config.stage == Stage::Rloo) {
        r.config.group.beta = beta_->value();
        const QString rules = rules_->text().trimmed();
        const std::string key = std::string(to_string(r.config.stage)) + ".rewards";
        r.config.group.rewards = rules.isEmpty() ? std::vector<RewardSpec>{}
                                                 : read_reward_specs(yaml_to_json("[" + rules.toStdString() + "]", "Rule rewards").value, key, "/");
    }
    if (texts_->currentData().toBool()) r.config.prompt_template = "chat";
    else if (base_.prompt_template == "chat") r.config.prompt_template = TrainConfig{}.prompt_template;
    r.config.max_steps = steps_->value();
    r.config.eval_every = evalEvery_->value();
    // A short run still checkpoints (so that Resume has somewhere to start) and draws a curve.
    r.config.save_every = std::min<std::int64_t>(r.config.save_every, std::max(1, steps_->value() / 4));
    r.config.log_every = std::min<std::int64_t>(r.config.log_every, std::max(1, steps_->value() / 50));
    if (r.config.stage != Stage::Sft && parent_->currentData().isValid()) r.parent = parent_->currentData().toLongLong();
    if (samples_completions(r.config.stage) && reward_->currentData().isValid()) r.reward = reward_->currentData().toLongLong();
    r.device = Device::parse(device_->currentText().toStdString());
    r.precision = chosen<Precision>(dtype_);
    r.slurm = runOn_->request();
    if (r.slurm) r.device = Device{r.slurm->gpus_per_node > 0 ? DeviceKind::Cuda : DeviceKind::Cpu};  // each rank's own GPU
    return r;
}

std::int64_t TrainPanel::launch() {
    try {
        const TrainRequest asked = request();
        const std::int64_t run = workbench_.experiments().launch(asked);
        keepSlurmSettings(asked);
        say(tr("Queued %1.").arg(QString::fromStdString(workbench_.experiments().run(run)->label)));
        emit launched(run);
        return run;
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()), true);
        return 0;
    }
}

void TrainPanel::setPipeline(bool rlhf, bool dpo, bool kto, bool grpo) {
    for (int i = 0; i < pipeline_->count(); ++i)
        if (pipeline_->itemData(i).toList() == QVariantList{rlhf, dpo, kto, grpo}) pipeline_->setCurrentIndex(i);
}

bool TrainPanel::launchPipeline() {
    Experiments& experiments = workbench_.experiments();
    PipelineRequest pipeline;
    const QVariantList chosen = pipeline_->currentData().toList();
    pipeline.rlhf = chosen.value(0).toBool();
    pipeline.dpo = chosen.value(1).toBool();
    pipeline.kto = chosen.value(2).toBool();
    pipeline.grpo = chosen.value(3).toBool();
    pipeline.heldOut = heldOut_->text().trimmed();
    pipeline.evaluationData = suites_->text().trimmed().isEmpty() ? experiments.evaluationData() : suites_->text().trimmed();
    try {
        pipeline.settings = request();
        const PipelineRuns runs = experiments.launchPipeline(pipeline);
        keepSlurmSettings(pipeline.settings);
        auto label = [&](std::int64_t run) { return QString::fromStdString(experiments.run(run)->label); };
        QStringList chains;
        if (runs.ppo) chains << label(runs.sft) + " \u2192 " + label(*runs.rm) + " \u2192 " + label(*runs.ppo);
        if (runs.grpo) chains << label(runs.sft) + " \u2192 " + label(*runs.rm) + " \u2192 " + label(*runs.grpo);
        if (runs.dpo) chains << label(runs.sft) + " \u2192 " + label(*runs.dpo);
        if (runs.kto) chains << label(runs.sft) + " \u2192 " + label(*runs.kto);
        say(tr("Queued %1, then %2 evaluations.").arg(chains.join(tr(" and "))).arg(runs.evaluations.size()) +
            (pipeline.evaluationData.isEmpty() ? tr(" Choose evaluation data to have them evaluated.") : QString()));
        emit launched(runs.sft);
        return true;
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()), true);
        return false;
    }
}

void TrainPanel::showCommand() {
    try {
        Experiments& e = workbench_.experiments();
        const QString command = e.commandLine(request());
        say(command + "\n\n# " + command.section(' ', 2, 2).section('/', -1).section('\n', 0, 0) + "\n" + e.configYaml(request()));
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()), true);
    }
}

void TrainPanel::estimate() {
    if (estimator_) return;
    QString yaml;
    try {
        yaml = workbench_.experiments().configYaml(request());
    } catch (const std::exception& e) {
        say(QString::fromStdString(e.what()), true);
        return;
    }
    auto* config = new QTemporaryFile(QDir::temp().filePath("amalgam-estimate-XXXXXX.yaml"), this);
    if (!config->open()) {
        say(tr("cannot write a temporary config"), true);
        return;
    }
    config->write(yaml.toUtf8());
    config->flush();
    estimator_ = new QProcess(this);
    estimator_->setProcessChannelMode(QProcess::MergedChannels);
    connect(estimator_, &QProcess::finished, this, [this, config](int code) {
        const QString output = QString::fromUtf8(estimator_->readAll()).trimmed();
        say(output, code != 0 || output.contains("warning:"));
        estimator_->deleteLater();
        estimator_ = nullptr;
        config->deleteLater();
        emit estimated();
    });
    say(tr("Estimating\u2026"));
    estimator_->start(workbench_.jobs().worker(),
                      {"train", config->fileName(), "--estimate", "--device", device_->currentText(), "--dtype", dtype_->currentText()});
}

void TrainPanel::say(const QString& text, bool error) {
    message_->setPlainText(text);
    QPalette palette = message_->palette();
    palette.setColor(QPalette::Text, error ? QColor(214, 39, 40) : QWidget::palette().color(QPalette::Text));
    message_->setPalette(palette);
}

QString TrainPanel::message() const { return message_->toPlainText(); }

}  // namespace amalgam

#include "ui/views/pair_dialog.h"

#include <QDialogButtonBox>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "ui/document/workbench.h"
#include "ui/views/record_html.h"

namespace amalgam {

QString PairDialog::describe(const Workbench& workbench, std::size_t pair) {
    const Curation& c = *workbench.curation();
    const PreferencePair& p = c.pairs.at(pair);
    QString fate = workbench.selected().at(pair) ? tr("in D_train") : tr("left out");
    if (auto it = workbench.overrides().find({p.source, p.source_id}); it != workbench.overrides().end())
        fate += it->second ? tr(" (forced in)") : tr(" (excluded)");
    QString out = QString("<p><b>%1</b> %2 &middot; cluster %3 &middot; quality %4 &middot; %5</p>")
                      .arg(htmlText(p.source), htmlText(p.source_id))
                      .arg(c.cluster.at(pair))
                      .arg(p.quality ? QString::number(*p.quality, 'g', 4) : tr("none"), fate);
    for (const Turn& t : p.context) out += QString("<p><i>%1:</i> %2</p>").arg(htmlText(t.role), htmlText(t.text));
    out += QString("<h4>Prompt</h4><p>%1</p>").arg(htmlText(p.prompt));
    out += QString("<h4 style='color:#2ca02c'>Chosen</h4><p>%1</p>").arg(htmlText(p.chosen));
    out += QString("<h4 style='color:#d62728'>Rejected</h4><p>%1</p>").arg(htmlText(p.rejected));
    return out;
}

PairDialog::PairDialog(Workbench& workbench, std::size_t pair, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Pair %1").arg(pair));
    resize(640, 520);
    auto* text = new QTextBrowser(this);
    text->setHtml(describe(workbench, pair));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* exclude = buttons->addButton(tr("Exclude from D_train"), QDialogButtonBox::ActionRole);
    auto* force = buttons->addButton(tr("Force into D_train"), QDialogButtonBox::ActionRole);
    auto* forget = buttons->addButton(tr("Clear decision"), QDialogButtonBox::ActionRole);
    auto decide = [&workbench, pair, text](std::optional<bool> keep) {
        workbench.setOverride({pair}, keep);
        text->setHtml(describe(workbench, pair));
    };
    connect(exclude, &QPushButton::clicked, this, [decide] { decide(false); });
    connect(force, &QPushButton::clicked, this, [decide] { decide(true); });
    connect(forget, &QPushButton::clicked, this, [decide] { decide(std::nullopt); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addWidget(buttons);
}

}  // namespace amalgam

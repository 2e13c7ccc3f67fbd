#include "ui/views/map_panel.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolBar>
#include <QToolTip>
#include <QVBoxLayout>

#include "ui/document/workbench.h"
#include "ui/views/embedding_map.h"
#include "ui/views/pair_dialog.h"
#include "ui/views/palette.h"
#include "ui/views/point_cloud.h"

namespace amalgam {
MapPanel::MapPanel(Workbench& workbench, QWidget* parent)
    : QWidget(parent), workbench_(workbench), map_(new EmbeddingMap(this)), colouring_(new QComboBox(this)), status_(new QLabel(this)) {
    colouring_->addItems({tr("Cluster"), tr("Source"), tr("In D_train"), tr("Desirable")});
    auto* tools = new QToolBar(this);
    tools->addWidget(new QLabel(tr("Colour by "), this));
    tools->addWidget(colouring_);
    tools->addSeparator();
    auto* modes = new QActionGroup(this);
    const std::tuple<QString, EmbeddingMap::Mode, Qt::Key> modeList[] = {{tr("Pan"), EmbeddingMap::Mode::Pan, Qt::Key_P},
                                                                       {tr("Box"), EmbeddingMap::Mode::Box, Qt::Key_B},
                                                                       {tr("Lasso"), EmbeddingMap::Mode::Lasso, Qt::Key_L}};
    for (const auto& [name, mode, key] : modeList) {
        QAction* a = tools->addAction(name, this, [this, mode = mode] { map_->setMode(mode); });
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);  // letters belong to text fields elsewhere
        a->setCheckable(true);
        a->setChecked(mode == EmbeddingMap::Mode::Pan);
        modes->addAction(a);
    }
    QAction* reset = tools->addAction(tr("Reset view"), this, [this] { map_->resetView(); });
    reset->setShortcut(Qt::Key_R);
    reset->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    dim_ = tools->addAction(tr("Fade left out"), this, &MapPanel::showSelection);
    dim_->setCheckable(true);
    dim_->setChecked(true);
    unpaired_ = tools->addAction(tr("Unpaired rows"), this, [this](bool on) {
        if (!on && colouring_->currentIndex() == static_cast<int>(Colouring::Desirable)) setColouring(Colouring::Cluster);
        showCuration();
    });
    unpaired_->setCheckable(true);
    unpaired_->setShortcut(Qt::Key_U);
    unpaired_->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    unpaired_->setToolTip(tr("Show the unpaired rows (KTO's unpaired.jsonl), each at its prompt's place, instead of the pairs"));
    QAction* unmark = tools->addAction(tr("Unmark"), this, [this] {
        marked_.clear();
        map_->setMarked({});
        status_->clear();
    });
    unmark->setShortcut(Qt::Key_Escape);
    tools->addSeparator();
    decisions_ = {tools->addAction(tr("Exclude marked"), this, [this] { workbench_.setOverride(marked_, false); }),
                  tools->addAction(tr("Force marked"), this, [this] { workbench_.setOverride(marked_, true); }),
                  tools->addAction(tr("Clear decisions"), this, [this] { workbench_.setOverride(marked_, std::nullopt); })};
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tools);
    layout->addWidget(map_, 1);
    layout->addWidget(status_);

    connect(colouring_, &QComboBox::currentIndexChanged, this, [this](int colouring) {
        if (colouring == static_cast<int>(Colouring::Desirable) && !unpaired_->isChecked()) {
            setShowUnpaired(true);  // only unpaired rows are desirable or not
            return;
        }
        if (colouring != static_cast<int>(Colouring::Fate)) recolour();  // showSelection() recolours by fate
        showSelection();
    });
    connect(map_, &EmbeddingMap::marked, this, [this](const std::vector<std::size_t>& points) {
        marked_ = points;
        status_->setText(tr("%1 points marked").arg(points.size()));
    });
    connect(map_, &EmbeddingMap::hovered, this, [this](long point) {
        auto c = workbench_.curation();
        if (point < 0 || !c) {
            QToolTip::hideText();
            return;
        }
        auto shortened = [](const std::string& text) {
            QString s = QString::fromStdString(text).simplified();
            return (s.size() > 240 ? s.left(240) + "\u2026" : s).toHtmlEscaped();
        };
        const auto i = static_cast<std::size_t>(point);
        if (showsUnpaired()) {
            const UnpairedRow& r = c->unpaired.at(i);
            QToolTip::showText(QCursor::pos(), tr("<b>%1</b> cluster %2, %3<br>%4<br><i>%5</i>")
                                                   .arg(QString::fromStdString(r.source).toHtmlEscaped())
                                                   .arg(c->unpaired_cluster.at(i))
                                                   .arg(r.desirable ? tr("desirable") : tr("undesirable"), shortened(r.prompt),
                                                        shortened(r.completion)), map_);
            return;
        }
        const PreferencePair& p = c->pairs.at(i);
        QToolTip::showText(QCursor::pos(), QString("<b>%1</b> cluster %2<br>%3")
                                               .arg(QString::fromStdString(p.source).toHtmlEscaped())
                                               .arg(c->cluster.at(i))
                                               .arg(shortened(p.prompt)), map_);
    });
    connect(map_, &EmbeddingMap::clicked, this, [this](long point) {
        if (!workbench_.curation() || showsUnpaired()) return;
        PairDialog dialog(workbench_, static_cast<std::size_t>(point), this);
        dialog.exec();
    });
    connect(&workbench_, &Workbench::curationChanged, this, &MapPanel::showCuration);
    connect(&workbench_, &Workbench::selectionChanged, this, &MapPanel::showSelection);
}

void MapPanel::setColouring(Colouring colouring) { colouring_->setCurrentIndex(static_cast<int>(colouring)); }

bool MapPanel::showsUnpaired() const { return unpaired_->isChecked(); }

void MapPanel::setShowUnpaired(bool unpaired) {
    unpaired_->setChecked(unpaired);
    if (!unpaired && colouring_->currentIndex() == static_cast<int>(Colouring::Desirable)) {
        const QSignalBlocker block(colouring_);
        colouring_->setCurrentIndex(static_cast<int>(Colouring::Cluster));
    }
    showCuration();
}

void MapPanel::setDimLeftOut(bool dim) {
    dim_->setChecked(dim);
    showSelection();
}

void MapPanel::showSelection() {
    if (colouring_->currentIndex() == static_cast<int>(Colouring::Fate)) recolour();
    std::vector<bool> leftOut;
    if (dim_->isChecked() && colouring_->currentIndex() != static_cast<int>(Colouring::Fate))
        for (bool kept : showsUnpaired() ? workbench_.unpairedSelected() : workbench_.selected()) leftOut.push_back(!kept);
    map_->setDimmed(std::move(leftOut));
}

std::vector<int> MapPanel::categories(QStringList& names, std::vector<QRgb>& palette) const {
    names.clear();
    palette.clear();
    auto c = workbench_.curation();
    if (!c) return {};
    const bool rows = showsUnpaired();
    const std::size_t n = rows ? c->unpaired.size() : c->pairs.size();
    auto source = [&](std::size_t i) -> const std::string& { return rows ? c->unpaired[i].source : c->pairs[i].source; };
    std::vector<int> category(n, 0);
    switch (static_cast<Colouring>(colouring_->currentIndex())) {
    case Colouring::Cluster:
        for (int k = 0; k < c->clusters_used; ++k) names << tr("cluster %1").arg(k);
        category = rows ? c->unpaired_cluster : c->cluster;
        break;
    case Colouring::Source: {
        std::map<std::string, int> index;
        for (const auto& s : c->sources) {
            index[s.name] = static_cast<int>(names.size());
            names << QString::fromStdString(s.name);
        }
        for (std::size_t i = 0; i < n; ++i) category[i] = index.at(source(i));
        break;
    }
    case Colouring::Fate: {
        names << (rows ? tr("in unpaired.jsonl") : tr("in D_train")) << tr("left out") << tr("forced in") << tr("excluded")
              << tr("duplicate");
        palette = {categoryColour(0), qRgb(200, 200, 200), categoryColour(2), categoryColour(3), categoryColour(4)};
        const auto& selected = rows ? workbench_.unpairedSelected() : workbench_.selected();
        for (std::size_t i = 0; i < n; ++i) {
            auto it = rows ? workbench_.overrides().end() : workbench_.overrides().find({c->pairs[i].source, c->pairs[i].source_id});
            const bool duplicate = !rows && !c->duplicate.empty() && c->duplicate[i] != Duplicate::None;
            category[i] = it != workbench_.overrides().end() ? (it->second ? 2 : 3) : duplicate ? 4 : selected[i] ? 0 : 1;
        }
        break;
    }
    case Colouring::Desirable:
        names << tr("desirable") << tr("undesirable");
        palette = {categoryColour(2), categoryColour(3)};
        for (std::size_t i = 0; i < n; ++i) category[i] = rows && !c->unpaired[i].desirable ? 1 : 0;
        break;
    }
    for (int i = static_cast<int>(palette.size()); i < names.size(); ++i) palette.push_back(categoryColour(i));
    return category;
}

void MapPanel::showCuration() {
    QStringList names;
    std::vector<QRgb> palette;
    const std::vector<int> category = categories(names, palette);
    auto c = workbench_.curation();
    marked_.clear();
    const bool rows = showsUnpaired();
    for (QAction* decision : decisions_) decision->setEnabled(!rows);  // decisions are on pairs
    std::vector<float> xy = c ? (rows ? c->unpaired_xy : c->xy) : std::vector<float>{};
    if (c && rows && !xy.empty()) {
        // A prompt's rows share its place: desirable ones are drawn a little to the left and
        // undesirable ones to the right, so that a pair's two answers show as two points.
        const auto [low, high] = std::minmax_element(c->xy.begin(), c->xy.end());
        const float nudge = 0.004f * (*high - *low);
        for (std::size_t i = 0; i < c->unpaired.size(); ++i) xy[2 * i] += c->unpaired[i].desirable ? -nudge : nudge;
    }
    map_->setPoints(std::move(xy), category, names, palette);
    showSelection();
    status_->setText(!c   ? tr("No curation yet: add datasets and run it")
                     : rows ? tr("%1 unpaired rows").arg(c->unpaired.size())
                            : tr("%1 prompts").arg(c->pairs.size()));
}

void MapPanel::recolour() {
    QStringList names;
    std::vector<QRgb> palette;
    const std::vector<int> category = categories(names, palette);
    map_->setCategories(category, names, palette);
}

}  // namespace amalgam

#include "ui/views/map_panel.h"

#include <map>
#include <tuple>

#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
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
    colouring_->addItems({tr("Cluster"), tr("Source"), tr("In D_train")});
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
    QAction* unmark = tools->addAction(tr("Unmark"), this, [this] {
        marked_.clear();
        map_->setMarked({});
        status_->clear();
    });
    unmark->setShortcut(Qt::Key_Escape);
    tools->addSeparator();
    tools->addAction(tr("Exclude marked"), this, [this] { workbench_.setOverride(marked_, false); });
    tools->addAction(tr("Force marked"), this, [this] { workbench_.setOverride(marked_, true); });
    tools->addAction(tr("Clear decisions"), this, [this] { workbench_.setOverride(marked_, std::nullopt); });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tools);
    layout->addWidget(map_, 1);
    layout->addWidget(status_);

    connect(colouring_, &QComboBox::currentIndexChanged, this, [this](int colouring) {
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
        const PreferencePair& p = c->pairs.at(static_cast<std::size_t>(point));
        QString text = QString::fromStdString(p.prompt).simplified();
        if (text.size() > 240) text = text.left(240) + "\u2026";
        QToolTip::showText(QCursor::pos(), QString("<b>%1</b> cluster %2<br>%3")
                                               .arg(QString::fromStdString(p.source).toHtmlEscaped())
                                               .arg(c->cluster.at(static_cast<std::size_t>(point)))
                                               .arg(text.toHtmlEscaped()), map_);
    });
    connect(map_, &EmbeddingMap::clicked, this, [this](long point) {
        if (!workbench_.curation()) return;
        PairDialog dialog(workbench_, static_cast<std::size_t>(point), this);
        dialog.exec();
    });
    connect(&workbench_, &Workbench::curationChanged, this, &MapPanel::showCuration);
    connect(&workbench_, &Workbench::selectionChanged, this, &MapPanel::showSelection);
}

void MapPanel::setColouring(Colouring colouring) { colouring_->setCurrentIndex(static_cast<int>(colouring)); }

void MapPanel::setDimLeftOut(bool dim) {
    dim_->setChecked(dim);
    showSelection();
}

void MapPanel::showSelection() {
    if (colouring_->currentIndex() == static_cast<int>(Colouring::Fate)) recolour();
    std::vector<bool> leftOut;
    if (dim_->isChecked() && colouring_->currentIndex() != static_cast<int>(Colouring::Fate))
        for (bool kept : workbench_.selected()) leftOut.push_back(!kept);
    map_->setDimmed(std::move(leftOut));
}

std::vector<int> MapPanel::categories(QStringList& names, std::vector<QRgb>& palette) const {
    names.clear();
    palette.clear();
    auto c = workbench_.curation();
    if (!c) return {};
    std::vector<int> category(c->pairs.size(), 0);
    switch (static_cast<Colouring>(colouring_->currentIndex())) {
    case Colouring::Cluster:
        for (int k = 0; k < c->clusters_used; ++k) names << tr("cluster %1").arg(k);
        category = c->cluster;
        break;
    case Colouring::Source: {
        std::map<std::string, int> index;
        for (const auto& s : c->sources) {
            index[s.name] = static_cast<int>(names.size());
            names << QString::fromStdString(s.name);
        }
        for (std::size_t i = 0; i < c->pairs.size(); ++i) category[i] = index.at(c->pairs[i].source);
        break;
    }
    case Colouring::Fate: {
        names << tr("in D_train") << tr("left out") << tr("forced in") << tr("excluded");
        palette = {categoryColour(0), qRgb(200, 200, 200), categoryColour(2), categoryColour(3)};
        const auto& selected = workbench_.selected();
        for (std::size_t i = 0; i < c->pairs.size(); ++i) {
            auto it = workbench_.overrides().find({c->pairs[i].source, c->pairs[i].source_id});
            category[i] = it == workbench_.overrides().end() ? (selected[i] ? 0 : 1) : (it->second ? 2 : 3);
        }
        break;
    }
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
    map_->setPoints(c ? c->xy : std::vector<float>{}, category, names, palette);
    status_->setText(c ? tr("%1 prompts").arg(c->pairs.size()) : tr("No curation yet: add datasets and run it"));
}

void MapPanel::recolour() {
    QStringList names;
    std::vector<QRgb> palette;
    const std::vector<int> category = categories(names, palette);
    map_->setCategories(category, names, palette);
}

}  // namespace amalgam

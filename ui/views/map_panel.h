#pragma once

#include <vector>

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;

namespace amalgam {

class EmbeddingMap;
class Workbench;

/** The embedding map with its tools: colour by cluster, source or fate in D_train, pairs left
 *  out of D_train faded; pan, box or lasso; exclude the marked points from D_train, force them
 *  in, or clear that. */
class MapPanel : public QWidget {
    Q_OBJECT

public:
    enum class Colouring { Cluster, Source, Fate };
    explicit MapPanel(Workbench& workbench, QWidget* parent = nullptr);

    EmbeddingMap& map() { return *map_; }
    void setColouring(Colouring colouring);
    const std::vector<std::size_t>& markedPoints() const { return marked_; }
    void setDimLeftOut(bool dim);
    /** Each point's category under the current colouring, with the categories' names and colours. */
    std::vector<int> categories(QStringList& names, std::vector<QRgb>& palette) const;

private:
    void showCuration();
    void recolour();
    void showSelection();

    Workbench& workbench_;
    EmbeddingMap* map_;
    QComboBox* colouring_;
    QAction* dim_;
    QLabel* status_;
    std::vector<std::size_t> marked_;
};

}  // namespace amalgam

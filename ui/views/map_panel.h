#pragma once

#include <vector>

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;

namespace amalgam {

class EmbeddingMap;
class Workbench;

/** The embedding map with its tools: colour by cluster, source or fate in D_train (duplicates
 *  a fate of their own), pairs left
 *  out of D_train faded; pan, box or lasso; exclude the marked points from D_train, force them
 *  in, or clear that. It shows the pairs, or the unpaired rows (each at its prompt's place),
 *  which can also be coloured desirable or undesirable. */
class MapPanel : public QWidget {
    Q_OBJECT

public:
    enum class Colouring { Cluster, Source, Fate, Desirable };
    explicit MapPanel(Workbench& workbench, QWidget* parent = nullptr);

    EmbeddingMap& map() { return *map_; }
    void setColouring(Colouring colouring);
    const std::vector<std::size_t>& markedPoints() const { return marked_; }
    void setDimLeftOut(bool dim);
    /** Shows the unpaired rows instead of the pairs (the Desirable colouring shows them too). */
    void setShowUnpaired(bool unpaired);
    bool showsUnpaired() const;
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
    QAction* unpaired_;
    QList<QAction*> decisions_;  ///< exclude, force and clear: pairs only
    QLabel* status_;
    std::vector<std::size_t> marked_;
};

}  // namespace amalgam

#pragma once

#include <vector>

#include <QPolygonF>
#include <qcustomplot.h>

namespace amalgam {

class PointCloud;

/** The 2D map of every prompt: wheel zooms; dragging pans, draws a box or a lasso,
 *  depending on the mode; hovering names the point under the cursor; a click opens it.
 *  The legend lists the colour categories. */
class EmbeddingMap : public QCustomPlot {
    Q_OBJECT

public:
    enum class Mode { Pan, Box, Lasso };
    explicit EmbeddingMap(QWidget* parent = nullptr);

    /** Row-major (x, y) per point, its category, and the categories' names and colours. */
    void setPoints(std::vector<float> xy, const std::vector<int>& category, const QStringList& names, const std::vector<QRgb>& colours);
    void setCategories(const std::vector<int>& category, const QStringList& names, const std::vector<QRgb>& colours);
    void setMarked(std::vector<bool> marked);
    void setDimmed(std::vector<bool> dimmed);
    void setMode(Mode mode);
    void resetView();
    PointCloud& cloud() { return *cloud_; }

    /** Marks the points inside a polygon in widget coordinates, as a lasso does. */
    void markInside(const QPolygonF& polygon);

signals:
    void marked(const std::vector<std::size_t>& points);
    void hovered(long point);
    void clicked(long point);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void showLegend(const QStringList& names, const std::vector<QRgb>& colours);

    PointCloud* cloud_;
    Mode mode_ = Mode::Pan;
    QPolygonF path_;  ///< the box or lasso being drawn, in widget coordinates
    QPointF pressedAt_;
    bool dragging_ = false;
    bool moved_ = false;  ///< the pointer went further than a click's jitter since the press
};

}  // namespace amalgam

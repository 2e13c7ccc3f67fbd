#include "ui/views/embedding_map.h"


#include "ui/views/point_cloud.h"

namespace amalgam {
namespace {

/** A legend entry that is only a colour and a name. */
class SwatchLegendItem : public QCPAbstractLegendItem {
public:
    SwatchLegendItem(QCPLegend* legend, QColor colour, QString text)
        : QCPAbstractLegendItem(legend), colour_(std::move(colour)), text_(std::move(text)) {}

protected:
    void draw(QCPPainter* painter) override {
        const QRect r = mRect;
        const int side = QFontMetrics(mFont).height() - 4;
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour_);
        painter->drawRect(QRect(r.left(), r.top() + 2, side, side));
        painter->setPen(mTextColor);
        painter->setFont(mFont);
        painter->drawText(QRect(r.left() + side + 6, r.top(), r.width(), r.height()), Qt::AlignLeft | Qt::AlignVCenter, text_);
    }
    QSize minimumOuterSizeHint() const override {
        const QFontMetrics metrics(mFont);
        return QSize(metrics.height() + 6 + metrics.horizontalAdvance(text_), metrics.height()) +
               QSize(mMargins.left() + mMargins.right(), mMargins.top() + mMargins.bottom());
    }

private:
    QColor colour_;
    QString text_;
};

std::vector<QRgb> pointColours(const std::vector<int>& category, const std::vector<QRgb>& colours) {
    std::vector<QRgb> out(category.size());
    for (std::size_t i = 0; i < category.size(); ++i) out[i] = colours.at(static_cast<std::size_t>(category[i]));
    return out;
}

}  // namespace

EmbeddingMap::EmbeddingMap(QWidget* parent) : QCustomPlot(parent), cloud_(new PointCloud(xAxis, yAxis)) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
    setNoAntialiasingOnDrag(true);
    xAxis->setLabel(tr("PC 1"));
    yAxis->setLabel(tr("PC 2"));
    legend->setVisible(true);
    legend->setFont(QFont(font().family(), 8));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
}

void EmbeddingMap::setPoints(std::vector<float> xy, const std::vector<int>& category, const QStringList& names,
                             const std::vector<QRgb>& colours) {
    cloud_->setPoints(std::move(xy), pointColours(category, colours));
    showLegend(names, colours);
    resetView();
}

void EmbeddingMap::setCategories(const std::vector<int>& category, const QStringList& names, const std::vector<QRgb>& colours) {
    cloud_->setColours(pointColours(category, colours));
    showLegend(names, colours);
    replot();
}

void EmbeddingMap::showLegend(const QStringList& names, const std::vector<QRgb>& colours) {
    legend->clearItems();
    for (int i = 0; i < names.size(); ++i) legend->addItem(new SwatchLegendItem(legend, QColor(colours[static_cast<std::size_t>(i)]), names[i]));
}

void EmbeddingMap::setMarked(std::vector<bool> marked) {
    cloud_->setMarked(std::move(marked));
    replot();
}

void EmbeddingMap::setDimmed(std::vector<bool> dimmed) {
    cloud_->setDimmed(std::move(dimmed));
    replot();
}

void EmbeddingMap::setMode(Mode mode) {
    mode_ = mode;
    setInteraction(QCP::iRangeDrag, mode == Mode::Pan);
    setCursor(mode == Mode::Pan ? Qt::OpenHandCursor : Qt::CrossCursor);
}

void EmbeddingMap::resetView() {
    rescaleAxes();
    xAxis->scaleRange(1.08);
    yAxis->scaleRange(1.08);
    replot();
}

void EmbeddingMap::markInside(const QPolygonF& polygon) {
    std::vector<bool> inside(cloud_->size(), false);
    std::vector<std::size_t> points;
    const QRectF bounds = polygon.boundingRect();
    const PointCloud::PixelMapping toPixel = cloud_->pixelMapping();
    const std::vector<float>& xy = cloud_->xy();
    for (std::size_t i = 0; i < cloud_->size(); ++i) {
        const QPointF p = toPixel(xy[2 * i], xy[2 * i + 1]);
        if (bounds.contains(p) && polygon.containsPoint(p, Qt::OddEvenFill)) {
            inside[i] = true;
            points.push_back(i);
        }
    }
    setMarked(std::move(inside));
    emit marked(points);
}

void EmbeddingMap::mousePressEvent(QMouseEvent* event) {
    pressedAt_ = event->position();
    dragging_ = mode_ != Mode::Pan && event->button() == Qt::LeftButton;
    moved_ = false;
    path_ = QPolygonF{pressedAt_};
    QCustomPlot::mousePressEvent(event);
}

void EmbeddingMap::mouseMoveEvent(QMouseEvent* event) {
    const QPointF at = event->position();
    if (event->buttons() != Qt::NoButton && (at - pressedAt_).manhattanLength() >= 4) moved_ = true;
    if (dragging_) {
        if (mode_ == Mode::Box) path_ = QPolygonF(QRectF(pressedAt_, at).normalized());
        else path_ << at;
        update();
        return;
    }
    if (event->buttons() == Qt::NoButton) {
        const long point = cloud_->nearest(at, 6);
        emit hovered(point);
    }
    QCustomPlot::mouseMoveEvent(event);
}

void EmbeddingMap::mouseReleaseEvent(QMouseEvent* event) {
    const bool click = !moved_ && (event->position() - pressedAt_).manhattanLength() < 4;
    if (dragging_) {
        dragging_ = false;
        if (!click && path_.size() > 2) markInside(path_);
        path_.clear();
        update();
    }
    QCustomPlot::mouseReleaseEvent(event);
    if (click && event->button() == Qt::LeftButton) {
        const long point = cloud_->nearest(event->position(), 6);
        if (point >= 0) emit clicked(point);
    }
}

void EmbeddingMap::paintEvent(QPaintEvent* event) {
    QCustomPlot::paintEvent(event);
    if (path_.size() < 2) return;
    QPainter painter(this);
    painter.setPen(QPen(QColor(40, 40, 40), 1, Qt::DashLine));
    painter.setBrush(QColor(31, 119, 180, 40));
    painter.drawPolygon(path_);
}

}  // namespace amalgam

#include "ui/views/point_cloud.h"

#include <algorithm>
#include <limits>

namespace amalgam {

PointCloud::PointCloud(QCPAxis* keyAxis, QCPAxis* valueAxis) : QCPAbstractPlottable(keyAxis, valueAxis) {
    setSelectable(QCP::stNone);
}

void PointCloud::setPoints(std::vector<float> xy, std::vector<QRgb> colours) {
    xy_ = std::move(xy);
    colours_ = std::move(colours);
    marked_.assign(size(), false);
    dimmed_.clear();
}

void PointCloud::setColours(std::vector<QRgb> colours) { colours_ = std::move(colours); }

void PointCloud::setMarked(std::vector<bool> marked) {
    marked_ = std::move(marked);
    marked_.resize(size(), false);
}

void PointCloud::setDimmed(std::vector<bool> dimmed) { dimmed_ = std::move(dimmed); }

PointCloud::PixelMapping PointCloud::pixelMapping() const {
    const QPointF origin = coordsToPixels(0.0, 0.0), unit = coordsToPixels(1.0, 1.0);
    return {unit.x() - origin.x(), origin.x(), unit.y() - origin.y(), origin.y()};
}

QPointF PointCloud::pixelOf(std::size_t i) const { return pixelMapping()(xy_[2 * i], xy_[2 * i + 1]); }

long PointCloud::nearest(const QPointF& pixel, double radius) const {
    long best = -1;
    double bestDistance = radius * radius;
    const PixelMapping toPixel = pixelMapping();
    for (std::size_t i = 0; i < size(); ++i) {
        const QPointF d = toPixel(xy_[2 * i], xy_[2 * i + 1]) - pixel;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = static_cast<long>(i);
        }
    }
    return best;
}

double PointCloud::selectTest(const QPointF&, bool, QVariant*) const { return -1; }

QCPRange PointCloud::range(std::size_t offset) const {
    if (xy_.empty()) return QCPRange(0, 1);
    float low = std::numeric_limits<float>::max(), high = std::numeric_limits<float>::lowest();
    for (std::size_t i = offset; i < xy_.size(); i += 2) {
        low = std::min(low, xy_[i]);
        high = std::max(high, xy_[i]);
    }
    return QCPRange(low, high);
}

QCPRange PointCloud::getKeyRange(bool& foundRange, QCP::SignDomain) const {
    foundRange = !xy_.empty();
    return range(0);
}

QCPRange PointCloud::getValueRange(bool& foundRange, QCP::SignDomain, const QCPRange&) const {
    foundRange = !xy_.empty();
    return range(1);
}

void PointCloud::draw(QCPPainter* painter) {
    const QRect area = clipRect();
    if (area.isEmpty() || xy_.empty()) return;
    if (image_.size() != area.size()) image_ = QImage(area.size(), QImage::Format_ARGB32_Premultiplied);
    image_.fill(Qt::transparent);
    const int w = image_.width(), h = image_.height();
    const auto stride = static_cast<std::size_t>(image_.bytesPerLine() / 4);
    auto* bits = reinterpret_cast<QRgb*>(image_.bits());
    PixelMapping toImage = pixelMapping();
    toImage.ox -= area.left();
    toImage.oy -= area.top();
    auto square = [&](std::size_t i, int half, QRgb colour) {
        const QPointF at = toImage(xy_[2 * i], xy_[2 * i + 1]);
        const int cx = static_cast<int>(at.x()), cy = static_cast<int>(at.y());
        for (int y = std::max(0, cy - half); y <= std::min(h - 1, cy + half); ++y)
            for (int x = std::max(0, cx - half); x <= std::min(w - 1, cx + half); ++x) bits[static_cast<std::size_t>(y) * stride + x] = colour;
    };
    // Few points are drawn larger, so that a small map is still easy to read and to hit.
    const int half = size() <= 2000 ? 2 : 1;
    const bool anyDimmed = dimmed_.size() == size();
    auto faded = [](QRgb c) { return qRgb(170 + qRed(c) / 3, 170 + qGreen(c) / 3, 170 + qBlue(c) / 3); };
    if (anyDimmed)
        for (std::size_t i = 0; i < size(); ++i)
            if (dimmed_[i]) square(i, half, faded(colours_[i]));
    for (std::size_t i = 0; i < size(); ++i)
        if (!anyDimmed || !dimmed_[i]) square(i, half, colours_[i]);
    for (std::size_t i = 0; i < size(); ++i)
        if (marked_[i]) {
            square(i, half + 2, qRgb(20, 20, 20));
            square(i, half + 1, colours_[i]);
        }
    painter->drawImage(area.topLeft(), image_);
}

void PointCloud::drawLegendIcon(QCPPainter*, const QRectF&) const {}

}  // namespace amalgam

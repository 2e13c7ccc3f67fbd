#pragma once

#include <vector>

#include <qcustomplot.h>

namespace amalgam {

/** Many points in one plottable, each with its own colour, drawn straight into an image the
 *  size of the axis rect: 100k points cost a few milliseconds per frame, where one
 *  QCPGraph per colour with scatter symbols costs far more. Dimmed points are drawn first,
 *  faded; marked points last, larger and outlined. */
class PointCloud : public QCPAbstractPlottable {
public:
    explicit PointCloud(QCPAxis* keyAxis, QCPAxis* valueAxis);

    /** Row-major (x, y) pairs and a colour per point. */
    void setPoints(std::vector<float> xy, std::vector<QRgb> colours);
    void setColours(std::vector<QRgb> colours);
    void setMarked(std::vector<bool> marked);
    /** Points to fade (empty: none). */
    void setDimmed(std::vector<bool> dimmed);
    const std::vector<bool>& dimmed() const { return dimmed_; }
    const std::vector<float>& xy() const { return xy_; }
    const std::vector<QRgb>& colours() const { return colours_; }
    std::size_t size() const { return xy_.size() / 2; }

    /** Where the axes put data coordinates now, as one multiply-add per coordinate: the map's
     *  axes are linear. */
    struct PixelMapping {
        double sx, ox, sy, oy;
        QPointF operator()(float x, float y) const { return {ox + sx * x, oy + sy * y}; }
    };
    PixelMapping pixelMapping() const;

    /** The point nearest to a widget position within `radius` pixels, or -1. */
    long nearest(const QPointF& pixel, double radius) const;
    QPointF pixelOf(std::size_t i) const;

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;
    QCPRange getKeyRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth) const override;
    QCPRange getValueRange(bool& foundRange, QCP::SignDomain inSignDomain = QCP::sdBoth,
                           const QCPRange& inKeyRange = QCPRange()) const override;

protected:
    void draw(QCPPainter* painter) override;
    void drawLegendIcon(QCPPainter* painter, const QRectF& rect) const override;

private:
    QCPRange range(std::size_t offset) const;
    std::vector<float> xy_;
    std::vector<QRgb> colours_;
    std::vector<bool> marked_;
    std::vector<bool> dimmed_;
    QImage image_;
};

}  // namespace amalgam

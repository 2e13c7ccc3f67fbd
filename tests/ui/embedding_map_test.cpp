#include <gtest/gtest.h>

#include <QApplication>
#include <QMouseEvent>

#include "ui/views/embedding_map.h"
#include "ui/views/palette.h"
#include "ui/views/point_cloud.h"

namespace amalgam {
namespace {

void send(QWidget& w, QEvent::Type type, QPointF at, Qt::MouseButton button, Qt::MouseButtons buttons) {
    QMouseEvent event(type, at, w.mapToGlobal(at), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(&w, &event);
}

void drag(QWidget& w, const std::vector<QPointF>& path) {
    send(w, QEvent::MouseButtonPress, path.front(), Qt::LeftButton, Qt::LeftButton);
    for (std::size_t i = 1; i < path.size(); ++i) send(w, QEvent::MouseMove, path[i], Qt::NoButton, Qt::LeftButton);
    send(w, QEvent::MouseButtonRelease, path.back(), Qt::LeftButton, Qt::NoButton);
}

class EmbeddingMapTest : public ::testing::Test {
protected:
    void SetUp() override {
        map.resize(600, 500);
        // Four corners of a square and its centre; categories 0, 0, 1, 1, 2.
        map.setPoints({0, 0, 1, 0, 0, 1, 1, 1, 0.5f, 0.5f}, {0, 0, 1, 1, 2}, {"a", "b", "c"},
                      {categoryColour(0), categoryColour(1), categoryColour(2)});
        map.show();
        QObject::connect(&map, &EmbeddingMap::hovered, [this](long p) { hovered = p; });
        QObject::connect(&map, &EmbeddingMap::clicked, [this](long p) { clicked = p; });
        QObject::connect(&map, &EmbeddingMap::marked, [this](const std::vector<std::size_t>& p) { marked = p; });
    }
    EmbeddingMap map;
    long hovered = -2, clicked = -2;
    std::vector<std::size_t> marked{99};
};

TEST_F(EmbeddingMapTest, HoverAndClickFindThePointUnderTheCursor) {
    const QPointF centre = map.cloud().pixelOf(4);
    send(map, QEvent::MouseMove, centre + QPointF(2, -2), Qt::NoButton, Qt::NoButton);
    EXPECT_EQ(hovered, 4);
    send(map, QEvent::MouseMove, centre + QPointF(40, 0), Qt::NoButton, Qt::NoButton);
    EXPECT_EQ(hovered, -1);  // nothing within 6 pixels
    drag(map, {map.cloud().pixelOf(1), map.cloud().pixelOf(1)});
    EXPECT_EQ(clicked, 1);
    EXPECT_EQ(map.legend->itemCount(), 3);
}

TEST_F(EmbeddingMapTest, BoxAndLassoMarkWhatTheyEnclose) {
    map.setMode(EmbeddingMap::Mode::Box);
    const QPointF a = map.cloud().pixelOf(0), d = map.cloud().pixelOf(3), centre = map.cloud().pixelOf(4);
    // A box from just outside point 0 to just past the centre holds points 0 and 4.
    drag(map, {a + QPointF(-5, 5), (a + centre) / 2, centre + QPointF(5, -5)});
    EXPECT_EQ(marked, (std::vector<std::size_t>{0, 4}));

    map.setMode(EmbeddingMap::Mode::Lasso);
    // A triangle around the top-right corner (point 3) only.
    drag(map, {d + QPointF(-20, -10), d + QPointF(10, -10), d + QPointF(10, 20), d + QPointF(-20, -10)});
    EXPECT_EQ(marked, (std::vector<std::size_t>{3}));

    // Panning moves the view, marks nothing.
    map.setMode(EmbeddingMap::Mode::Pan);
    const double before = map.xAxis->range().lower;
    marked = {99};
    drag(map, {centre, centre + QPointF(50, 0), centre + QPointF(100, 0)});
    EXPECT_EQ(marked, (std::vector<std::size_t>{99}));
    EXPECT_LT(map.xAxis->range().lower, before);
}

}  // namespace
}  // namespace amalgam

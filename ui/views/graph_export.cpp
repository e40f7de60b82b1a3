// See graph_export.h; also the headless exportGraphImage() of graph_view.h.
#include "ui/views/graph_export.h"

#include <algorithm>
#include <cmath>

#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include "ui/views/graph_scene.h"
#include "ui/views/graph_view.h"

namespace gs::ui {

namespace {
constexpr double kPreferredScale = 2.0; // sharp text on high-density screens and when zoomed in
constexpr double kMaxSide = 32000.0;    // QPainter's raster engine limit is 32767
// 122 MiB of ARGB32: under the 128 MiB QImageReader accepts by default, so Qt programs can open it too.
constexpr double kMaxPixels = 32.0e6;
constexpr double kItemMargin = 8.0; // white space between the outermost item (a label, say) and the border

void setError(QString* error, const QString& text) {
  if (error) *error = text;
}

// Item caches would end up in the file as bitmaps (SVG) or at the wrong scale (PNG).
class CacheOff {
public:
  explicit CacheOff(QGraphicsScene& scene) {
    for (QGraphicsItem* item : scene.items())
      if (item->cacheMode() != QGraphicsItem::NoCache) {
        m_items.push_back({item, item->cacheMode()});
        item->setCacheMode(QGraphicsItem::NoCache);
      }
  }
  ~CacheOff() {
    for (const auto& [item, mode] : m_items)
      item->setCacheMode(mode);
  }
  CacheOff(const CacheOff&) = delete;
  CacheOff& operator=(const CacheOff&) = delete;

private:
  std::vector<std::pair<QGraphicsItem*, QGraphicsItem::CacheMode>> m_items;
};

} // namespace

QSize pngExportSize(QSizeF s) {
  if (s.isEmpty()) return {1, 1};
  double scale = kPreferredScale;
  scale = std::min(scale, kMaxSide / s.width());
  scale = std::min(scale, kMaxSide / s.height());
  scale = std::min(scale, std::sqrt(kMaxPixels / (s.width() * s.height())));
  return QSize(std::max(1, static_cast<int>(std::floor(s.width() * scale))),
               std::max(1, static_cast<int>(std::floor(s.height() * scale))));
}

QRectF exportSourceRect(const QGraphicsScene& scene) {
  const QRectF items = scene.itemsBoundingRect();
  if (items.isEmpty()) return scene.sceneRect();
  // Whole units, so the SVG's integer size and its view box agree and nothing is scaled.
  return QRectF(
      scene.sceneRect().united(items.adjusted(-kItemMargin, -kItemMargin, kItemMargin, kItemMargin)).toAlignedRect());
}

bool renderSceneToFile(QGraphicsScene& scene, const QString& path, const QString& title, QString* error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  // Items are all there by now (callers populate first), so their bounding rects are final.
  const QRectF source = exportSourceRect(scene);
  if (source.isEmpty()) {
    setError(error, QStringLiteral("there is no graph to export"));
    return false;
  }
  CacheOff cacheOff(scene);
  if (suffix == QLatin1String("svg")) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(source.size().toSize());
    svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
    svg.setTitle(title);
    svg.setDescription(QStringLiteral("Model graph exported by GearStudio"));
    QPainter p;
    if (!p.begin(&svg)) {
      setError(error, QStringLiteral("cannot write '%1'").arg(path));
      return false;
    }
    p.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    scene.render(&p, QRectF(QPointF(0, 0), source.size()), source);
    p.end();
  } else if (suffix == QLatin1String("png")) {
    const QSize size = pngExportSize(source.size());
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) {
      setError(error, QStringLiteral("not enough memory for a %1x%2 image").arg(size.width()).arg(size.height()));
      return false;
    }
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    scene.render(&p, QRectF(image.rect()), source);
    p.end();
    if (!image.save(path, "PNG")) {
      setError(error, QStringLiteral("cannot write '%1'").arg(path));
      return false;
    }
  } else {
    setError(error, QStringLiteral("unknown image type '%1': use .png or .svg").arg(suffix));
    return false;
  }
  if (QFileInfo(path).size() <= 0) {
    setError(error, QStringLiteral("'%1' came out empty").arg(path));
    return false;
  }
  return true;
}

namespace {

bool exportShared(std::shared_ptr<const ir::Graph> graph, int64_t opset, const QString& path, QString* error) {
  const TextMetrics metrics = TextMetrics::measure();
  DisplayOptions options;
  options.inferOpset = opset;
  auto built = buildDisplayGraph(std::move(graph), metrics, options);
  if (!built) {
    setError(error, QString::fromStdString(built.error().str()));
    return false;
  }
  GraphScene scene;
  scene.setDisplayGraph(*built, &metrics);
  scene.populateAll();
  return renderSceneToFile(scene, path, QFileInfo(path).completeBaseName(), error);
}

} // namespace

bool exportGraphImage(const ir::Graph& graph, const QString& path, QString* error) {
  // Synchronous: the graph outlives the call, so a non-owning pointer will do.
  return exportShared(std::shared_ptr<const ir::Graph>(&graph, [](const ir::Graph*) {}), 0, path, error);
}

bool exportGraphImage(const ir::Model& model, const QString& path, QString* error) {
  return exportShared(std::shared_ptr<const ir::Graph>(&model.graph, [](const ir::Graph*) {}), model.onnxOpset(), path,
                      error);
}

} // namespace gs::ui

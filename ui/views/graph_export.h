// Writing the graph scene to an image: SVG (vector, via QSvgGenerator) or PNG (rendered at a scale that
// keeps text readable, capped so the bitmap stays a sensible size).
#pragma once

#include <QRectF>
#include <QSize>
#include <QString>

class QGraphicsScene;

namespace gs::ui {

// The PNG size used for a scene of the given size (scene units): 2x where it fits, less for huge scenes.
QSize pngExportSize(QSizeF sceneSize);

// The part of the scene an export shows: the scene rect grown to hold every item's bounding rect with a
// margin around it (edge labels beside the rightmost edges stick out past the layout's extent).
QRectF exportSourceRect(const QGraphicsScene& scene);

// Renders exportSourceRect(scene) to path (.png or .svg by suffix, case-insensitive).
bool renderSceneToFile(QGraphicsScene& scene, const QString& path, const QString& title, QString* error);

} // namespace gs::ui

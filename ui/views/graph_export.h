// Writing the graph scene to an image: SVG (vector, via QSvgGenerator) or PNG (rendered at a scale that
// keeps text readable, capped so the bitmap stays a sensible size).
#pragma once

#include <QSize>
#include <QString>

class QGraphicsScene;

namespace gs::ui {

// The PNG size used for a scene of the given size (scene units): 2x where it fits, less for huge scenes.
QSize pngExportSize(QSizeF sceneSize);

// Renders the scene's whole sceneRect to path (.png or .svg by suffix, case-insensitive).
bool renderSceneToFile(QGraphicsScene& scene, const QString& path, const QString& title, QString* error);

} // namespace gs::ui

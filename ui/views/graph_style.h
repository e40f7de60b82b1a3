// The graph view's look: node categories and their colours (after Netron's, which users know), fonts
// and box geometry. Shared by the display-graph builder (sizes) and the scene items (painting).
#pragma once

#include <string_view>

#include <QColor>
#include <QFont>

namespace gs::ui::graph_style {

enum class Category { Layer, Activation, Pool, Normalization, Dropout, Shape, Tensor, Math, Control, Other };

Category categoryOf(std::string_view opType);
QColor categoryColor(Category c);
const char* categoryName(Category c);

// Fonts: op type (bold), node rows, edge labels.
QFont titleFont();
QFont rowFont();
QFont labelFont();

// Box geometry, in scene units (pixels at 100 %).
inline constexpr double kPadX = 8;         // text inset left and right
inline constexpr double kTitleHeight = 20; // op type header
inline constexpr double kRowHeight = 14;   // one attribute or constant row
inline constexpr double kRowsPadY = 4;     // above and below the rows block
inline constexpr double kRowGap = 8;       // between a row's key and its value
inline constexpr double kMinOpWidth = 44;
inline constexpr double kIoHeight = 24; // graph input / output pill
inline constexpr double kIoPadX = 12;
inline constexpr double kCornerRadius = 5;
inline constexpr int kMaxRows = 8;        // rows shown per node (the properties panel has the rest)
inline constexpr int kMaxValueChars = 28; // longer row values are elided
// Below this zoom, boxes are plain fills and edges plain polylines; at or above it, nodes cache their
// rendering (text is what costs), below it caching would only churn pixmaps.
inline constexpr double kDetailZoom = 0.35;
inline constexpr double kLabelZoom = 0.6; // edge labels from this zoom on

inline const QColor kBorder{0x6b, 0x6b, 0x6b};
inline const QColor kRowsFill{0xfc, 0xfc, 0xfc};
inline const QColor kRowKey{0x70, 0x70, 0x70};
inline const QColor kRowValue{0x20, 0x20, 0x20};
inline const QColor kIoFill{0xee, 0xee, 0xee};
inline const QColor kEdge{0x55, 0x55, 0x55};
inline const QColor kEdgeLabel{0x40, 0x40, 0x40};
inline const QColor kSelection{0xff, 0x8c, 0x00};
inline const QColor kBackground{0xff, 0xff, 0xff};

} // namespace gs::ui::graph_style

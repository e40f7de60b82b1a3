// See graph_style.h. Categories follow the ONNX operator groups Netron colours (layer, activation,
// pool, normalization, shape, tensor); plain arithmetic gets its own dark grey.
#include "ui/views/graph_style.h"

#include <string>
#include <unordered_map>

namespace gs::ui::graph_style {

Category categoryOf(std::string_view opType) {
  static const std::unordered_map<std::string_view, Category> table = [] {
    std::unordered_map<std::string_view, Category> t;
    auto add = [&t](Category c, std::initializer_list<std::string_view> ops) {
      for (auto op : ops)
        t.emplace(op, c);
    };
    add(Category::Layer, {"Conv", "ConvTranspose", "ConvInteger", "QLinearConv", "Gemm", "MatMul", "MatMulInteger",
                          "QLinearMatMul", "LSTM", "GRU", "RNN", "Einsum", "DeformConv",
                          // GearStudio's fused ops (ai.gearstudio)
                          "FusedConv", "FusedConvTranspose", "FusedGemm", "FusedMatMul"});
    add(Category::Activation,
        {"Relu",    "LeakyRelu", "PRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",     "Elu",  "Selu",
         "Celu",    "Gelu",      "Mish",  "Softmax", "LogSoftmax",  "Softplus",  "Softsign", "Clip", "ThresholdedRelu",
         "Hardmax", "Swish"});
    add(Category::Pool,
        {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool", "MaxRoiPool",
         "RoiAlign", "MaxUnpool", "NhwcMaxPool", "NhwcAveragePool", "NhwcGlobalAveragePool", "NhwcGlobalMaxPool"});
    add(Category::Normalization, {"BatchNormalization", "InstanceNormalization", "LayerNormalization",
                                  "GroupNormalization", "LpNormalization", "LRN", "MeanVarianceNormalization"});
    add(Category::Dropout, {"Dropout"});
    add(Category::Shape, {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Shape", "Size", "Expand", "Tile",
                          "Resize", "Upsample", "Pad", "DepthToSpace", "SpaceToDepth"});
    add(Category::Tensor,
        {"Concat",          "Split",     "Slice",    "Gather",   "GatherElements", "GatherND",        "Scatter",
         "ScatterElements", "ScatterND", "Identity", "Cast",     "CastLike",       "ConstantOfShape", "Constant",
         "Where",           "TopK",      "NonZero",  "Compress", "OneHot",         "Range",           "Unique",
         "ReverseSequence", "Trilu",     "EyeLike"});
    add(Category::Math, {"Add",
                         "Sub",
                         "Mul",
                         "Div",
                         "Pow",
                         "Sqrt",
                         "Exp",
                         "Log",
                         "Abs",
                         "Neg",
                         "Reciprocal",
                         "Floor",
                         "Ceil",
                         "Round",
                         "Sum",
                         "Mean",
                         "Max",
                         "Min",
                         "Erf",
                         "Sin",
                         "Cos",
                         "Tan",
                         "Sign",
                         "Mod",
                         "ArgMax",
                         "ArgMin",
                         "CumSum",
                         "ReduceMean",
                         "ReduceSum",
                         "ReduceMax",
                         "ReduceMin",
                         "ReduceProd",
                         "ReduceL1",
                         "ReduceL2",
                         "ReduceLogSum",
                         "ReduceLogSumExp",
                         "ReduceSumSquare",
                         "Equal",
                         "Less",
                         "LessOrEqual",
                         "Greater",
                         "GreaterOrEqual",
                         "And",
                         "Or",
                         "Xor",
                         "Not",
                         "IsNaN",
                         "IsInf",
                         "BitShift"});
    add(Category::Control, {"If", "Loop", "Scan"});
    return t;
  }();
  const auto it = table.find(opType);
  return it == table.end() ? Category::Other : it->second;
}

QColor categoryColor(Category c) {
  switch (c) {
  case Category::Layer:
    return {0x33, 0x55, 0x88};
  case Category::Activation:
    return {0x70, 0x29, 0x21};
  case Category::Pool:
    return {0x33, 0x55, 0x33};
  case Category::Normalization:
    return {0x33, 0x55, 0x44};
  case Category::Dropout:
    return {0x45, 0x47, 0x70};
  case Category::Shape:
    return {0x6c, 0x4f, 0x47};
  case Category::Tensor:
    return {0x59, 0x42, 0x3b};
  case Category::Math:
    return {0x3a, 0x3a, 0x3a};
  case Category::Control:
    return {0x5b, 0x3a, 0x70};
  case Category::Other:
    break;
  }
  return {0x1c, 0x1c, 0x1c};
}

const char* categoryName(Category c) {
  switch (c) {
  case Category::Layer:
    return "layer";
  case Category::Activation:
    return "activation";
  case Category::Pool:
    return "pool";
  case Category::Normalization:
    return "normalization";
  case Category::Dropout:
    return "dropout";
  case Category::Shape:
    return "shape";
  case Category::Tensor:
    return "tensor";
  case Category::Math:
    return "math";
  case Category::Control:
    return "control";
  case Category::Other:
    break;
  }
  return "other";
}

namespace {
QFont baseFont(int pixelSize, bool bold) {
  QFont f(QStringLiteral("Sans Serif"));
  f.setStyleHint(QFont::SansSerif);
  f.setPixelSize(pixelSize);
  f.setBold(bold);
  // Kerning and hinting would make the precomputed widths disagree with what is painted.
  f.setKerning(false);
  f.setHintingPreference(QFont::PreferNoHinting);
  return f;
}
} // namespace

QFont titleFont() { return baseFont(11, true); }
QFont rowFont() { return baseFont(10, false); }
QFont labelFont() { return baseFont(9, false); }

} // namespace gs::ui::graph_style

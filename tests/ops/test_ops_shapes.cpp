// Unit tests of the shape functions, family by family: broadcasting, conv/pool geometry, reshape,
// slice, gather/scatter, resize, squeeze/unsqueeze in both opset styles, attribute errors.
#include <QtTest>

#include <limits>

#include "ops_test_util.h"

using namespace gs;
using namespace gs::ops;
using namespace gs::ops::testutil;

#define EXPECT_SHAPE(res, i, text)                                                                                     \
  do {                                                                                                                 \
    const auto& r_ = (res);                                                                                            \
    QVERIFY2(r_.status.has_value(), r_.status ? "" : r_.status.error().message.c_str());                               \
    QCOMPARE(QString::fromStdString(r_.shape(i)), QString(text));                                                      \
  } while (0)

#define EXPECT_INVALID(res, needle)                                                                                    \
  do {                                                                                                                 \
    const auto& r_ = (res);                                                                                            \
    QVERIFY2(!r_.status.has_value(), "expected an error");                                                             \
    QCOMPARE(QString::fromStdString(r_.status.error().code), QString(codes::kInvalid));                                \
    QVERIFY2(r_.status.error().message.find(needle) != std::string::npos, r_.status.error().message.c_str());          \
    QVERIFY2(r_.status.error().message.find("'n0'") != std::string::npos, r_.status.error().message.c_str());          \
  } while (0)

class TestOpsShapes : public QObject {
  Q_OBJECT

private slots:
  void broadcasting() {
    EXPECT_SHAPE(infer("Add", {f32("2,3,4"), f32("4")}), 0, "[2,3,4]");
    EXPECT_SHAPE(infer("Mul", {f32("N,1,4"), f32("3,1")}), 0, "[N,3,4]");
    EXPECT_SHAPE(infer("Sub", {f32("N,3"), f32("1,3")}), 0, "[N,3]");
    EXPECT_SHAPE(infer("Div", {f32("N,3"), f32("N,1")}), 0, "[N,3]");
    EXPECT_SHAPE(infer("Add", {f32(""), f32("5,2")}), 0, "[5,2]");
    EXPECT_SHAPE(infer("Add", {f32("*"), f32("5,2")}), 0, "[?...]");
    // Two different symbols cannot be named: a fresh one.
    auto r = infer("Add", {f32("N,3"), f32("M,3")});
    QVERIFY(r.status);
    QVERIFY(r.outputs[0].shape.dims[0].isSymbolic());
    QVERIFY(r.outputs[0].shape.dims[0].symbol != "N" && r.outputs[0].shape.dims[0].symbol != "M");
    EXPECT_INVALID(infer("Add", {f32("2,3"), f32("4,3")}), "broadcast");
    // Comparisons give bool; Where takes its dtype from X; variadic ops broadcast all inputs.
    auto eq = infer("Equal", {f32("2,1"), f32("1,5")});
    EXPECT_SHAPE(eq, 0, "[2,5]");
    QCOMPARE(eq.outputs[0].dtype, ir::DataType::Bool);
    In cond{ir::DataType::Bool, S("3,1"), std::nullopt, false};
    auto w = infer("Where", {cond, i64("1,4"), i64("3,4")});
    EXPECT_SHAPE(w, 0, "[3,4]");
    QCOMPARE(w.outputs[0].dtype, ir::DataType::Int64);
    EXPECT_SHAPE(infer("Sum", {f32("3"), f32("2,1"), f32("N,1,1")}), 0, "[N,2,3]");
    EXPECT_SHAPE(infer("PRelu", {f32("1,8,4,4"), f32("8,1,1")}), 0, "[1,8,4,4]");
    // Before opset 7 a 1-D slope of dim 1's size is per channel, not numpy-broadcast.
    EXPECT_SHAPE(infer("PRelu", {f32("2,3,4"), f32("3")}, {}, 6), 0, "[2,3,4]");
    EXPECT_INVALID(infer("PRelu", {f32("2,3,4"), f32("3")}), "broadcast");
  }

  void unaryAndCast() {
    EXPECT_SHAPE(infer("Relu", {f32("N,C,7")}), 0, "[N,C,7]");
    auto c = infer("Cast", {f32("2,N")}, attrs({{"to", A::ofInt(7)}}));
    EXPECT_SHAPE(c, 0, "[2,N]");
    QCOMPARE(c.outputs[0].dtype, ir::DataType::Int64);
    EXPECT_INVALID(infer("Cast", {f32("2")}, attrs({{"to", A::ofInt(99)}})), "'to'");
    auto cl = infer("CastLike", {f32("2"), i64("")}, {}, 15);
    QCOMPARE(cl.outputs[0].dtype, ir::DataType::Int64);
    auto isnan = infer("IsNaN", {f32("3,N")});
    QCOMPARE(isnan.outputs[0].dtype, ir::DataType::Bool);
    EXPECT_SHAPE(infer("Clip", {f32("4,N"), floats({0}), floats({6})}, {}, 11), 0, "[4,N]");
    EXPECT_INVALID(infer("Clip", {f32("4"), floats({0, 1}), none()}, {}, 11), "scalar");
  }

  void convOutputSizes() {
    auto conv = [](const std::string& x, const std::string& w, ir::Attributes a) {
      return infer("Conv", {f32(x), f32(w)}, a);
    };
    EXPECT_SHAPE(
        conv("1,3,224,224", "64,3,7,7", attrs({{"strides", A::ofInts({2, 2})}, {"pads", A::ofInts({3, 3, 3, 3})}})), 0,
        "[1,64,112,112]");
    EXPECT_SHAPE(conv("N,3,32,32", "8,3,3,3", attrs({{"dilations", A::ofInts({2, 2})}})), 0, "[N,8,28,28]");
    EXPECT_SHAPE(conv("1,3,225,225", "8,3,3,3",
                      attrs({{"auto_pad", A::ofString("SAME_UPPER")}, {"strides", A::ofInts({2, 2})}})),
                 0, "[1,8,113,113]");
    EXPECT_SHAPE(conv("1,3,10,10", "8,3,3,3", attrs({{"auto_pad", A::ofString("SAME_LOWER")}})), 0, "[1,8,10,10]");
    EXPECT_SHAPE(
        conv("1,3,10,11", "8,3,3,3", attrs({{"auto_pad", A::ofString("VALID")}, {"strides", A::ofInts({2, 2})}})), 0,
        "[1,8,4,5]");
    // Depthwise, 1-D, and a 1x1 conv keeps symbolic spatial dims.
    EXPECT_SHAPE(conv("1,32,20,20", "32,1,3,3", attrs({{"group", A::ofInt(32)}, {"pads", A::ofInts({1, 1, 1, 1})}})), 0,
                 "[1,32,20,20]");
    EXPECT_SHAPE(conv("2,4,50", "6,4,5", {}), 0, "[2,6,46]");
    EXPECT_SHAPE(conv("N,16,H,W", "32,16,1,1", {}), 0, "[N,32,H,W]");
    auto unnamed = conv("N,16,H,W", "32,16,3,3", {});
    QVERIFY(unnamed.status);
    QVERIFY(unnamed.outputs[0].shape.dims[2].isSymbolic() && unnamed.outputs[0].shape.dims[2].symbol != "H");
    // Attribute checks name the attribute.
    EXPECT_INVALID(conv("1,3,8,8", "8,3,3,3", attrs({{"kernel_shape", A::ofInts({3, 3, 3})}})), "kernel_shape");
    EXPECT_INVALID(conv("1,3,8,8", "8,3,3,3", attrs({{"kernel_shape", A::ofInts({5, 5})}})), "kernel_shape");
    EXPECT_INVALID(conv("1,4,8,8", "8,3,3,3", {}), "group");
    EXPECT_INVALID(conv("1,3,8,8", "8,3,3,3", attrs({{"pads", A::ofInts({1, 1})}})), "pads");
    EXPECT_INVALID(conv("1,3,8,8", "8,3,3,3", attrs({{"strides", A::ofInts({1})}})), "strides");
    EXPECT_INVALID(conv("1,3,2,2", "8,3,3,3", {}), "larger");
    EXPECT_INVALID(infer("Conv", {f32("1,3,8,8"), f32("8,3,3,3"), f32("9")}), "bias");
  }

  void fusedConvForms() {
    const std::string fusedConv = "ai.gearstudio.FusedConv";
    auto act = attrs({{"activation", A::ofString("Relu")}});
    // X, W, B, Z and X, W, (no B), Z: the residual Z is always input 3.
    EXPECT_SHAPE(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3"), f32("4"), f32("1,4,6,6")}, act), 0, "[1,4,6,6]");
    EXPECT_SHAPE(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3"), none(), f32("N,4,6,6")}, act), 0, "[1,4,6,6]");
    auto bad = infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3"), f32("4"), f32("1,4,5,6")}, act);
    EXPECT_INVALID(bad, "residual Z");
    // The schema: known attributes of the right kind, known activations, a valid layout, <= 4 inputs.
    EXPECT_INVALID(
        infer("ai.gearstudio.FusedGemm", {f32("2,3"), f32("3,4")}, attrs({{"activation", A::ofString("Swish")}})),
        "activation");
    EXPECT_INVALID(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3")}, attrs({{"gs_activation", A::ofString("Relu")}})),
                   "gs_activation");
    EXPECT_INVALID(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3")}, attrs({{"activation", A::ofInt(1)}})),
                   "activation");
    EXPECT_INVALID(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3")}, attrs({{"layout", A::ofString("NCWH")}})),
                   "layout");
    EXPECT_INVALID(
        infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3")}, attrs({{"activation_params", A::ofFloats({0.1f})}})),
        "activation_params");
    EXPECT_INVALID(infer(fusedConv, {f32("1,3,8,8"), f32("4,3,3,3"), f32("4"), f32("1,4,6,6"), f32("4")}, act),
                   "at most 4 inputs");
    EXPECT_SHAPE(
        infer("ai.gearstudio.FusedMatMul", {f32("B,2,3"), f32("3,4")}, attrs({{"activation", A::ofString("Tanh")}})), 0,
        "[B,2,4]");
    // Channels-last ops translate: NHWC in, NHWC out.
    EXPECT_SHAPE(infer(fusedConv, {f32("1,8,8,3"), f32("4,3,3,3")}, attrs({{"layout", A::ofString("NHWC")}})), 0,
                 "[1,6,6,4]");
    EXPECT_SHAPE(infer("ai.gearstudio.NhwcMaxPool", {f32("N,8,8,3")},
                       attrs({{"kernel_shape", A::ofInts({2, 2})}, {"strides", A::ofInts({2, 2})}})),
                 0, "[N,4,4,3]");
    EXPECT_SHAPE(infer("ai.gearstudio.NhwcGlobalAveragePool", {f32("2,5,7,3")}), 0, "[2,1,1,3]");
    EXPECT_INVALID(infer("ai.gearstudio.NhwcMaxPool", {f32("1,8,8,3")}), "kernel_shape");
  }

  void convTranspose() {
    auto a = attrs(
        {{"strides", A::ofInts({2, 2})}, {"pads", A::ofInts({1, 1, 1, 1})}, {"output_padding", A::ofInts({1, 1})}});
    EXPECT_SHAPE(infer("ConvTranspose", {f32("1,16,14,14"), f32("16,8,3,3")}, a), 0, "[1,8,28,28]");
    EXPECT_SHAPE(infer("ConvTranspose", {f32("1,16,14,14"), f32("16,4,2,2")},
                       attrs({{"strides", A::ofInts({2, 2})}, {"group", A::ofInt(2)}})),
                 0, "[1,8,28,28]");
    EXPECT_SHAPE(infer("ConvTranspose", {f32("1,16,5,5"), f32("16,8,3,3")},
                       attrs({{"strides", A::ofInts({3, 2})}, {"auto_pad", A::ofString("SAME_UPPER")}})),
                 0, "[1,8,15,10]");
    EXPECT_SHAPE(infer("ConvTranspose", {f32("1,16,5,5"), f32("16,8,3,3")},
                       attrs({{"strides", A::ofInts({2, 2})}, {"output_shape", A::ofInts({10, 11})}})),
                 0, "[1,8,10,11]");
  }

  void poolOutputSizes() {
    auto pool = [](const char* op, const std::string& x, ir::Attributes a) { return infer(op, {f32(x)}, a, 17, 2); };
    auto k2s2 = attrs({{"kernel_shape", A::ofInts({2, 2})}, {"strides", A::ofInts({2, 2})}});
    EXPECT_SHAPE(pool("MaxPool", "1,3,5,5", k2s2), 0, "[1,3,2,2]");
    auto ceil = k2s2;
    ceil.set("ceil_mode", A::ofInt(1));
    EXPECT_SHAPE(pool("MaxPool", "1,3,5,5", ceil), 0, "[1,3,3,3]");
    auto mp = pool("MaxPool", "1,3,5,5", ceil);
    EXPECT_SHAPE(mp, 1, "[1,3,3,3]");
    QCOMPARE(mp.outputs[1].dtype, ir::DataType::Int64);
    auto same = attrs(
        {{"kernel_shape", A::ofInts({3, 3})}, {"strides", A::ofInts({2, 2})}, {"auto_pad", A::ofString("SAME_LOWER")}});
    EXPECT_SHAPE(pool("AveragePool", "1,3,7,8", same), 0, "[1,3,4,4]");
    auto padded = attrs({{"kernel_shape", A::ofInts({3, 3})}, {"pads", A::ofInts({1, 1, 1, 1})}});
    EXPECT_SHAPE(pool("AveragePool", "N,3,7,8", padded), 0, "[N,3,7,8]");
    auto dil = attrs({{"kernel_shape", A::ofInts({2, 2})}, {"dilations", A::ofInts({2, 2})}});
    EXPECT_SHAPE(pool("MaxPool", "1,1,4,4", dil), 0, "[1,1,2,2]");
    EXPECT_INVALID(pool("AveragePool", "1,1,4,4", dil), "dilations"); // AveragePool-17 has none
    EXPECT_INVALID(pool("MaxPool", "1,1,4,4", {}), "kernel_shape");
    EXPECT_SHAPE(infer("GlobalAveragePool", {f32("N,64,H,W")}), 0, "[N,64,1,1]");
  }

  void reshapeVariants() {
    EXPECT_SHAPE(infer("Reshape", {f32("2,3,4"), ints({0, -1})}), 0, "[2,12]");
    EXPECT_SHAPE(infer("Reshape", {f32("N,3,4"), ints({0, -1})}), 0, "[N,12]");
    EXPECT_SHAPE(infer("Reshape", {f32("N,3,4"), ints({0, 2, 6})}), 0, "[N,2,6]");
    EXPECT_SHAPE(infer("Reshape", {f32("2,3,4"), ints({-1})}), 0, "[24]");
    EXPECT_SHAPE(infer("Reshape", {f32("0,3"), ints({0, 3})}, attrs({{"allowzero", A::ofInt(1)}}), 14), 0, "[0,3]");
    EXPECT_SHAPE(infer("Reshape", {f32("2,3,4"), ints({0, 12})}, {}, 13), 0, "[2,12]"); // 0 copies without allowzero
    auto unknown = infer("Reshape", {f32("N,3,4"), ints({-1, 4})});
    QVERIFY(unknown.status);
    QVERIFY(unknown.outputs[0].shape.dims[0].isSymbolic());
    QCOMPARE(unknown.outputs[0].shape.dims[1].value, int64_t{4});
    EXPECT_INVALID(infer("Reshape", {f32("2,3,4"), ints({-1, -1})}), "-1");
    EXPECT_INVALID(infer("Reshape", {f32("2,3,4"), ints({5, -1})}), "cannot reshape");
    EXPECT_INVALID(infer("Reshape", {f32("2,3,4"), ints({7, 2})}), "cannot reshape");
    EXPECT_INVALID(infer("Reshape", {f32("2,3"), ints({0, -1})}, attrs({{"allowzero", A::ofInt(1)}}), 14), "allowzero");
    // Shape input of known length but unknown values: rank only.
    auto rankOnly = infer("Reshape", {f32("2,3,4"), i64("3")});
    QVERIFY(rankOnly.status);
    QCOMPARE(rankOnly.outputs[0].shape.rank(), std::size_t{3});
    EXPECT_SHAPE(infer("Flatten", {f32("N,3,4,5")}), 0, "[N,60]");
    EXPECT_SHAPE(infer("Flatten", {f32("2,3,4")}, attrs({{"axis", A::ofInt(0)}})), 0, "[1,24]");
    EXPECT_INVALID(infer("Flatten", {f32("2,3,4")}, attrs({{"axis", A::ofInt(5)}})), "axis");
    // Dims from a hostile file whose products overflow 64 bits (found by the import fuzzer): an
    // error or an unknown dim, never a wrapped product.
    EXPECT_INVALID(infer("Reshape", {f32("2305843009213693952,9"), ints({-1})}), "does not fit in 64 bits");
    EXPECT_INVALID(infer("Reshape", {f32("2,3"), ints({4611686018427387904, 4})}), "does not fit in 64 bits");
    auto flat = infer("Flatten", {f32("4294967296,4294967296,2")}, attrs({{"axis", A::ofInt(2)}}));
    QVERIFY(flat.status);
    QVERIFY(!flat.outputs[0].shape.dims[0].isKnown());
    QCOMPARE(flat.outputs[0].shape.dims[1].value, int64_t{2});
    QCOMPARE(ir::Shape::fromValues({int64_t{1} << 32, int64_t{1} << 32}).numel(), std::numeric_limits<int64_t>::max());
  }

  void slices() {
    // opset 10+: inputs; negative starts, clamped ends, negative steps.
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({0, 0}), ints({3, 10})}), 0, "[3,10,5]");
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({-5}), ints({1000}), ints({1})}), 0, "[20,5,5]");
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({-1}), ints({-1000}), ints({1}), ints({-1})}), 0, "[20,10,5]");
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({0, 1}), ints({20, 10}), ints({0, 1}), ints({3, 2})}), 0,
                 "[7,5,5]");
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({8}), ints({2}), ints({0}), ints({-2})}), 0, "[3,10,5]");
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5"), ints({5}), ints({2}), ints({0})}), 0, "[0,10,5]");
    EXPECT_SHAPE(infer("Slice", {f32("N,10"), ints({0}), ints({INT64_MAX}), ints({0})}), 0, "[N,10]");
    // opset 9: attributes.
    EXPECT_SHAPE(infer("Slice", {f32("20,10,5")},
                       attrs({{"starts", A::ofInts({1})}, {"ends", A::ofInts({-1})}, {"axes", A::ofInts({1})}}), 9),
                 0, "[20,8,5]");
    // Unknown starts: only the sliced axis loses its size.
    auto r = infer("Slice", {f32("20,10,5"), i64("1"), ints({3}), ints({1})});
    QVERIFY(r.status);
    QCOMPARE(r.outputs[0].shape.dims[0].value, int64_t{20});
    QVERIFY(!r.outputs[0].shape.dims[1].isKnown());
    EXPECT_INVALID(infer("Slice", {f32("4"), ints({0}), ints({2}), ints({0}), ints({0})}), "steps");
    EXPECT_INVALID(infer("Slice", {f32("4"), ints({0}), ints({2}), ints({1})}), "axes");
  }

  void concatSplitPad() {
    EXPECT_SHAPE(infer("Concat", {f32("N,3"), f32("N,5")}, attrs({{"axis", A::ofInt(-1)}})), 0, "[N,8]");
    EXPECT_INVALID(infer("Concat", {f32("2,3"), f32("2,3,1")}, attrs({{"axis", A::ofInt(0)}})), "ranks");
    EXPECT_INVALID(infer("Concat", {f32("2,3"), f32("4,3")}, attrs({{"axis", A::ofInt(1)}})), "differ");
    EXPECT_INVALID(infer("Concat", {f32("2,3")}, {}), "axis");
    auto split = infer("Split", {f32("6,4"), ints({2, 4})}, attrs({{"axis", A::ofInt(0)}}), 13, 2);
    EXPECT_SHAPE(split, 0, "[2,4]");
    EXPECT_SHAPE(split, 1, "[4,4]");
    auto split11 = infer("Split", {f32("6,4")}, attrs({{"split", A::ofInts({1, 3})}, {"axis", A::ofInt(1)}}), 11, 2);
    EXPECT_SHAPE(split11, 1, "[6,3]");
    EXPECT_SHAPE(infer("Split", {f32("6,4")}, {}, 13, 3), 2, "[2,4]");
    EXPECT_INVALID(infer("Split", {f32("7,4")}, {}, 13, 3), "evenly");
    EXPECT_INVALID(infer("Split", {f32("6,4"), ints({2, 2})}, {}, 13, 2), "split");
    EXPECT_SHAPE(infer("Pad", {f32("1,3,H,4"), ints({0, 0, 0, 1, 0, 0, 0, 2})}, {}, 13), 0, "[1,3,H,7]");
    EXPECT_SHAPE(infer("Pad", {f32("2,3")}, attrs({{"pads", A::ofInts({1, 0, 1, 0})}}), 2), 0, "[4,3]");
    EXPECT_INVALID(infer("Pad", {f32("2,3"), ints({1, 1})}, {}, 13), "pads");
  }

  void gatherScatter() {
    EXPECT_SHAPE(infer("Gather", {f32("5,4,3"), i64("2,7")}, attrs({{"axis", A::ofInt(1)}})), 0, "[5,2,7,3]");
    EXPECT_SHAPE(infer("Gather", {f32("5,4"), intScalar(1)}), 0, "[4]");
    EXPECT_INVALID(infer("Gather", {f32("5,4"), i64("2")}, attrs({{"axis", A::ofInt(2)}})), "axis");
    EXPECT_SHAPE(infer("GatherElements", {f32("3,4"), i64("3,2")}, attrs({{"axis", A::ofInt(1)}})), 0, "[3,2]");
    EXPECT_SHAPE(infer("GatherND", {f32("2,3,4"), i64("5,2")}), 0, "[5,4]");
    EXPECT_SHAPE(infer("GatherND", {f32("2,3,4"), i64("2,1")}, attrs({{"batch_dims", A::ofInt(1)}})), 0, "[2,4]");
    EXPECT_INVALID(infer("GatherND", {f32("2,3"), i64("5,3")}), "last dim");
    EXPECT_SHAPE(infer("ScatterND", {f32("4,5,6"), i64("2,1"), f32("2,5,6")}), 0, "[4,5,6]");
    EXPECT_SHAPE(infer("ScatterElements", {f32("N,5"), i64("2,5"), f32("2,5")}), 0, "[N,5]");
    EXPECT_INVALID(infer("ScatterND", {f32("4"), i64("2,1"), f32("2")}, attrs({{"reduction", A::ofString("avg")}})),
                   "reduction");
    auto onehot = infer("OneHot", {i64("N,3"), intScalar(10), floats({0, 1})}, attrs({{"axis", A::ofInt(1)}}));
    EXPECT_SHAPE(onehot, 0, "[N,10,3]");
  }

  void resizeAndUpsample() {
    EXPECT_SHAPE(infer("Resize", {f32("1,3,10,20"), none(), floats({1, 1, 2, 0.5f})}, {}, 13), 0, "[1,3,20,10]");
    EXPECT_SHAPE(infer("Resize", {f32("N,3,10,20"), floats({}), floats({}), ints({1, 3, 7, 9})}, {}, 11), 0,
                 "[1,3,7,9]");
    auto sym = infer("Resize", {f32("1,3,H,W"), none(), floats({1, 1, 2, 1})}, {}, 13);
    QVERIFY(sym.status);
    QVERIFY(sym.outputs[0].shape.dims[2].isSymbolic() && sym.outputs[0].shape.dims[2].symbol != "H");
    QCOMPARE(QString::fromStdString(sym.outputs[0].shape.dims[3].symbol), QString("W")); // scale 1 keeps it
    EXPECT_SHAPE(infer("Resize", {f32("1,3,5,5"), floats({1, 1, 1.5f, 3})}, {}, 10), 0, "[1,3,7,15]");
    EXPECT_INVALID(infer("Resize", {f32("1,3,5,5"), none(), floats({2, 2})}, {}, 13), "scales");
    EXPECT_SHAPE(infer("Upsample", {f32("1,3,5,5")}, attrs({{"scales", A::ofFloats({1, 1, 2, 2})}}), 7), 0,
                 "[1,3,10,10]");
    EXPECT_SHAPE(infer("Upsample", {f32("1,3,5,5"), floats({1, 1, 2, 3})}, {}, 9), 0, "[1,3,10,15]");
    EXPECT_SHAPE(infer("DepthToSpace", {f32("1,8,2,3")}, attrs({{"blocksize", A::ofInt(2)}})), 0, "[1,2,4,6]");
    EXPECT_SHAPE(infer("SpaceToDepth", {f32("1,2,4,6")}, attrs({{"blocksize", A::ofInt(2)}})), 0, "[1,8,2,3]");
    EXPECT_INVALID(infer("SpaceToDepth", {f32("1,2,5,6")}, attrs({{"blocksize", A::ofInt(2)}})), "blocksize");
  }

  void squeezeUnsqueezeBothStyles() {
    EXPECT_SHAPE(infer("Squeeze", {f32("1,3,1,N")}, attrs({{"axes", A::ofInts({0, 2})}}), 11), 0, "[3,N]");
    EXPECT_SHAPE(infer("Squeeze", {f32("1,3,1,N"), ints({0, -2})}, {}, 13), 0, "[3,N]");
    EXPECT_SHAPE(infer("Squeeze", {f32("1,3,1,4")}, {}, 13), 0, "[3,4]");
    EXPECT_SHAPE(infer("Squeeze", {f32("1,3,N")}, {}, 13), 0, "[?...]"); // N might be 1
    EXPECT_INVALID(infer("Squeeze", {f32("1,3")}, attrs({{"axes", A::ofInts({1})}}), 11), "axes");
    EXPECT_SHAPE(infer("Unsqueeze", {f32("3,N")}, attrs({{"axes", A::ofInts({0, 3})}}), 11), 0, "[1,3,N,1]");
    EXPECT_SHAPE(infer("Unsqueeze", {f32("3,N"), ints({-1, 0})}, {}, 13), 0, "[1,3,N,1]");
    EXPECT_SHAPE(infer("Unsqueeze", {f32(""), ints({0})}, {}, 13), 0, "[1]");
    EXPECT_INVALID(infer("Unsqueeze", {f32("3"), ints({0, 0})}, {}, 13), "repeated");
    EXPECT_INVALID(infer("Unsqueeze", {f32("3"), ints({3})}, {}, 13), "axes");
  }

  void transposeExpandTile() {
    EXPECT_SHAPE(infer("Transpose", {f32("N,3,4")}), 0, "[4,3,N]");
    EXPECT_SHAPE(infer("Transpose", {f32("N,3,4")}, attrs({{"perm", A::ofInts({0, 2, 1})}})), 0, "[N,4,3]");
    EXPECT_INVALID(infer("Transpose", {f32("N,3,4")}, attrs({{"perm", A::ofInts({0, 0, 1})}})), "perm");
    EXPECT_INVALID(infer("Transpose", {f32("N,3,4")}, attrs({{"perm", A::ofInts({0, 1})}})), "perm");
    EXPECT_SHAPE(infer("Expand", {f32("3,1"), ints({2, 1, 6})}), 0, "[2,3,6]");
    EXPECT_SHAPE(infer("Expand", {f32("N,1"), ints({1, 5})}), 0, "[N,5]");
    EXPECT_SHAPE(infer("Tile", {f32("2,N"), ints({3, 1})}), 0, "[6,N]");
    EXPECT_INVALID(infer("Tile", {f32("2,3"), ints({3})}), "repeats");
  }

  void reductionsAndTopK() {
    EXPECT_SHAPE(infer("ReduceMean", {f32("N,3,4")}, attrs({{"axes", A::ofInts({-1})}}), 13), 0, "[N,3,1]");
    EXPECT_SHAPE(infer("ReduceMean", {f32("N,3,4")}, attrs({{"keepdims", A::ofInt(0)}}), 13), 0, "[]");
    EXPECT_SHAPE(infer("ReduceSum", {f32("N,3,4"), ints({1})}, attrs({{"keepdims", A::ofInt(0)}}), 13), 0, "[N,4]");
    EXPECT_SHAPE(infer("ReduceSum", {f32("N,3,4")}, attrs({{"axes", A::ofInts({1})}}), 11), 0, "[N,1,4]");
    EXPECT_SHAPE(infer("ReduceSum", {f32("N,3,4"), ints({})}, attrs({{"noop_with_empty_axes", A::ofInt(1)}}), 13), 0,
                 "[N,3,4]");
    EXPECT_INVALID(infer("ReduceMax", {f32("3,4")}, attrs({{"axes", A::ofInts({2})}}), 13), "axes");
    auto arg = infer("ArgMax", {f32("N,5")}, attrs({{"axis", A::ofInt(1)}, {"keepdims", A::ofInt(0)}}));
    EXPECT_SHAPE(arg, 0, "[N]");
    QCOMPARE(arg.outputs[0].dtype, ir::DataType::Int64);
    auto topk = infer("TopK", {f32("N,50"), ints({5})}, {}, 11, 2);
    EXPECT_SHAPE(topk, 0, "[N,5]");
    EXPECT_SHAPE(topk, 1, "[N,5]");
    auto topkUnknown = infer("TopK", {f32("N,50"), i64("1")}, {}, 11, 2);
    QVERIFY(topkUnknown.status);
    QVERIFY(topkUnknown.outputs[0].shape.dims[1].isSymbolic());
    EXPECT_SHAPE(infer("TopK", {f32("4,50")}, attrs({{"k", A::ofInt(3)}}), 9, 2), 0, "[4,3]");
    EXPECT_INVALID(infer("TopK", {f32("4,3"), ints({5})}, {}, 11, 2), "exceeds");
  }

  void normalisationAndSoftmax() {
    auto bn = infer("BatchNormalization", {f32("N,8,4,4"), f32("8"), f32("8"), f32("8"), f32("8")}, {}, 15, 1);
    EXPECT_SHAPE(bn, 0, "[N,8,4,4]");
    EXPECT_INVALID(infer("BatchNormalization", {f32("N,8,4,4"), f32("7"), f32("8"), f32("8"), f32("8")}, {}, 15),
                   "scale");
    auto ln =
        infer("LayerNormalization", {f32("B,T,64"), f32("64"), f32("64")}, attrs({{"axis", A::ofInt(-1)}}), 17, 3);
    EXPECT_SHAPE(ln, 0, "[B,T,64]");
    EXPECT_SHAPE(ln, 1, "[B,T,1]");
    EXPECT_SHAPE(infer("Softmax", {f32("2,3,4")}, attrs({{"axis", A::ofInt(-3)}}), 13), 0, "[2,3,4]");
    EXPECT_INVALID(infer("Softmax", {f32("2,3,4")}, attrs({{"axis", A::ofInt(3)}}), 13), "axis");
    // Softmax-11 defaults to axis 1 (coerced to 2-D), Softmax-13 to -1; both accept a rank-1 input.
    EXPECT_SHAPE(infer("Softmax", {f32("5")}, {}, 11), 0, "[5]");
    EXPECT_SHAPE(infer("LogSoftmax", {f32("5")}, {}, 13), 0, "[5]");
    EXPECT_INVALID(infer("Softmax", {f32("5")}, attrs({{"axis", A::ofInt(2)}}), 11), "axis");
    EXPECT_INVALID(infer("LRN", {f32("1,3,4,4")}), "size");
    auto drop = infer("Dropout", {f32("N,3")}, {}, 13, 2);
    EXPECT_SHAPE(drop, 1, "[N,3]");
    QCOMPARE(drop.outputs[1].dtype, ir::DataType::Bool);
  }

  // Issue 13: the long-tail ops' shape functions (sizes from known values, fresh dims otherwise).
  void longTailShapes() {
    EXPECT_SHAPE(infer("HannWindow", {intScalar(10)}), 0, "[10]");
    auto w = infer("BlackmanWindow", {i64("")}, attrs({{"output_datatype", A::ofInt(11)}}));
    QVERIFY(w.status.has_value());
    QCOMPARE(w.outputs[0].dtype, ir::DataType::Float64);
    QCOMPARE(w.outputs[0].shape.rank(), std::size_t{1});
    QVERIFY(!w.outputs[0].shape.dims[0].isKnown()); // the size is a run-time value
    EXPECT_SHAPE(infer("DFT", {f32("2,10,1")}, attrs({{"axis", A::ofInt(1)}, {"onesided", A::ofInt(1)}})), 0,
                 "[2,6,2]");
    EXPECT_SHAPE(infer("DFT", {f32("2,10,2"), intScalar(16)}, attrs({{"axis", A::ofInt(1)}})), 0, "[2,16,2]");
    EXPECT_INVALID(infer("DFT", {f32("2,10,3")}), "last dim");
    EXPECT_SHAPE(infer("STFT", {f32("1,128,1"), intScalar(8), none(), intScalar(16)}), 0, "[1,15,9,2]");
    EXPECT_INVALID(infer("STFT", {f32("1,128,1"), intScalar(8)}), "window or a frame_length");
    EXPECT_SHAPE(infer("MelWeightMatrix", {intScalar(8), intScalar(16), intScalar(8192), floats({0}), floats({4096})}),
                 0, "[9,8]");
    auto nms = infer("NonMaxSuppression", {f32("1,6,4"), f32("1,2,6")}, {}, 11);
    QVERIFY(nms.status.has_value());
    QCOMPARE(nms.outputs[0].dtype, ir::DataType::Int64);
    QCOMPARE(nms.outputs[0].shape.dims[1].value, int64_t{3});
    EXPECT_INVALID(infer("NonMaxSuppression", {f32("1,6,5"), f32("1,2,6")}, {}, 11), "boxes");
    EXPECT_SHAPE(infer("RoiAlign", {f32("N,3,8,8"), f32("R,4"), i64("R")},
                       attrs({{"output_height", A::ofInt(2)}, {"output_width", A::ofInt(3)}}), 16),
                 0, "[R,3,2,3]");
    EXPECT_SHAPE(infer("GridSample", {f32("N,3,8,8"), f32("N,4,5,2")}, {}, 16), 0, "[N,3,4,5]");
    EXPECT_SHAPE(infer("MaxUnpool", {f32("1,1,2,2"), i64("1,1,2,2")},
                       attrs({{"kernel_shape", A::ofInts({2, 2})}, {"strides", A::ofInts({2, 2})}}), 11),
                 0, "[1,1,4,4]");
    EXPECT_SHAPE(infer("Det", {f32("B,3,3")}, {}, 11), 0, "[B]");
    EXPECT_INVALID(infer("Det", {f32("3,4")}, {}, 11), "square");
    EXPECT_SHAPE(infer("TfIdfVectorizer", {i64("2,6")}, attrs({{"ngram_indexes", A::ofInts({0, 4, 1})}}), 9), 0,
                 "[2,5]");
    EXPECT_SHAPE(infer("ai.onnx.preview.training.Adam",
                       {floats({0.1f}), intScalar(1), f32("3"), f32("N"), f32("3"), f32("N"), f32("3"), f32("N"),
                        f32("3"), f32("N")},
                       {}, 17, 6),
                 5, "[N]");
  }

  void matmulGemmEinsum() {
    EXPECT_SHAPE(infer("MatMul", {f32("B,1,2,3"), f32("5,3,4")}), 0, "[B,5,2,4]");
    EXPECT_SHAPE(infer("MatMul", {f32("3"), f32("N,3,4")}), 0, "[N,4]");
    EXPECT_SHAPE(infer("MatMul", {f32("2,3"), f32("3")}), 0, "[2]");
    EXPECT_INVALID(infer("MatMul", {f32("2,3"), f32("4,5")}), "inner");
    EXPECT_SHAPE(infer("Gemm", {f32("3,M"), f32("5,3")}, attrs({{"transA", A::ofInt(1)}, {"transB", A::ofInt(1)}})), 0,
                 "[M,5]");
    EXPECT_SHAPE(infer("Gemm", {f32("N,3"), f32("3,5"), f32("5")}), 0, "[N,5]");
    EXPECT_INVALID(infer("Gemm", {f32("N,3"), f32("3,5"), f32("4")}), "broadcast");
    auto es = [](const char* eq, std::vector<In> in) {
      return infer("Einsum", std::move(in), attrs({{"equation", A::ofString(eq)}}));
    };
    EXPECT_SHAPE(es("bij,bjk->bik", {f32("B,2,3"), f32("B,3,4")}), 0, "[B,2,4]");
    EXPECT_SHAPE(es("ij->ji", {f32("2,3")}), 0, "[3,2]");
    EXPECT_SHAPE(es("ij,jk", {f32("2,3"), f32("3,4")}), 0, "[2,4]");
    EXPECT_SHAPE(es("...ij,...jk->...ik", {f32("7,2,3"), f32("3,4")}), 0, "[7,2,4]");
    EXPECT_SHAPE(es("ii->i", {f32("5,5")}), 0, "[5]");
  }

  void recurrent() {
    auto lstm = infer("LSTM", {f32("T,B,10"), f32("2,80,10"), f32("2,80,20")},
                      attrs({{"hidden_size", A::ofInt(20)}, {"direction", A::ofString("bidirectional")}}), 14, 3);
    EXPECT_SHAPE(lstm, 0, "[T,2,B,20]");
    EXPECT_SHAPE(lstm, 1, "[2,B,20]");
    EXPECT_SHAPE(lstm, 2, "[2,B,20]");
    auto gru = infer("GRU", {f32("B,T,10"), f32("1,60,10"), f32("1,60,20")}, attrs({{"layout", A::ofInt(1)}}), 14, 2);
    EXPECT_SHAPE(gru, 0, "[B,T,1,20]");
    EXPECT_SHAPE(gru, 1, "[B,1,20]");
    EXPECT_INVALID(infer("RNN", {f32("T,B,10"), f32("1,16,10"), f32("1,16,16")}, attrs({{"hidden_size", A::ofInt(8)}})),
                   "hidden_size");
  }

  void dataDependentOps() {
    auto nz = infer("NonZero", {f32("N,3,4")});
    QVERIFY(nz.status);
    QCOMPARE(nz.outputs[0].shape.rank(), std::size_t{2});
    QCOMPARE(nz.outputs[0].shape.dims[0].value, int64_t{3});
    QVERIFY(nz.outputs[0].shape.dims[1].isSymbolic());
    In cond{ir::DataType::Bool, S("4"), std::nullopt, false};
    auto comp = infer("Compress", {f32("4,5"), cond}, attrs({{"axis", A::ofInt(0)}}));
    QVERIFY(comp.status);
    QVERIFY(comp.outputs[0].shape.dims[0].isSymbolic());
    QCOMPARE(comp.outputs[0].shape.dims[1].value, int64_t{5});
    In known{ir::DataType::Bool, S("4"), ir::Tensor::fromVector<bool>({true, false, true, true}, {4}), false};
    EXPECT_SHAPE(infer("Compress", {f32("4,5"), known}, attrs({{"axis", A::ofInt(0)}})), 0, "[3,5]");
    In nzKnown{ir::DataType::Int64, S("2,3"), ir::Tensor::fromVector<int64_t>({0, 1, 2, 0, 0, 3}, {2, 3}), false};
    EXPECT_SHAPE(infer("NonZero", {nzKnown}), 0, "[2,3]");
    In uniqKnown = floats({2, 1, 1, 3, 4, 3});
    EXPECT_SHAPE(infer("Unique", {uniqKnown}, {}, 11, 4), 0, "[4]");
    In rows{ir::DataType::Float32, S("3,2"), ir::Tensor::fromVector<float>({1, 2, 3, 4, 1, 2}, {3, 2}), false};
    EXPECT_SHAPE(infer("Unique", {rows}, attrs({{"axis", A::ofInt(0)}}), 11, 4), 0, "[2,2]");
    auto uniq = infer("Unique", {f32("6")}, {}, 11, 4);
    QVERIFY(uniq.status);
    QCOMPARE(uniq.outputs[0].shape.rank(), std::size_t{1});
    EXPECT_SHAPE(uniq, 2, "[6]");
  }

  void losses() {
    const auto perElement = attrs({{"reduction", A::ofString("none")}});
    // reduction none keeps the targets' shape (dims unified with the scores' N, d1..dk); sum/mean are scalars.
    EXPECT_SHAPE(infer("NegativeLogLikelihoodLoss", {f32("N,5,3,4"), i64("?,3,4")}, perElement, 13), 0, "[N,3,4]");
    EXPECT_SHAPE(infer("NegativeLogLikelihoodLoss", {f32("2,5"), i64("2"), f32("5")}, {}, 12), 0, "[]");
    EXPECT_SHAPE(infer("NegativeLogLikelihoodLoss", {f32("2,5,3"), i64("*")}, perElement, 13), 0, "[2,3]");
    EXPECT_INVALID(infer("NegativeLogLikelihoodLoss", {f32("2,5,3"), i64("2,4")}, perElement, 13), "targets");
    EXPECT_INVALID(infer("NegativeLogLikelihoodLoss", {f32("2,5,3"), i64("2")}, {}, 13), "one dim fewer");
    EXPECT_INVALID(infer("NegativeLogLikelihoodLoss", {f32("2,5"), i64("2"), f32("4")}, {}, 13), "weight");
    EXPECT_INVALID(
        infer("NegativeLogLikelihoodLoss", {f32("2,5"), i64("2")}, attrs({{"reduction", A::ofString("max")}})),
        "reduction");
    EXPECT_INVALID(infer("NegativeLogLikelihoodLoss", {f32("2,5"), f32("2")}, {}, 13), "int32 or int64");
    // SoftmaxCrossEntropyLoss: the optional log_prob has the scores' shape.
    auto sce = infer("SoftmaxCrossEntropyLoss", {f32("B,7,2"), i64("B,2"), none()}, {}, 13, 2);
    EXPECT_SHAPE(sce, 0, "[]");
    EXPECT_SHAPE(sce, 1, "[B,7,2]");
    EXPECT_SHAPE(infer("SoftmaxCrossEntropyLoss", {f32("3,7"), i64("3")}, perElement, 12), 0, "[3]");
    // The loss ops start at opset 12.
    QVERIFY(!infer("SoftmaxCrossEntropyLoss", {f32("3,7"), i64("3")}, {}, 11).status);
  }

  void unknownOpIsUnsupported() {
    auto r = infer("FancyOp", {f32("1")});
    QVERIFY(!r.status);
    QCOMPARE(QString::fromStdString(r.status.error().code), QString(codes::kUnsupported));
    QVERIFY(r.status.error().message.find("FancyOp") != std::string::npos);
    QVERIFY(r.status.error().message.find("'n0'") != std::string::npos);
    // LayerNormalization exists only from opset 17.
    QVERIFY(!infer("LayerNormalization", {f32("2,3"), f32("3")}, {}, 16).status);
  }
};

QTEST_GUILESS_MAIN(TestOpsShapes)
#include "test_ops_shapes.moc"

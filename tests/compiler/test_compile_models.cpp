// compile() end to end on the PP-OCR sample models: multi-gear (image size and batch), dynamic shape,
// cancellation, weight sharing between gears, and the memory plan against its lower bound.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "tests/compiler/graph_builder.h"

using namespace gs;

namespace {

std::string modelPath(const std::string& file) { return std::string(GS_MODELS_DIR) + "/" + file; }

Expected<shape_config::ShapeConfig> configFor(const std::string& model, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--model=" + model, "--framework=5", "--output=/tmp/unused"};
  args.insert(args.end(), extra.begin(), extra.end());
  GS_ASSIGN_OR_RETURN(auto opts, shape_config::parseArgs(args));
  return shape_config::fromOptions(opts);
}

struct Loaded {
  ir::Model model;
  shape_config::ShapeConfig config;
};

// Imports a sample model and builds its config; skips the test when the model is absent.
#define LOAD_OR_SKIP(var, file, ...)                                                                                   \
  if (!std::filesystem::exists(modelPath(file))) QSKIP("sample model not present");                                    \
  auto var##Model = onnx_import::importModel(modelPath(file));                                                         \
  QVERIFY2(var##Model.has_value(), var##Model ? "" : var##Model.error().str().c_str());                                \
  auto var##Config = configFor(modelPath(file), __VA_ARGS__);                                                          \
  QVERIFY2(var##Config.has_value(), var##Config ? "" : var##Config.error().str().c_str());                             \
  Loaded var{std::move(*var##Model), std::move(*var##Config)};

// Every gear: all non-constant values static (or planned out), offsets sized to the graph,
// arena within 1.10 x the lower bound, fewer nodes than the source, constants shared across gears.
void checkGears(const om::Model& m, const ir::Model& source) {
  uint64_t maxArena = 0;
  for (const auto& gear : m.gears) {
    QCOMPARE(gear.offsets.size(), gear.graph.values.size());
    QVERIFY(ir::verify(gear.graph).has_value());
    for (std::size_t v = 0; v < gear.graph.values.size(); ++v) {
      const auto& val = gear.graph.values[v];
      if (val.isConstant()) {
        QCOMPARE(gear.offsets[v], int64_t{-1});
        continue;
      }
      QVERIFY2(val.shape.isStatic(), (val.name + " " + val.shape.str()).c_str());
      QVERIFY(gear.offsets[v] >= 0);
      QCOMPARE(gear.offsets[v] % 64, int64_t{0});
    }
    QVERIFY(gear.arenaBytes >= gear.arenaLowerBoundBytes);
    const double ratio = static_cast<double>(gear.arenaBytes) / static_cast<double>(gear.arenaLowerBoundBytes);
    qInfo("gear %d: %zu -> %zu nodes, arena %llu / lower bound %llu = %.4f, %.1f MFLOP", gear.index,
          source.graph.nodes.size(), gear.graph.nodes.size(), static_cast<unsigned long long>(gear.arenaBytes),
          static_cast<unsigned long long>(gear.arenaLowerBoundBytes), ratio, gear.flops / 1e6);
    QVERIFY(ratio <= 1.10);
    QVERIFY(gear.graph.nodes.size() < source.graph.nodes.size());
    QVERIFY(gear.flops > 0);
    QVERIFY(!gear.passes.empty());
    maxArena = std::max(maxArena, gear.arenaBytes);
  }
  QCOMPARE(m.sharedArenaBytes, maxArena);
  // Folded weights are made once: every gear's conv weights point at the same buffers.
  if (m.gears.size() > 1) {
    std::set<const ir::Buffer*> first, second;
    for (const auto& v : m.gears[0].graph.values)
      if (v.constant && v.constant->numel() > 64) first.insert(v.constant->buffer.get());
    for (const auto& v : m.gears[1].graph.values)
      if (v.constant && v.constant->numel() > 64) second.insert(v.constant->buffer.get());
    QVERIFY(!first.empty());
    QCOMPARE(first, second);
  }
}

} // namespace

class TestCompileModels : public QObject {
  Q_OBJECT

private slots:
  void detImageSizeGears() {
    LOAD_OR_SKIP(det, "ch_PP-OCRv4_det_infer.onnx",
                 {"--input_shape=x:1,3,-1,-1", "--dynamic_image_size=640,640;480,640;960,960"});
    auto m = compiler::compile(det.model, det.config, {}, {});
    QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{3});
    QVERIFY(!m->dynamic);
    const std::vector<std::pair<int64_t, int64_t>> hw = {{640, 640}, {480, 640}, {960, 960}};
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& gear = m->gears[i];
      QCOMPARE(gear.index, static_cast<int>(i));
      QCOMPARE(gear.inputs.size(), std::size_t{1});
      QCOMPARE(gear.inputs[0].dims, (std::vector<int64_t>{1, 3, hw[i].first, hw[i].second}));
      QCOMPARE(gear.outputs[0].dims, (std::vector<int64_t>{1, 1, hw[i].first, hw[i].second}));
    }
    checkGears(*m, det.model);
    // BatchNormalization is folded and HardSwish fused into convs.
    for (const auto& n : m->gears[0].graph.nodes) {
      QVERIFY(n.opType != "BatchNormalization");
      QVERIFY(n.opType != "Clip");
    }
    QCOMPARE(m->meta.strategy, Strategy::DynamicImageSize);
    QVERIFY(m->weightBytes > 1'000'000);
  }

  void recBatchGears() {
    LOAD_OR_SKIP(rec, "ch_PP-OCRv4_rec_infer.onnx", {"--input_shape=x:-1,3,48,320", "--dynamic_batch_size=1,4,8"});
    auto m = compiler::compile(rec.model, rec.config, {}, {});
    QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{3});
    const std::vector<int64_t> batch = {1, 4, 8};
    for (std::size_t i = 0; i < 3; ++i) {
      QCOMPARE(m->gears[i].inputs[0].dims, (std::vector<int64_t>{batch[i], 3, 48, 320}));
      QCOMPARE(m->gears[i].outputs[0].dims.front(), batch[i]);
      QCOMPARE(m->gears[i].outputs[0].dims.back(), int64_t{6625});
      for (const auto& n : m->gears[i].graph.nodes)
        QVERIFY2(n.opType != "Shape", "shape chains fold away per gear");
    }
    checkGears(*m, rec.model);
  }

  void clsBatchGears() {
    LOAD_OR_SKIP(cls, "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                 {"--input_shape=x:-1,3,48,192", "--dynamic_batch_size=1,4,8"});
    auto m = compiler::compile(cls.model, cls.config, {}, {});
    QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{3});
    for (std::size_t i = 0; i < 3; ++i)
      QCOMPARE(m->gears[i].outputs[0].dims, (std::vector<int64_t>{m->gears[i].inputs[0].dims[0], 2}));
    checkGears(*m, cls.model);
  }

  void detDynamicShapeRecordsRanges() {
    LOAD_OR_SKIP(det, "ch_PP-OCRv4_det_infer.onnx", {"--input_shape=x:1,3,32~1280,32~1280"});
    QCOMPARE(det.config.strategy, Strategy::DynamicShape);
    auto m = compiler::compile(det.model, det.config, {}, {});
    QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
    QVERIFY(m->gears.empty());
    QVERIFY(m->dynamic.has_value());
    QCOMPARE(m->dynamic->ranges.size(), std::size_t{1});
    const auto& r = m->dynamic->ranges[0];
    QCOMPARE(r.name, std::string("x"));
    QCOMPARE(r.dims.size(), std::size_t{4});
    QCOMPARE(r.dims[0].lo, int64_t{1});
    QCOMPARE(r.dims[0].hi, int64_t{1});
    QCOMPARE(r.dims[2].lo, int64_t{32});
    QCOMPARE(r.dims[2].hi, int64_t{1280});
    QVERIFY(ir::verify(m->dynamic->graph).has_value());
    QVERIFY(m->dynamic->graph.nodes.size() < det.model.graph.nodes.size());
    const auto& in = m->dynamic->graph.values[m->dynamic->graph.inputs[0]];
    QCOMPARE(in.shape.dims[0].value, int64_t{1});
    QVERIFY(!in.shape.dims[2].isKnown());
  }

  void cancelMidCompile() {
    LOAD_OR_SKIP(cls, "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                 {"--input_shape=x:-1,3,48,192", "--dynamic_batch_size=1,2,4,8"});
    CancelToken token;
    Progress progress;
    progress.cancel = &token;
    int reports = 0;
    progress.report = [&](double, const std::string& what) {
      ++reports;
      if (what.rfind("gear 2/", 0) == 0) token.cancel(); // cancel while the second gear starts
    };
    auto m = compiler::compile(cls.model, cls.config, {}, progress);
    QVERIFY(!m);
    QCOMPARE(QString::fromStdString(m.error().code), QString(codes::kCancelled));
    QVERIFY(reports >= 2);
  }

  void disabledPassesChangeTheResult() {
    LOAD_OR_SKIP(cls, "ch_ppocr_mobile_v2.0_cls_infer.onnx", {"--input_shape=x:1,3,48,192"});
    auto full = compiler::compile(cls.model, cls.config, {}, {});
    QVERIFY(full.has_value());
    compiler::CompileOptions opts;
    opts.disabledPasses = {"fold-conv-batchnorm", "fuse-activation"};
    opts.verifyEachPass = true;
    auto reduced = compiler::compile(cls.model, cls.config, opts, {});
    QVERIFY2(reduced.has_value(), reduced ? "" : reduced.error().str().c_str());
    QVERIFY(reduced->gears[0].graph.nodes.size() > full->gears[0].graph.nodes.size());
    opts.disabledPasses = {"no-such-pass"};
    QVERIFY(!compiler::compile(cls.model, cls.config, opts, {}));
  }

  void unknownOpIsUnsupported() {
    ir::Model model;
    test::GraphBuilder b;
    const auto x = b.input("x", std::vector<int64_t>{1, 4});
    b.output(b.node("odd_node", "FrobnicateOp", {x}));
    model.graph = b.g;
    model.opsets[""] = 13;
    auto config = configFor("unused.onnx", {"--input_shape=x:1,4"});
    QVERIFY(config.has_value());
    auto m = compiler::compile(model, *config, {}, {});
    QVERIFY(!m);
    QCOMPARE(QString::fromStdString(m.error().code), QString(codes::kUnsupported));
    QVERIFY(m.error().message.find("odd_node") != std::string::npos);
    QVERIFY(m.error().message.find("FrobnicateOp") != std::string::npos);
  }

  // Issue 11: sizes no machine can hold are refused at compile time, naming the input or value,
  // instead of compiling into a plan whose first allocation fails.
  void impossibleSizesAreRefused_data() {
    QTest::addColumn<QString>("inputShape"); // empty: the model's own dims
    QTest::addColumn<qlonglong>("modelDim"); // every dim of the model's input, without --input_shape
    QTest::addColumn<QString>("needle");
    const qlonglong p40 = qlonglong{1} << 40;
    QTest::newRow("model dims overflow the element count")
        << "" << p40
        << "input 'x' with the shape [1099511627776,1099511627776] (float32) is impossible: its element "
           "count or byte size does not fit in 64 bits";
    QTest::newRow("option dims overflow") << "x:2147483647,2147483647,2147483647,2147483647" << qlonglong{4}
                                          << "input 'x' with the shape [2147483647,2147483647,2147483647,2147483647]";
    QTest::newRow("beyond the address space")
        << "x:2147483647,65536" << qlonglong{4} << "more than the 128 TiB a 64-bit process can address";
    QTest::newRow("an intermediate grows past it") << "x:65536,65536" << qlonglong{4} << "value 'tile_out0'";
  }
  void impossibleSizesAreRefused() {
    QFETCH(QString, inputShape);
    QFETCH(qlonglong, modelDim);
    QFETCH(QString, needle);
    ir::Model model;
    test::GraphBuilder b;
    const auto rank = inputShape.isEmpty() ? 2 : inputShape.count(',') + 1;
    std::vector<ir::Dim> dims; // the model's own dims, or symbolic ones that --input_shape fills
    for (int i = 0; i < rank; ++i) {
      std::string symbol(1, 'd'); // (not "d" + to_string: GCC 12's -Wrestrict false positive)
      symbol += std::to_string(i);
      dims.push_back(inputShape.isEmpty() ? ir::Dim::known(modelDim) : ir::Dim::symbolic(symbol));
    }
    const auto x = b.input("x", dims);
    if (needle.contains("tile")) {
      // Tile by 2^20 in both dims: 2^52 elements from a 2^32-element input.
      b.output(b.node("tile", "Tile", {x, b.ints("reps", {1 << 20, 1 << 20}, {2})}));
    } else {
      b.output(b.node("relu", "Relu", {x}));
    }
    model.graph = b.g;
    model.opsets[""] = 13;
    auto config = configFor("unused.onnx", inputShape.isEmpty()
                                               ? std::vector<std::string>{}
                                               : std::vector<std::string>{"--input_shape=" + inputShape.toStdString()});
    QVERIFY2(config, config ? "" : config.error().str().c_str());
    auto m = compiler::compile(model, *config, {}, {});
    QVERIFY2(!m, "compiled");
    qInfo("%s", m.error().str().c_str());
    QCOMPARE(QString::fromStdString(m.error().code), QString(codes::kInvalid));
    QVERIFY2(QString::fromStdString(m.error().message).contains(needle), m.error().str().c_str());
  }

  // A huge but addressable gear compiles (loading it is refused later, against the memory limit).
  void hugeButAddressableGearCompiles() {
    ir::Model model;
    test::GraphBuilder b;
    b.output(b.node("relu", "Relu", {b.input("x", std::vector<int64_t>{1, int64_t{1} << 40})}));
    model.graph = b.g;
    model.opsets[""] = 13;
    auto config = configFor("unused.onnx", {});
    QVERIFY(config);
    auto m = compiler::compile(model, *config, {}, {});
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QVERIFY(m->sharedArenaBytes >= (uint64_t{1} << 42));
  }

  void sha256OfFile() {
    const auto path = std::filesystem::temp_directory_path() / "gs_sha_test.txt";
    {
      std::ofstream f(path);
      f << "abc";
    }
    auto h = compiler::sha256File(path.string());
    QVERIFY(h.has_value());
    QCOMPARE(QString::fromStdString(*h), QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    std::filesystem::remove(path);
    QVERIFY(!compiler::sha256File(path.string()));
  }
};

std::unique_ptr<QObject> makeCompileModelTests() { return std::make_unique<TestCompileModels>(); }

#include "test_compile_models.moc"

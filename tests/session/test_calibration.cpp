// int8 calibration through session::buildModel (--quantize=int8 --calibration=DIR): the calibration
// set (npy folders, PNG/JPEG images, every error case), determinism, the compiled int8 model (QuantConv
// / QuantMatMul nodes, close to fp32), the keep list, the written QDQ model, progress and cancellation.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <jpeglib.h>
#include <png.h>

#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/gs_ops.h"
#include "core/runtime/npy.h"
#include "core/runtime/session.h"
#include "core/session/calibrate.h"
#include "core/session/calibration_data.h"
#include "core/session/compile_onnx.h"
#include "core/session/image_decode.h"
#include "onnx_models.h"

using namespace gs;
using runtime::HostTensor;
namespace fs = std::filesystem;

namespace {

void intAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void intsAttr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v)
    a->add_ints(x);
}

std::vector<float> randomValues(std::size_t n, std::mt19937& rng, float scale) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v)
    x = d(rng);
  return v;
}

// A small conv net: x[N,3,16,16] -> Conv 3->8 (3x3, pad 1) + bias -> Relu -> Conv 8->8 (conv2, 3x3,
// pad 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm 8->10 (transB) -> MatMul 10->6 -> y.
onnx::ModelProto convNet(int64_t opset = 13) {
  std::mt19937 rng(11);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(opset);
  auto* g = m.mutable_graph();
  g->set_name("convnet");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"N", "3", "16", "16"});
  *g->add_output() = test::valueInfo("y", onnx::TensorProto::FLOAT, {"N", "6"});
  *g->add_initializer() = test::floatProto("w1", {8, 3, 3, 3}, randomValues(216, rng, 0.3f));
  *g->add_initializer() = test::floatProto("b1", {8}, randomValues(8, rng, 0.1f));
  *g->add_initializer() = test::floatProto("w2", {8, 8, 3, 3}, randomValues(576, rng, 0.15f));
  *g->add_initializer() = test::floatProto("w3", {10, 8}, randomValues(80, rng, 0.4f));
  *g->add_initializer() = test::floatProto("b3", {10}, randomValues(10, rng, 0.1f));
  *g->add_initializer() = test::floatProto("w4", {10, 6}, randomValues(60, rng, 0.4f));
  auto* c1 = test::addNode(g, "Conv", {"x", "w1", "b1"}, {"c1"});
  c1->set_name("conv1");
  intsAttr(c1, "pads", {1, 1, 1, 1});
  test::addNode(g, "Relu", {"c1"}, {"r1"});
  auto* c2 = test::addNode(g, "Conv", {"r1", "w2"}, {"c2"});
  c2->set_name("conv2");
  intsAttr(c2, "pads", {1, 1, 1, 1});
  test::addNode(g, "Relu", {"c2"}, {"r2"});
  test::addNode(g, "GlobalAveragePool", {"r2"}, {"p"});
  test::addNode(g, "Flatten", {"p"}, {"f"});
  auto* gm = test::addNode(g, "Gemm", {"f", "w3", "b3"}, {"gm"});
  gm->set_name("gemm");
  intAttr(gm, "transB", 1);
  test::addNode(g, "MatMul", {"gm", "w4"}, {"y"})->set_name("matmul");
  return m;
}

onnx::TensorProto scalar(const std::string& name, float v) { return test::floatProto(name, {1}, {v}); }

// PP-LCNetV3's blocks: Conv -> Mul/Add by scalars (folded into the weights before quantization) ->
// HardSwish written as x * Clip(x + 3, 0, 6) / 6 -> Mul/Add by scalars after the activation (the
// learnable affine) -> Conv 8->4 -> y. Opset 13.
onnx::ModelProto affineNet() {
  std::mt19937 rng(12);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("affine");
  *g->add_input() = test::valueInfo("x", onnx::TensorProto::FLOAT, {"1", "3", "16", "16"});
  *g->add_output() = test::valueInfo("y", onnx::TensorProto::FLOAT, {"1", "4", "16", "16"});
  *g->add_initializer() = test::floatProto("w1", {8, 3, 3, 3}, randomValues(216, rng, 0.3f));
  *g->add_initializer() = test::floatProto("b1", {8}, randomValues(8, rng, 0.1f));
  *g->add_initializer() = test::floatProto("w2", {4, 8, 1, 1}, randomValues(32, rng, 0.3f));
  for (auto [n, v] : std::initializer_list<std::pair<const char*, float>>{
           {"k_mul", 1.5f}, {"k_add", 0.2f}, {"three", 3.0f}, {"six", 6.0f}, {"k_post", 0.8f}, {"k_shift", 0.1f}})
    *g->add_initializer() = scalar(n, v);
  *g->add_initializer() = test::floatProto("zero", {}, {0.0f});
  *g->add_initializer() = test::floatProto("six_s", {}, {6.0f});
  intsAttr(test::addNode(g, "Conv", {"x", "w1", "b1"}, {"c1"}), "pads", {1, 1, 1, 1});
  test::addNode(g, "Mul", {"c1", "k_mul"}, {"a1"});
  test::addNode(g, "Add", {"a1", "k_add"}, {"a2"});
  test::addNode(g, "Add", {"a2", "three"}, {"h1"});
  test::addNode(g, "Clip", {"h1", "zero", "six_s"}, {"h2"});
  test::addNode(g, "Mul", {"a2", "h2"}, {"h3"});
  test::addNode(g, "Div", {"h3", "six"}, {"hs"});
  test::addNode(g, "Mul", {"hs", "k_post"}, {"p1"});
  test::addNode(g, "Add", {"p1", "k_shift"}, {"p2"});
  test::addNode(g, "Conv", {"p2", "w2"}, {"y"});
  return m;
}

void writeModel(const onnx::ModelProto& m, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  m.SerializeToOstream(&out);
}

HostTensor sampleTensor(std::vector<int64_t> dims, uint32_t seed) {
  HostTensor t(ir::DataType::Float32, dims);
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.2f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = d(rng);
  return t;
}

// DIR/000 ... with x.npy each.
void writeSamples(const std::string& dir, int count, uint32_t seed, std::vector<int64_t> dims = {1, 3, 16, 16}) {
  for (int i = 0; i < count; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%03d", i);
    fs::create_directories(fs::path(dir) / name);
    QVERIFY(runtime::npy::write((fs::path(dir) / name / "x.npy").string(),
                                sampleTensor(dims, seed + static_cast<uint32_t>(i))));
  }
}

std::string writePng(const std::string& path, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(w);
  image.height = static_cast<png_uint_32>(h);
  image.format = PNG_FORMAT_RGB;
  std::vector<uint8_t> px(static_cast<std::size_t>(w * h * 3));
  for (std::size_t i = 0; i < px.size(); i += 3) {
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  }
  png_image_write_to_file(&image, path.c_str(), 0, px.data(), 0, nullptr);
  return path;
}

std::string writeJpeg(const std::string& path, int w, int h, uint8_t r, uint8_t g, uint8_t b) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  FILE* f = std::fopen(path.c_str(), "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = static_cast<JDIMENSION>(w);
  c.image_height = static_cast<JDIMENSION>(h);
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(static_cast<std::size_t>(w * 3));
  for (int i = 0; i < w; ++i) {
    row[static_cast<std::size_t>(i * 3)] = r;
    row[static_cast<std::size_t>(i * 3 + 1)] = g;
    row[static_cast<std::size_t>(i * 3 + 2)] = b;
  }
  while (c.next_scanline < c.image_height) {
    JSAMPROW p = row.data();
    jpeg_write_scanlines(&c, &p, 1);
  }
  jpeg_finish_compress(&c);
  std::fclose(f);
  jpeg_destroy_compress(&c);
  return path;
}

double cosine(const HostTensor& a, const HostTensor& b) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as<float>()[i], y = b.as<float>()[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

std::map<std::string, int> opCounts(const om::Model& m) {
  std::map<std::string, int> ops;
  for (const auto& n : m.gears.at(0).graph.nodes)
    ops[n.opType]++;
  return ops;
}

std::vector<session::CalibrationInput> xInput(std::vector<int64_t> dims = {-1, 3, 16, 16}) {
  return {{"x", ir::DataType::Float32, std::move(dims)}};
}

} // namespace

class TestCalibration : public QObject {
  Q_OBJECT

  QTemporaryDir m_tmp;
  std::string m_model;
  std::string m_cal;

  std::string path(const std::string& name) const { return (fs::path(m_tmp.path().toStdString()) / name).string(); }

  Expected<session::BuildRequest> request(const std::string& extra, const std::string& cal) {
    shape_config::AtcOptions o;
    GS_RETURN_IF_ERROR(shape_config::setOption(o, "input_shape", "x:1,3,16,16"));
    if (!cal.empty()) {
      GS_RETURN_IF_ERROR(shape_config::setOption(o, "quantize", "int8"));
      GS_RETURN_IF_ERROR(shape_config::setOption(o, "calibration", cal));
    }
    if (!extra.empty()) {
      const auto eq = extra.find('=');
      GS_RETURN_IF_ERROR(shape_config::setOption(o, extra.substr(0, eq), extra.substr(eq + 1)));
    }
    session::BuildRequest r;
    GS_ASSIGN_OR_RETURN(r.config, shape_config::fromOptions(o));
    r.reproducible = true;
    return r;
  }

  Expected<om::Model> build(const std::string& model, const std::string& extra, const std::string& cal,
                            const Progress& progress = {}, const std::string& writeTo = {}) {
    GS_ASSIGN_OR_RETURN(auto m, onnx_import::importModel(model));
    GS_ASSIGN_OR_RETURN(auto r, request(extra, cal));
    r.quantizedModelPath = writeTo;
    return session::buildModel(m, r, progress);
  }

  static std::vector<HostTensor> run(const om::Model& m, const HostTensor& x) {
    auto s = runtime::Session::create(std::make_shared<const om::Model>(m));
    if (!s) qFatal("%s", s.error().message.c_str());
    std::vector<HostTensor> in;
    in.emplace_back(ir::DataType::Float32, x.dims());
    std::memcpy(in[0].data(), x.data(), x.byteSize());
    auto r = (*s)->run(in);
    if (!r) qFatal("%s", r.error().message.c_str());
    return std::move(r->outputs);
  }

private slots:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_model = path("convnet.onnx");
    writeModel(convNet(), m_model);
    m_cal = path("cal");
    writeSamples(m_cal, 16, 100);
  }

  void npyFolderInSortedOrder() {
    const auto dir = path("sorted");
    writeSamples(dir, 3, 7);
    fs::rename(fs::path(dir) / "000", fs::path(dir) / "b");
    fs::rename(fs::path(dir) / "001", fs::path(dir) / "a");
    fs::rename(fs::path(dir) / "002", fs::path(dir) / "c");
    fs::create_directories(fs::path(dir) / ".hidden");
    auto set = session::CalibrationSet::open(dir, xInput(), {});
    QVERIFY2(set, set ? "" : set.error().message.c_str());
    QCOMPARE(set->size(), std::size_t{3});
    QVERIFY(!set->images());
    QVERIFY(set->samplePath(0).ends_with("/a"));
    QVERIFY(set->samplePath(2).ends_with("/c"));
    auto t = set->load(0);
    QVERIFY(t);
    QCOMPARE(t->size(), std::size_t{1});
    QCOMPARE((*t)[0].dims(), (std::vector<int64_t>{1, 3, 16, 16}));
    // "a" was sample 001 (seed 8).
    QCOMPARE((*t)[0].as<float>()[5], sampleTensor({1, 3, 16, 16}, 8).as<float>()[5]);
  }

  void badCalibrationFolders_data() {
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("expect");
    QTest::newRow("missing") << "missing"
                             << "is not a folder";
    QTest::newRow("empty") << "empty"
                           << "holds no samples";
    QTest::newRow("no-input-file") << "no-input-file"
                                   << "has no x.npy";
    QTest::newRow("extra-file") << "extra-file"
                                << "'y.npy', which names no model input";
    QTest::newRow("wrong-dtype") << "wrong-dtype"
                                 << "is int64; input 'x' takes float32";
    QTest::newRow("wrong-shape") << "wrong-shape"
                                 << "has shape [1,4,16,16]";
    QTest::newRow("wrong-rank") << "wrong-rank"
                                << "has shape [3,16,16]";
    QTest::newRow("corrupt-npy") << "corrupt-npy"
                                 << "x.npy";
    QTest::newRow("mixed") << "mixed"
                           << "both sample folders and images";
    QTest::newRow("non-utf8") << "non-utf8"
                              << "is not UTF-8";
    QTest::newRow("too-many") << "too-many"
                              << "more than the 2 allowed";
  }
  void badCalibrationFolders() {
    QFETCH(QString, setup);
    QFETCH(QString, expect);
    const auto dir = path("bad-" + setup.toStdString());
    const auto kind = setup.toStdString();
    session::CalibrationLimits limits;
    if (kind != "missing") fs::create_directories(dir);
    if (kind == "no-input-file") fs::create_directories(fs::path(dir) / "s0");
    if (kind == "extra-file") {
      writeSamples(dir, 1, 1);
      QVERIFY(runtime::npy::write(dir + "/000/y.npy", sampleTensor({1}, 1)));
    }
    if (kind == "wrong-dtype") {
      fs::create_directories(dir + "/s");
      QVERIFY(runtime::npy::write(dir + "/s/x.npy", HostTensor(ir::DataType::Int64, {1, 3, 16, 16})));
    }
    if (kind == "wrong-shape") writeSamples(dir, 1, 1, {1, 4, 16, 16});
    if (kind == "wrong-rank") writeSamples(dir, 1, 1, {3, 16, 16});
    if (kind == "corrupt-npy") {
      fs::create_directories(dir + "/s");
      std::ofstream(dir + "/s/x.npy") << "\x93NUMPY garbage that is no header";
    }
    if (kind == "mixed") {
      writeSamples(dir, 1, 1);
      writePng(dir + "/a.png", 4, 4, 1, 2, 3);
    }
    if (kind == "non-utf8") fs::create_directories(dir + "/ok\xff");
    if (kind == "too-many") {
      writeSamples(dir, 3, 1);
      limits.maxSamples = 2;
    }
    auto set = session::CalibrationSet::open(dir, xInput(), {}, limits);
    auto err = set ? Status{} : Status(std::unexpected(set.error()));
    if (set) {
      // Some problems show when a sample is read.
      for (std::size_t i = 0; i < set->size() && err; ++i)
        if (auto t = set->load(i); !t) err = std::unexpected(t.error());
    }
    QVERIFY2(!err, qPrintable("no error for " + setup));
    QVERIFY2(err.error().message.find(expect.toStdString()) != std::string::npos, err.error().message.c_str());
    QVERIFY(err.error().message.starts_with("calibration: "));
  }

  void imageFolders() {
    const auto dir = path("images");
    fs::create_directories(dir);
    writePng(dir + "/b.png", 40, 30, 200, 100, 50);
    writeJpeg(dir + "/a.jpg", 33, 17, 10, 250, 128);
    std::ofstream(dir + "/notes.txt") << "ignored";
    session::ImagePreprocessing pre{{100.0f, 50.0f, 25.0f}, {0.5f, 0.25f, 2.0f}, false};
    auto set = session::CalibrationSet::open(dir, xInput({-1, 3, 12, 20}), pre);
    QVERIFY2(set, set ? "" : set.error().message.c_str());
    QVERIFY(set->images());
    QCOMPARE(set->size(), std::size_t{2});
    auto png = set->load(1);
    QVERIFY2(png, png ? "" : png.error().message.c_str());
    const auto& t = (*png)[0];
    QCOMPARE(t.dims(), (std::vector<int64_t>{1, 3, 12, 20}));
    // A uniform image stays uniform through the resize: (pixel - mean) * scale per channel exactly.
    QCOMPARE(t.as<float>()[0], (200.0f - 100.0f) * 0.5f);
    QCOMPARE(t.as<float>()[12 * 20 + 7], (100.0f - 50.0f) * 0.25f);
    QCOMPARE(t.as<float>()[2 * 12 * 20 + 239], (50.0f - 25.0f) * 2.0f);
    auto jpg = set->load(0);
    QVERIFY2(jpg, jpg ? "" : jpg.error().message.c_str());
    QVERIFY(std::abs((*jpg)[0].as<float>()[100] - (10.0f - 100.0f) * 0.5f) <= 3.0f); // lossy
    QVERIFY(std::abs((*jpg)[0].as<float>()[240 + 100] - (250.0f - 50.0f) * 0.25f) <= 1.5f);
    // NHWC input, one channel (luma), mean/scale single values.
    session::ImagePreprocessing gray{{10.0f}, {0.1f}, true};
    auto g = session::CalibrationSet::open(dir, xInput({1, 8, 8, 1}), gray);
    QVERIFY(g);
    auto gt = g->load(1);
    QVERIFY(gt);
    QCOMPARE((*gt)[0].dims(), (std::vector<int64_t>{1, 8, 8, 1}));
    QVERIFY(std::abs((*gt)[0].as<float>()[0] - (0.299f * 200 + 0.587f * 100 + 0.114f * 50 - 10.0f) * 0.1f) < 1e-3f);
  }

  void badImages() {
    const auto dir = path("bad-images");
    fs::create_directories(dir);
    {
      std::ofstream f(dir + "/broken.png", std::ios::binary);
      f << "\x89PNG\r\n\x1a\n" << std::string(64, 'z');
    }
    auto set = session::CalibrationSet::open(dir, xInput({1, 3, 8, 8}), {});
    QVERIFY(set);
    auto t = set->load(0);
    QVERIFY(!t);
    QVERIFY2(t.error().message.find("broken.png") != std::string::npos, t.error().message.c_str());
    // Truncated JPEG: libjpeg would fill grey, the set refuses it.
    const auto full = writeJpeg(path("full.jpg"), 64, 64, 1, 2, 3);
    std::ifstream in(full, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    auto cut = session::decodeImage(bytes.substr(0, bytes.size() / 2), "cut.jpg", 1 << 20);
    QVERIFY(!cut);
    QVERIFY2(cut.error().message.find("cut.jpg") != std::string::npos, cut.error().message.c_str());
    QVERIFY(!session::decodeImage("GIF89a....", "x.gif", 1 << 20));
    // Too many pixels: refused from the header.
    const auto big = writePng(path("big.png"), 300, 300, 0, 0, 0);
    std::ifstream bin(big, std::ios::binary);
    std::string bb((std::istreambuf_iterator<char>(bin)), {});
    auto tooBig = session::decodeImage(bb, "big.png", 1000);
    QVERIFY(!tooBig);
    QVERIFY(tooBig.error().message.find("300x300") != std::string::npos);
    // Images for a model whose input is not an image, or whose H, W are not fixed.
    const auto img = path("one-image");
    fs::create_directories(img);
    writePng(img + "/a.png", 4, 4, 1, 2, 3);
    auto r = session::CalibrationSet::open(img, xInput({-1, 3, -1, -1}), {});
    QVERIFY(!r);
    QVERIFY(r.error().message.find("height and width") != std::string::npos);
    r = session::CalibrationSet::open(img, {{"t", ir::DataType::Float32, {1, 16}}}, {});
    QVERIFY(!r);
    r = session::CalibrationSet::open(img, xInput({1, 3, 8, 8}), {{1.0f, 2.0f}, {}, false});
    QVERIFY(!r);
    QVERIFY(r.error().message.find("--calibration_mean") != std::string::npos);
  }

  void int8BuildRunsIntegerKernelsCloseToFp32_data() {
    QTest::addColumn<QString>("method");
    QTest::newRow("minmax") << "minmax";
    QTest::newRow("percentile") << "percentile";
    QTest::newRow("entropy") << "entropy";
  }
  void int8BuildRunsIntegerKernelsCloseToFp32() {
    QFETCH(QString, method);
    auto fp32 = build(m_model, "", "");
    QVERIFY2(fp32, fp32 ? "" : fp32.error().message.c_str());
    auto q = build(m_model, "calibration_method=" + method.toStdString(), m_cal);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    auto ops = opCounts(*q);
    QCOMPARE(ops["QuantConv"], 2);
    QCOMPARE(ops["QuantMatMul"], 2); // the Gemm and the MatMul
    QCOMPARE(ops.count("QuantizeLinear") + ops.count("DequantizeLinear"), std::size_t{0});
    QCOMPARE(ops.count("Relu"), std::size_t{0}); // fused into the QuantConvs
    QCOMPARE(opCounts(*fp32)["QuantConv"], 0);
    // The recorded command shows the quantization options.
    QVERIFY(q->meta.atcCommand.find("--quantize=int8") != std::string::npos);
    QVERIFY(q->meta.atcCommand.find("--calibration=" + m_cal) != std::string::npos);
    double worst = 1.0;
    for (uint32_t s = 0; s < 8; ++s) {
      const auto x = sampleTensor({1, 3, 16, 16}, 5000 + s); // same distribution, other samples
      worst = std::min(worst, cosine(run(*fp32, x)[0], run(*q, x)[0]));
    }
    QVERIFY2(worst > 0.99, qPrintable(QString::number(worst)));
  }

  void affineAndHardSwishFuseIntoQuantConv() {
    const auto model = path("affine.onnx");
    writeModel(affineNet(), model);
    auto fp32 = build(model, "", "");
    QVERIFY(fp32);
    auto q = build(model, "", m_cal);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    auto ops = opCounts(*q);
    QCOMPARE(ops["QuantConv"], 2);
    for (const char* op : {"Mul", "Add", "Clip", "Div", "HardSwish"})
      QVERIFY2(!ops.count(op), op);
    bool hardSwish = false, post = false;
    for (const auto& n : q->gears[0].graph.nodes)
      if (ir::gsop::is(n, ir::gsop::kQuantConv)) {
        hardSwish |= n.attrs.getString(ir::gsop::kActivation, "") == "HardSwish";
        post |= n.attrs.getFloat(ir::gsop::kPostScale, 1.0f) == 0.8f;
      }
    QVERIFY(hardSwish && post);
    double worst = 1.0;
    for (uint32_t s = 0; s < 4; ++s) {
      const auto x = sampleTensor({1, 3, 16, 16}, 7000 + s);
      worst = std::min(worst, cosine(run(*fp32, x)[0], run(*q, x)[0]));
    }
    QVERIFY2(worst > 0.99, qPrintable(QString::number(worst)));
  }

  void calibrationIsDeterministic() {
    auto m = onnx_import::importModel(m_model);
    QVERIFY(m);
    for (auto method : {"minmax", "entropy"}) {
      session::CalibrationOptions o;
      auto r = request(std::string("calibration_method=") + method, m_cal);
      QVERIFY(r);
      o.config = r->config;
      auto a = session::calibrateInt8(*m, o);
      auto b = session::calibrateInt8(*m, o);
      QVERIFY2(a && b, a ? "" : a.error().message.c_str());
      QVERIFY(a->quantizedOnnx == b->quantizedOnnx);
      QCOMPARE(a->ranges.size(), std::size_t{4});
      for (const auto& [name, range] : a->ranges) {
        QCOMPARE(std::bit_cast<uint32_t>(range.lo), std::bit_cast<uint32_t>(b->ranges[name].lo));
        QCOMPARE(std::bit_cast<uint32_t>(range.hi), std::bit_cast<uint32_t>(b->ranges[name].hi));
      }
      QCOMPARE(a->samples, std::size_t{16});
    }
  }

  void minMaxRangeIsTheDataRange() {
    // The first Conv reads x itself: its range is exactly the samples' min and max.
    auto m = onnx_import::importModel(m_model);
    QVERIFY(m);
    session::CalibrationOptions o;
    o.config = request("", m_cal)->config;
    auto a = session::calibrateInt8(*m, o);
    QVERIFY(a);
    float lo = 1e30f, hi = -1e30f;
    for (uint32_t i = 0; i < 16; ++i) {
      const auto t = sampleTensor({1, 3, 16, 16}, 100 + i);
      for (int64_t k = 0; k < t.numel(); ++k) {
        lo = std::min(lo, t.as<float>()[k]);
        hi = std::max(hi, t.as<float>()[k]);
      }
    }
    QCOMPARE(a->ranges["x"].lo, lo);
    QCOMPARE(a->ranges["x"].hi, hi);
    QVERIFY(a->ranges["r1"].lo == 0.0f); // after a Relu
  }

  void keepListKeepsANodeFloat() {
    const auto keep = path("keep.txt");
    std::ofstream(keep) << "conv2\nOpType::MatMul\n";
    auto q = build(m_model, "keep_dtype=" + keep, m_cal);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    auto ops = opCounts(*q);
    QCOMPARE(ops["QuantConv"], 1);
    QCOMPARE(ops["QuantMatMul"], 1); // the Gemm only
    bool conv2Float = false;
    for (const auto& n : q->gears[0].graph.nodes)
      if (n.name == "conv2") conv2Float = !ir::gsop::is(n, ir::gsop::kQuantConv);
    QVERIFY(conv2Float);
  }

  void writesTheQuantizedModel() {
    const auto out = path("written_int8.onnx");
    std::vector<std::string> stages;
    Progress progress;
    progress.onEvent = [&](const ProgressEvent& e) {
      if (stages.empty() || stages.back() != e.stage) stages.push_back(e.stage);
    };
    auto q = build(m_model, "", m_cal, progress, out);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    QVERIFY(!stages.empty() && stages.front() == "calibrate");
    auto back = onnx_import::importModel(out);
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    int q8 = 0;
    for (const auto& n : back->graph.nodes)
      q8 += n.opType == "QuantizeLinear" ? 1 : 0;
    QCOMPARE(q8, 4);
    // The written model builds again as a plain (already quantized) model.
    session::BuildRequest r;
    r.config = request("", "")->config;
    auto again = session::buildModel(*back, r);
    QVERIFY2(again, again ? "" : again.error().message.c_str());
    QCOMPARE(opCounts(*again)["QuantConv"], 2);
  }

  void cancellation() {
    CancelToken token;
    token.cancel();
    Progress p;
    p.cancel = &token;
    auto q = build(m_model, "", m_cal, p);
    QVERIFY(!q);
    QCOMPARE(q.error().code, std::string(codes::kCancelled));
  }

  void modelErrors() {
    // An already quantized model: the written QDQ model itself.
    const auto qdq = path("qdq_again.onnx");
    QVERIFY(build(m_model, "", m_cal, {}, qdq));
    auto again = build(qdq, "", m_cal);
    QVERIFY(!again);
    QVERIFY2(again.error().message.find("already quantized") != std::string::npos, again.error().message.c_str());
    // A float16 model.
    // A float16 model (its input cast to float for the convs).
    auto half = convNet();
    half.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto::FLOAT16);
    half.mutable_graph()->mutable_node(0)->set_input(0, "x32");
    intAttr(test::addNode(half.mutable_graph(), "Cast", {"x"}, {"x32"}), "to", onnx::TensorProto::FLOAT);
    const auto halfPath = path("half.onnx");
    writeModel(half, halfPath);
    auto hm = onnx_import::importModel(halfPath);
    QVERIFY2(hm, hm ? "" : hm.error().message.c_str());
    auto h = session::buildModel(*hm, *request("", m_cal));
    QVERIFY(!h);
    QVERIFY2(h.error().message.find("16-bit") != std::string::npos, h.error().message.c_str());
    // Samples that do not fit the model: other input names, other fixed dims.
    const auto wrongName = path("wrong-name");
    writeSamples(wrongName, 1, 1);
    fs::rename(wrongName + "/000/x.npy", wrongName + "/000/input.npy");
    auto e = build(m_model, "", wrongName);
    QVERIFY(!e);
    QVERIFY2(e.error().message.find("input.npy") != std::string::npos, e.error().message.c_str());
    const auto wrongShape = path("wrong-shape-16");
    writeSamples(wrongShape, 2, 1, {1, 3, 8, 16});
    e = build(m_model, "", wrongShape);
    QVERIFY(!e);
    QVERIFY2(e.error().message.find("[1,3,8,16]") != std::string::npos, e.error().message.c_str());
    // A model not read from a file.
    auto mem = onnx_import::importModelFromBytes(convNet().SerializeAsString(), "");
    QVERIFY(mem);
    mem->sourcePath.clear();
    auto r = request("", m_cal);
    auto noFile = session::buildModel(*mem, *r);
    QVERIFY(!noFile);
    QVERIFY(noFile.error().message.find(".onnx file") != std::string::npos);
  }

  void samplesOfSeveralShapes() {
    // Free dims take each sample's own size: one float build per shape, ranges over all samples.
    const auto dir = path("shapes");
    writeSamples(dir + "/a", 2, 1, {1, 3, 16, 16});
    writeSamples(dir + "/b", 2, 9, {2, 3, 16, 16});
    for (const auto& sub : {"a", "b"})
      for (const auto& e : fs::directory_iterator(dir + "/" + sub))
        fs::rename(e.path(), fs::path(dir) / (std::string(sub) + e.path().filename().string()));
    fs::remove(dir + "/a");
    fs::remove(dir + "/b");
    auto m = onnx_import::importModel(m_model);
    QVERIFY(m);
    session::CalibrationOptions o; // no --input_shape: N, H, W free
    o.config.precision.quantizeInt8 = true;
    o.config.precision.calibrationDir = dir;
    auto c = session::calibrateInt8(*m, o);
    QVERIFY2(c, c ? "" : c.error().message.c_str());
    QCOMPARE(c->samples, std::size_t{4});
    o.maxShapes = 1;
    c = session::calibrateInt8(*m, o);
    QVERIFY(!c);
    QVERIFY(c.error().message.find("different shapes") != std::string::npos);
  }

  void opsetNineModelIsRaised() {
    const auto old = path("opset9.onnx");
    auto m = convNet(9);
    writeModel(m, old);
    auto q = build(old, "", m_cal);
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    QCOMPARE(opCounts(*q)["QuantConv"], 2);
  }
};

QTEST_GUILESS_MAIN(TestCalibration)
#include "test_calibration.moc"

// GearStudio's own ops end to end, and the device boundary they rely on:
// - a compiled model holds ai.gearstudio ops and no gs_* attribute on any op;
// - a device whose table lacks a GearStudio op's kernel refuses the model at load, naming the op;
// - a compile for such a target skips the passes that would create the op, and the unfused graph
//   computes the same outputs;
// - a format-1 .om (tests/data/om/v1_fused.om, gs_* attributes) is read, translated and computes what
//   a fresh compile of its source model computes;
// - a run sets the device's thread count only for itself (the caller's OpenMP setting is kept);
// - the CPU table's dtype lists agree with the kernels' further checks.
#include <QtTest>

#include <set>

#include <cmath>
#include <map>
#include <random>

#include <omp.h>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/ir/gs_ops.h"
#include "core/ir/layout.h"
#include "core/om/om_file.h"
#include "core/runtime/cpu/cpu_device.h"
#include "core/runtime/cpu/kernels/half_widen.h"
#include "core/runtime/session.h"
#include "core/session/compile_target.h"

using namespace gs;
using runtime::HostTensor;

namespace {

const std::string kDataDir = std::string(GS_SOURCE_DIR) + "/tests/data/om/";

HostTensor noise(const std::vector<int64_t>& dims, uint32_t seed) {
  HostTensor t(ir::DataType::Float32, dims);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.as<float>()[i] = d(rng);
  return t;
}

double maxRelDiff(const HostTensor& a, const HostTensor& b) {
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as<float>()[i], y = b.as<float>()[i];
    worst = std::max(worst, std::abs(x - y) / (1e-4 + std::abs(y)));
  }
  return worst;
}

std::map<std::string, int> opCounts(const ir::Graph& g) {
  std::map<std::string, int> ops;
  for (const auto& n : g.nodes)
    ops[(n.domain.empty() ? "" : n.domain + ".") + n.opType]++;
  return ops;
}

// Runs every gear of `model` on `device` with the same inputs per gear; outputs per gear.
Expected<std::vector<std::vector<HostTensor>>> runAll(const runtime::Device& device,
                                                      std::shared_ptr<const om::Model> model) {
  GS_ASSIGN_OR_RETURN(auto dm, device.load(model, {}));
  std::vector<std::vector<HostTensor>> out;
  for (std::size_t g = 0; g < model->gears.size(); ++g) {
    GS_ASSIGN_OR_RETURN(auto plan, dm->prepare(static_cast<int>(g)));
    auto x = noise(model->gears[g].inputs[0].dims, 7u + static_cast<uint32_t>(g));
    std::vector<HostTensor> y;
    GS_RETURN_IF_ERROR(plan->run(std::span(&x, 1), y, nullptr));
    out.push_back(std::move(y));
  }
  return out;
}

} // namespace

class TestGearStudioOps : public QObject {
  Q_OBJECT

  ir::Model m_model;
  shape_config::ShapeConfig m_config;

  Expected<om::Model> compile(const compiler::Target& target, std::vector<std::string> disabled = {}) {
    compiler::CompileOptions co;
    co.target = target;
    co.verifyEachPass = true;
    co.disabledPasses = std::move(disabled);
    return compiler::compile(m_model, m_config, co, {});
  }

  static runtime::cpu::CpuDevice without(std::initializer_list<std::string_view> ops) {
    auto table = runtime::cpu::cpuKernelTable();
    for (auto op : ops)
      table = table.without(ir::gsop::kDomain, op);
    return runtime::cpu::CpuDevice(std::move(table));
  }

  void compareRuns(const std::vector<std::vector<HostTensor>>& a, const std::vector<std::vector<HostTensor>>& b) {
    QCOMPARE(a.size(), b.size());
    for (std::size_t g = 0; g < a.size(); ++g) {
      QCOMPARE(a[g].size(), b[g].size());
      for (std::size_t o = 0; o < a[g].size(); ++o) {
        QCOMPARE(a[g][o].dims(), b[g][o].dims());
        const double d = maxRelDiff(a[g][o], b[g][o]);
        QString values;
        for (int64_t i = 0; i < std::min<int64_t>(a[g][o].numel(), 8); ++i)
          values += QString(" %1/%2").arg(a[g][o].as<float>()[i]).arg(b[g][o].as<float>()[i]);
        QVERIFY2(d < 1e-4, qPrintable(QString("gear %1 output %2 differs by %3:%4").arg(g).arg(o).arg(d).arg(values)));
      }
    }
  }

private slots:
  void initTestCase() {
    auto m = onnx_import::importModel(kDataDir + "v1_fused.onnx");
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    m_model = std::move(*m);
    shape_config::AtcOptions o;
    QVERIFY(shape_config::setOption(o, "input_shape", "x:1,3,-1,-1"));
    QVERIFY(shape_config::setOption(o, "dynamic_image_size", "8,8;12,12"));
    auto config = shape_config::fromOptions(o);
    QVERIFY(config);
    m_config = *config;
  }

  void compiledGraphHoldsGearStudioOps() {
    auto om = compile(session::compileTarget(runtime::cpu::cpuDevice()));
    QVERIFY2(om, om ? "" : om.error().str().c_str());
    QCOMPARE(om->meta.extra["target_device"], std::string("cpu"));
    for (const auto& gear : om->gears) {
      for (const auto& n : gear.graph.nodes)
        for (const auto& [name, a] : n.attrs)
          QVERIFY2(name.rfind("gs_", 0) != 0, (n.name + ": " + name).c_str());
      auto ops = opCounts(gear.graph);
      QCOMPARE(ops["ai.gearstudio.FusedConv"], 4);
      QCOMPARE(ops["ai.gearstudio.FusedConvTranspose"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedGemm"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedMatMul"], 1);
      QCOMPARE(ops["ai.gearstudio.NhwcMaxPool"], 1);
      QCOMPARE(ops["ai.gearstudio.NhwcGlobalAveragePool"], 1);
      QCOMPARE(ops["Conv"], 0);
    }
  }

  void missingKernelRefusedAtLoadNamingTheOp() {
    auto om = compile(session::compileTarget(runtime::cpu::cpuDevice()));
    QVERIFY(om);
    const auto model = std::make_shared<const om::Model>(std::move(*om));
    for (std::string_view op : {ir::gsop::kFusedConv, ir::gsop::kFusedGemm, ir::gsop::kNhwcMaxPool}) {
      const auto device = without({op});
      QVERIFY(!device.hasOp(ir::gsop::kDomain, op, 17));
      auto dm = device.load(model, {});
      QVERIFY(!dm);
      QCOMPARE(QString::fromStdString(dm.error().code), QString(codes::kUnsupported));
      QVERIFY2(dm.error().message.find("ai.gearstudio." + std::string(op)) != std::string::npos,
               dm.error().message.c_str());
      QVERIFY2(dm.error().message.find("gear 0") != std::string::npos, dm.error().message.c_str());
    }
  }

  void gatedPassesLeaveTheGraphUnfusedAndCorrect() {
    auto full = compile(session::compileTarget(runtime::cpu::cpuDevice()));
    QVERIFY2(full, full ? "" : full.error().str().c_str());
    auto reference = runAll(runtime::cpu::cpuDevice(), std::make_shared<const om::Model>(std::move(*full)));
    QVERIFY2(reference, reference ? "" : reference.error().str().c_str());

    // No FusedConv: every fusion pass needs it, so none runs.
    {
      const auto device = without({ir::gsop::kFusedConv});
      const auto target = session::compileTarget(device);
      const auto text = compiler::pipelineText(target);
      QVERIFY2(text.find("[skipped: target 'cpu' has no kernel for ai.gearstudio.FusedConv]") != std::string::npos,
               text.c_str());
      auto om = compile(target);
      QVERIFY2(om, om ? "" : om.error().str().c_str());
      for (const auto& gear : om->gears) {
        auto ops = opCounts(gear.graph);
        QCOMPARE(ops["Conv"], 4);
        QCOMPARE(ops["ConvTranspose"], 1);
        QCOMPARE(ops["MaxPool"], 1);
        for (const auto& [op, count] : ops)
          QVERIFY2(op.rfind("ai.gearstudio.", 0) != 0, op.c_str());
      }
      auto runs = runAll(device, std::make_shared<const om::Model>(std::move(*om)));
      QVERIFY2(runs, runs ? "" : runs.error().str().c_str());
      compareRuns(*runs, *reference);
    }
    // No channels-last pool: only layout-nhwc is skipped; the activations are still fused.
    {
      const auto device = without({ir::gsop::kNhwcMaxPool});
      auto om = compile(session::compileTarget(device));
      QVERIFY2(om, om ? "" : om.error().str().c_str());
      for (const auto& gear : om->gears) {
        auto ops = opCounts(gear.graph);
        QCOMPARE(ops["ai.gearstudio.FusedConv"], 4);
        QCOMPARE(ops["MaxPool"], 1);
        QCOMPARE(ops["Transpose"], 0);
        for (const auto& n : gear.graph.nodes)
          QVERIFY(!ir::isChannelsLast(n));
      }
      auto runs = runAll(device, std::make_shared<const om::Model>(std::move(*om)));
      QVERIFY2(runs, runs ? "" : runs.error().str().c_str());
      compareRuns(*runs, *reference);
    }
  }

  // Each fusion pass alone, and all of them, compute what the unfused graph computes.
  void eachFusionKeepsTheOutputs() {
    const std::vector<std::string> fusions = {"fuse-conv-add", "fuse-hardswish", "fuse-activation", "fuse-post-affine",
                                              "layout-nhwc"};
    const auto target = session::compileTarget(runtime::cpu::cpuDevice());
    auto plain = compile(target, fusions);
    QVERIFY2(plain, plain ? "" : plain.error().str().c_str());
    auto reference = runAll(runtime::cpu::cpuDevice(), std::make_shared<const om::Model>(std::move(*plain)));
    QVERIFY2(reference, reference ? "" : reference.error().str().c_str());
    for (std::size_t only = 0; only <= fusions.size(); ++only) {
      std::vector<std::string> disabled;
      for (std::size_t i = 0; i < fusions.size(); ++i)
        if (only < fusions.size() && i != only) disabled.push_back(fusions[i]);
      qInfo("fusions: %s", only < fusions.size() ? fusions[only].c_str() : "all");
      auto om = compile(target, disabled);
      QVERIFY2(om, om ? "" : om.error().str().c_str());
      auto runs = runAll(runtime::cpu::cpuDevice(), std::make_shared<const om::Model>(std::move(*om)));
      QVERIFY2(runs, runs ? "" : runs.error().str().c_str());
      compareRuns(*runs, *reference);
    }
  }

  void format1FileComputesWhatAFreshCompileComputes() {
    auto old = om::readFile(kDataDir + "v1_fused.om");
    QVERIFY2(old, old ? "" : old.error().str().c_str());
    auto fresh = compile(session::compileTarget(runtime::cpu::cpuDevice()));
    QVERIFY(fresh);
    // The same op types node for node: the translation gives what this version compiles.
    QCOMPARE(old->gears.size(), fresh->gears.size());
    for (std::size_t g = 0; g < old->gears.size(); ++g)
      QCOMPARE(opCounts(old->gears[g].graph), opCounts(fresh->gears[g].graph));
    // And the outputs of the unfused model (every fusion pass disabled).
    auto plain = compile(session::compileTarget(runtime::cpu::cpuDevice()),
                         {"fuse-conv-add", "fuse-hardswish", "fuse-activation", "fuse-post-affine", "layout-nhwc"});
    QVERIFY(plain);
    auto a = runAll(runtime::cpu::cpuDevice(), std::make_shared<const om::Model>(std::move(*old)));
    auto b = runAll(runtime::cpu::cpuDevice(), std::make_shared<const om::Model>(std::move(*plain)));
    QVERIFY2(a, a ? "" : a.error().str().c_str());
    QVERIFY2(b, b ? "" : b.error().str().c_str());
    compareRuns(*a, *b);
  }

  void runKeepsTheCallersThreadCount() {
    auto om = compile(session::compileTarget(runtime::cpu::cpuDevice()));
    QVERIFY(om);
    const int before = omp_get_max_threads();
    const int mine = before == 1 ? 2 : 1;
    auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(*om)),
                                      runtime::SessionOptions{"cpu", mine});
    QVERIFY2(s, s ? "" : s.error().str().c_str());
    QCOMPARE(omp_get_max_threads(), before);
    auto x = noise((*s)->model().gears[0].inputs[0].dims, 3u);
    auto r = (*s)->run(std::span(&x, 1));
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QCOMPARE(omp_get_max_threads(), before);
  }

  // For every row of the CPU table and every type its dtype list names for input 0, some choice of
  // the other inputs' types passes the row's check: the list never names a type the kernel refuses.
  void tableDtypeListsAgreeWithChecks() {
    const ir::DataType candidates[] = {ir::DataType::Undefined, ir::DataType::Float32, ir::DataType::Float64,
                                       ir::DataType::Int32,     ir::DataType::Int64,   ir::DataType::Bool,
                                       ir::DataType::UInt8,     ir::DataType::Float16};
    const auto& table = runtime::cpu::cpuKernelTable();
    std::map<std::string, int> rowsPerOp;
    for (const auto& e : table.entries()) {
      // A widened 16-bit float row (kernels/half_widen.h) accompanies its float32 row.
      if (!e.widensHalf) ++rowsPerOp[std::string(e.domain) + "." + std::string(e.opType)];
      QVERIFY(e.create);
      QVERIFY(!e.types.empty());
      if (!e.check) continue;
      // What KernelTable::find does: a widened row's check sees the 16-bit types as float32.
      auto check = [&e](const ir::Node& node, const std::vector<ir::DataType>& types) {
        return e.widensHalf ? e.check(node, runtime::cpu::widenHalfTypes(types)) : e.check(node, types);
      };
      ir::Node n;
      n.domain = std::string(e.domain);
      n.opType = std::string(e.opType);
      n.attrs.set("to", ir::Attribute::ofInt(1)); // Cast's target
      for (int t = 1; t <= 16; ++t) {
        const auto t0 = static_cast<ir::DataType>(t);
        if (!e.types.has(t0)) continue;
        bool any = false;
        for (std::size_t inputs = 1; inputs <= 3 && !any; ++inputs) // every input of one type
          any = check(n, std::vector<ir::DataType>(inputs, t0));
        for (std::size_t inputs = 1; inputs <= 3 && !any; ++inputs) {
          std::vector<ir::DataType> types(inputs, t0);
          // Try the other inputs with every candidate type, all alike or the first after X.
          for (auto other : candidates) {
            for (std::size_t i = 1; i < inputs; ++i)
              types[i] = other;
            if (check(n, types)) any = true;
            if (inputs == 3) {
              types[1] = other;
              types[2] = t0;
              if (check(n, types)) any = true;
              types[1] = ir::DataType::Int64;
              types[2] = other;
              if (check(n, types)) any = true;
              types[1] = t0; // two data inputs, then an index input (RoiAlign)
              if (check(n, types)) any = true;
            }
          }
        }
        QVERIFY2(any, (std::string(e.opType) + " lists " + std::string(ir::dtypeName(t0)) + " but refuses it").c_str());
      }
    }
    // One row per op, except the vectorised float32 math rows of the nn table (unary_vector.h), which
    // come first and serve float32 only; the basic table's row after them keeps the other dtypes.
    const std::set<std::string> vectorised{".Exp", ".Log", ".Tanh", ".Sigmoid", ".Sqrt", ".Erf"};
    for (const auto& [op, rows] : rowsPerOp) {
      QVERIFY2(rows == (vectorised.count(op) ? 2 : 1), op.c_str());
      if (!vectorised.count(op)) continue;
      std::vector<const runtime::cpu::KernelEntry*> ordered; // in lookup order
      for (const auto& e : table.entries())
        if (e.domain.empty() && !e.widensHalf && std::string_view(op).substr(1) == e.opType) ordered.push_back(&e);
      QVERIFY(ordered.size() == 2);
      QVERIFY2(ordered[0]->types.has(ir::DataType::Float32) && !ordered[0]->types.has(ir::DataType::Int32), op.c_str());
      QVERIFY2(ordered[1]->types.has(ir::DataType::Float32), op.c_str()); // the fallback covers it too
    }
    for (std::string_view op : {ir::gsop::kFusedConv, ir::gsop::kFusedConvTranspose, ir::gsop::kFusedGemm,
                                ir::gsop::kFusedMatMul, ir::gsop::kNhwcMaxPool, ir::gsop::kNhwcAveragePool,
                                ir::gsop::kNhwcGlobalAveragePool, ir::gsop::kNhwcGlobalMaxPool})
      QVERIFY2(table.has(ir::gsop::kDomain, op, 17), std::string(op).c_str());
    // Opset ranges: Scan's kernel starts at opset 9.
    QVERIFY(!table.has("", "Scan", 8));
    QVERIFY(table.has("", "Scan", 9));
  }
};

QTEST_GUILESS_MAIN(TestGearStudioOps)
#include "test_gearstudio_ops.moc"

// The conformance case runner: one case in this process (import, compile per input-shape set, .om
// round trip, load and run on the device, compare). Which ops a device runs is asked of the device for
// each case (no cached op list). Cases run in forked children through case_supervisor.cpp; outputs
// are compared by tensor_compare.cpp.
#include "core/session/conformance.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "core/compiler/onnx/importer.h"
#include "core/om/om_file.h"
#include "core/runtime/device.h"
#include "core/runtime/node_exec.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"
#include "core/session/tensor_compare.h"

namespace fs = std::filesystem;

namespace gs::session {
namespace {

struct Outcome {
  CaseStatus status;
  std::string reason;
};
Outcome passed() { return {CaseStatus::Passed, {}}; }
Outcome failed(std::string r) { return {CaseStatus::Failed, std::move(r)}; }
Outcome skipped(std::string r) { return {CaseStatus::Skipped, std::move(r)}; }

std::string opName(const ir::Node& n) { return (n.domain.empty() ? "" : n.domain + ".") + n.opType; }

// The first node the device cannot run, asked of the device itself (op and opset; with checkTypes
// also the input types), searching subgraph bodies for their ops.
std::optional<std::string> unsupported(const runtime::Device& d, const ir::Graph& g, int64_t opset, bool checkTypes) {
  for (const auto& n : g.nodes) {
    if (!d.hasOp(n.domain, n.opType, opset))
      return "op " + opName(n) + " (opset " + std::to_string(opset) + ") is not supported by device " +
             std::string(d.name());
    if (checkTypes) {
      const auto types = runtime::graphInputTypes(g, n);
      // Omitted optional inputs are Undefined by design; a present input of unknown type cannot be judged.
      bool known = true;
      for (std::size_t i = 0; i < types.size(); ++i)
        known = known && (n.inputs[i] == ir::kNone || types[i] != ir::DataType::Undefined);
      std::string why;
      if (known && !d.supports(n, opset, types, &why))
        return why + " on device " + std::string(d.name()) + " (node '" + n.name + "')";
    }
    for (const auto& [k, a] : n.attrs) {
      if (a.g)
        if (auto r = unsupported(d, *a.g, opset, false)) return r;
      for (const auto& sg : a.graphs)
        if (sg)
          if (auto r = unsupported(d, *sg, opset, false)) return r;
    }
  }
  return std::nullopt;
}

std::vector<fs::path> numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || e.path().extension() != ".pb") continue;
    try {
      found.emplace_back(std::stoi(name.substr(prefix.size())), e.path());
    } catch (...) {}
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [i, p] : found)
    out.push_back(p);
  return out;
}

struct DataSet {
  std::vector<ir::Tensor> inputs;
  std::vector<std::string> inputNames;
  std::vector<ir::Tensor> outputs;
};

Expected<DataSet> readDataSet(const fs::path& dir) {
  DataSet ds;
  for (const auto& p : numbered(dir, "input_")) {
    std::string name;
    GS_ASSIGN_OR_RETURN(auto t, onnx_import::tensorFromProtoFile(p.string(), &name));
    ds.inputs.push_back(std::move(t));
    ds.inputNames.push_back(std::move(name));
  }
  for (const auto& p : numbered(dir, "output_")) {
    GS_ASSIGN_OR_RETURN(auto t, onnx_import::tensorFromProtoFile(p.string()));
    ds.outputs.push_back(std::move(t));
  }
  return ds;
}

Outcome runCaseImpl(const std::string& caseDir, const ConformanceOptions& opt) {
  const runtime::Device* device = runtime::findDevice(opt.device);
  if (!device) return failed("unknown device '" + opt.device + "'");
  const std::string modelPath = (fs::path(caseDir) / "model.onnx").string();
  auto model = onnx_import::importModel(modelPath);
  if (!model) {
    // The importer rejects non-tensor types (sequence, map, optional) with kUnsupported: a type outside
    // the supported set.
    if (model.error().code == codes::kUnsupported) return skipped("import: " + model.error().message);
    return failed("import: " + model.error().str());
  }
  const auto& graph = model->graph;
  const int64_t opset = model->onnxOpset();

  std::vector<fs::path> sets;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(caseDir, ec))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return failed("no test_data_set_* folder");

  std::map<std::string, std::shared_ptr<const om::Model>> compiled; // by --input_shape
  for (const auto& set : sets) {
    auto ds = readDataSet(set);
    if (!ds) {
      if (ds.error().code == codes::kUnsupported) return skipped(ds.error().message);
      return failed("test data: " + ds.error().str());
    }
    if (ds->inputs.size() != graph.inputs.size())
      return failed(std::to_string(ds->inputs.size()) + " input files for " + std::to_string(graph.inputs.size()) +
                    " graph inputs");
    // Bind by name when every file names a graph input, else by position.
    std::vector<std::size_t> slot(ds->inputs.size());
    bool byName = true;
    for (std::size_t i = 0; i < ds->inputs.size() && byName; ++i) {
      const auto id = graph.findValue(ds->inputNames[i]);
      const auto it = std::find(graph.inputs.begin(), graph.inputs.end(), id);
      byName = id != ir::kNone && it != graph.inputs.end();
      if (byName) slot[i] = static_cast<std::size_t>(it - graph.inputs.begin());
    }
    if (!byName)
      for (std::size_t i = 0; i < slot.size(); ++i)
        slot[i] = i;
    std::vector<const ir::Tensor*> ordered(graph.inputs.size());
    for (std::size_t i = 0; i < slot.size(); ++i)
      ordered[slot[i]] = &ds->inputs[i];

    // The static shapes come from the test data, not from a user's --input_shape: the config is
    // built directly, and empty tensors (a dim of 0, legal ONNX) are allowed.
    std::string inputShape;
    shape_config::ShapeConfig config;
    config.allowEmptyDims = true;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const auto& v = graph.values[static_cast<std::size_t>(graph.inputs[i])];
      if (ir::dtypeSize(ordered[i]->dtype) == 0)
        return skipped("input '" + v.name + "' has dtype " + std::string(ir::dtypeName(ordered[i]->dtype)) +
                       ", which is not supported");
      inputShape += (i ? ";" : "");
      inputShape.append(v.name + ":" + ir::joinDims(ordered[i]->dims));
      shape_config::InputSpec in;
      in.name = v.name;
      in.scalar = ordered[i]->dims.empty();
      for (const auto d : ordered[i]->dims)
        in.dims.push_back(shape_config::DimSpec::fixed(d));
      config.inputs.push_back(std::move(in));
    }
    auto& om = compiled[inputShape];
    if (!om) {
      BuildRequest request;
      request.config = std::move(config);
      ir::Model named = *model; // constants share storage: cheap
      if (named.sourcePath.empty()) named.sourcePath = modelPath;
      auto m = buildModel(named, request);
      if (!m) {
        if (auto why = unsupported(*device, graph, opset, false)) return skipped(*why);
        return failed("compile: " + m.error().str());
      }
      for (const auto& gear : m->gears)
        if (auto why = unsupported(*device, gear.graph, m->meta.opset, true)) return skipped(*why);
      // Through the file format, as a model from gearatc would come.
      auto bytes = om::serialize(*m);
      if (!bytes) return failed("om serialize: " + bytes.error().str());
      auto back = om::deserialize(std::make_shared<ir::StringBuffer>(std::move(*bytes)));
      if (!back) return failed("om read: " + back.error().str());
      om = std::make_shared<const om::Model>(std::move(*back));
    }
    auto session = runtime::Session::create(om, runtime::SessionOptions{opt.device, opt.threads});
    if (!session) return failed("load: " + session.error().str());
    std::vector<runtime::HostTensor> inputs;
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      ir::Tensor t = *ordered[i];
      const auto want = graph.values[static_cast<std::size_t>(graph.inputs[i])].dtype;
      if (t.dtype == ir::DataType::UInt16 && want == ir::DataType::BFloat16) t.dtype = want; // as compareTensors
      inputs.push_back(runtime::HostTensor::fromIr(t));
    }
    auto result = (*session)->run(inputs);
    if (!result) return failed("run: " + result.error().str());
    if (result->outputs.size() < ds->outputs.size())
      return failed(std::to_string(result->outputs.size()) + " outputs, expected " +
                    std::to_string(ds->outputs.size()));
    for (std::size_t i = 0; i < ds->outputs.size(); ++i) {
      if (auto diff = compareTensors(result->outputs[i], ds->outputs[i], opt.rtol, opt.atol)) {
        const auto& name = graph.values[static_cast<std::size_t>(graph.outputs[i])].name;
        return failed(set.filename().string() + ": output " + std::to_string(i) + " '" + name + "': " + *diff);
      }
    }
  }
  return passed();
}

} // namespace

const char* caseStatusName(CaseStatus s) {
  switch (s) {
  case CaseStatus::Passed:
    return "passed";
  case CaseStatus::Skipped:
    return "skipped";
  case CaseStatus::Failed:
    break;
  }
  return "failed";
}

std::vector<std::string> findCases(const std::string& dir) {
  std::vector<std::string> out;
  std::function<void(const fs::path&, int)> walk = [&](const fs::path& d, int depth) {
    std::error_code ec;
    if (fs::exists(d / "model.onnx", ec)) {
      out.push_back(d.string());
      return;
    }
    if (depth >= 3) return;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.is_directory(ec)) walk(e.path(), depth + 1);
  };
  walk(fs::path(dir), 0);
  std::sort(out.begin(), out.end());
  return out;
}

CaseResult runCase(const std::string& caseDir, const ConformanceOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  CaseResult r;
  r.path = caseDir;
  r.name = fs::path(caseDir).filename().string();
  Outcome o = failed("unknown");
  try {
    o = runCaseImpl(caseDir, options);
  } catch (const std::exception& e) {
    o = failed(std::string("exception: ") + e.what());
  }
  r.status = o.status;
  r.reason = std::move(o.reason);
  r.millis = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

} // namespace gs::session

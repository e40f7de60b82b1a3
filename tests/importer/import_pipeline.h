// The path from ONNX bytes to one compiled static gear that the import fuzzer drives
// (fuzz_import.cpp) and the regression test replays on the fuzzer's past findings
// (test_import_fuzz_regressions.cpp): import, JSON view, shape inference, compile.
#pragma once

#include <string>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/model_json.h"
#include "core/ops/registry.h"

namespace gs::test {

// Dims of a static gear: the model's known dims, 1 for symbolic (or zero-size) ones.
inline shape_config::ShapeConfig staticGear(const ir::Graph& g) {
  shape_config::ShapeConfig c;
  for (auto id : g.inputs) {
    const auto& v = g.values[static_cast<std::size_t>(id)];
    shape_config::InputSpec in;
    in.name = v.name;
    in.scalar = v.shape.rankKnown && v.shape.dims.empty();
    if (v.shape.rankKnown)
      for (const auto& d : v.shape.dims)
        in.dims.push_back(shape_config::DimSpec::fixed(d.isKnown() && d.value > 0 ? d.value : 1));
    else
      in.dims.push_back(shape_config::DimSpec::fixed(1));
    c.inputs.push_back(std::move(in));
  }
  return c;
}

// Runs the whole path. Returns "" when every property held (a refusal with a code and a message
// is fine), else the property that did not. Crashes, sanitizer reports and exceptions are the
// caller's to notice.
inline std::string runImportPipeline(std::string bytes) {
  onnx_import::ImportOptions options;
  options.maxFileBytes = 1 << 20;
  auto model = onnx_import::importModelFromBytes(std::move(bytes), "", options);
  const auto described = [](const Error& e) { return !e.code.empty() && !e.message.empty(); };
  if (!model) return described(model.error()) ? "" : "an import error without a code or message";
  (void)onnx_import::modelToJson(*model).dump(); // throws on text that is not UTF-8

  ir::Graph inferred = model->graph;
  ops::GraphInferOptions inferOptions;
  inferOptions.allowUnknownOps = true;
  if (auto st = ops::inferGraph(inferred, model->onnxOpset(), inferOptions); !st && !described(st.error()))
    return "a shape inference error without a code or message";

  auto om = compiler::compile(*model, staticGear(model->graph), {}, {});
  if (!om) return described(om.error()) ? "" : "a compile error without a code or message";
  if (om->gears.size() != 1) return "a static compile did not give exactly one gear";
  return "";
}

} // namespace gs::test

// int8 calibration: measure activations with the float model, write the QDQ model (see calibrate.h).
#include "core/session/calibrate.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/common/log.h"
#include "core/compiler/onnx/importer.h"
#include "core/ops/registry.h"
#include "core/runtime/session.h"
#include "core/session/compile_onnx.h"

namespace gs::session {
namespace {

quantize::RangeMethod methodOf(shape_config::CalibrationMethod m) {
  switch (m) {
  case shape_config::CalibrationMethod::Percentile:
    return quantize::RangeMethod::Percentile;
  case shape_config::CalibrationMethod::Entropy:
    return quantize::RangeMethod::Entropy;
  case shape_config::CalibrationMethod::MinMax:
    break;
  }
  return quantize::RangeMethod::MinMax;
}

Expected<std::string> readSource(const ir::Model& model) {
  std::error_code ec;
  if (model.sourcePath.empty() || !std::filesystem::is_regular_file(model.sourcePath, ec))
    return makeError(codes::kInvalid, "--quantize=int8 needs the model's .onnx file to write the quantized model "
                                      "from; this model was not read from a file");
  std::ifstream in(model.sourcePath, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return makeError(codes::kIo, "cannot read '" + model.sourcePath + "'");
  return bytes;
}

// Ranks of the model's tensors from GearStudio's symbolic shape inference (for raising the opset).
std::map<std::string, int64_t> tensorRanks(const ir::Model& model) {
  std::map<std::string, int64_t> ranks;
  ir::Model copy = model; // constants share storage
  const auto it = copy.opsets.find("");
  const int64_t opset = it == copy.opsets.end() ? 1 : it->second;
  if (!ops::inferGraph(copy.graph, opset)) return ranks; // partial knowledge is still used below
  for (const auto& v : copy.graph.values)
    if (v.shape.rankKnown) ranks[v.name] = static_cast<int64_t>(v.shape.rank());
  return ranks;
}

// The model's inputs with the dims the build fixes (the config's --input_shape, else the first gear).
std::vector<CalibrationInput> calibrationInputs(const ir::Model& model, const shape_config::ShapeConfig& config) {
  std::vector<CalibrationInput> out;
  std::optional<shape_config::GearShapes> firstGear;
  if (config.strategy != Strategy::Static && config.strategy != Strategy::DynamicShape) {
    auto c = config;
    c.outNodes.clear();
    c.precision = {};
    if (auto gears = shape_config::expandGears(c, model.graph); gears && !gears->empty()) firstGear = gears->front();
  }
  for (auto v : model.graph.inputs) {
    const auto& val = model.graph.values[static_cast<std::size_t>(v)];
    CalibrationInput in{val.name, val.dtype, {}};
    for (const auto& d : val.shape.dims)
      in.dims.push_back(d.isKnown() ? d.value : -1);
    if (const auto* spec = config.findInput(val.name); spec && spec->dims.size() == in.dims.size())
      for (std::size_t d = 0; d < in.dims.size(); ++d)
        if (spec->dims[d].kind == shape_config::DimSpec::Kind::Fixed) in.dims[d] = spec->dims[d].value;
    if (firstGear)
      for (const auto& [name, dims] : firstGear->inputs)
        if (name == val.name && dims.size() == in.dims.size())
          for (std::size_t d = 0; d < dims.size(); ++d)
            if (in.dims[d] < 0) in.dims[d] = dims[d];
    out.push_back(std::move(in));
  }
  return out;
}

class Collector {
public:
  Collector(const ir::Model& model, const CalibrationSet& set, const std::vector<std::string>& tensors,
            const CalibrationOptions& options, const Progress& progress)
      : m_model(model), m_set(set), m_tensors(tensors), m_opt(options), m_progress(progress), m_stats(tensors.size()) {}

  Status run(bool histogram) {
    // Samples grouped by shape, groups in order of first appearance; one float build per group.
    std::vector<std::vector<std::vector<int64_t>>> shapes;
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < m_set.size(); ++i) {
      auto it = std::find(shapes.begin(), shapes.end(), m_set.sampleDims(i));
      if (it == shapes.end()) {
        if (shapes.size() == m_opt.maxShapes)
          return makeError(codes::kInvalid, "calibration: the samples come in more than " +
                                                std::to_string(m_opt.maxShapes) +
                                                " different shapes (one float build each); use fewer shapes");
        shapes.push_back(m_set.sampleDims(i));
        groups.emplace_back();
        it = shapes.end() - 1;
      }
      groups[static_cast<std::size_t>(it - shapes.begin())].push_back(i);
    }
    m_passes = histogram ? 2 : 1;
    for (int pass = 0; pass < m_passes; ++pass) {
      m_done = 0;
      if (pass == 1)
        for (auto& s : m_stats)
          s.startHistogram();
      for (std::size_t g = 0; g < groups.size(); ++g)
        GS_RETURN_IF_ERROR(runGroup(shapes[g], groups[g], pass, groups.size() == 1));
    }
    return ok();
  }

  Expected<std::map<std::string, quantize::ActivationRange>> ranges(quantize::RangeMethod method) const {
    std::map<std::string, quantize::ActivationRange> out;
    for (std::size_t t = 0; t < m_tensors.size(); ++t) {
      auto r = m_stats[t].range(method, m_opt.percentile);
      if (!r) return makeError(codes::kInvalid, "calibration: tensor '" + m_tensors[t] + "': " + r.error().message);
      out[m_tensors[t]] = *r;
    }
    return out;
  }

private:
  // A static build of one sample shape whose outputs are the tensors to measure. A tensor that is
  // a graph input is read from the sample itself.
  struct FloatRun {
    std::unique_ptr<runtime::Session> session;
    std::vector<int> inputIndex, outputIndex; // per tensor
  };
  Expected<FloatRun> prepare(const std::vector<std::vector<int64_t>>& dims) const {
    BuildRequest r;
    r.device = m_opt.device;
    r.reproducible = true;
    r.config.inputFormat = m_opt.config.inputFormat;
    const auto& inputs = m_set.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      shape_config::InputSpec spec{inputs[i].name, {}, dims[i].empty()};
      for (auto d : dims[i])
        spec.dims.push_back(shape_config::DimSpec::fixed(d));
      r.config.inputs.push_back(std::move(spec));
    }
    r.config.allowEmptyDims = true;
    FloatRun run;
    run.inputIndex.assign(m_tensors.size(), -1);
    run.outputIndex.assign(m_tensors.size(), -1);
    for (std::size_t t = 0; t < m_tensors.size(); ++t) {
      for (std::size_t i = 0; i < inputs.size(); ++i)
        if (inputs[i].name == m_tensors[t]) run.inputIndex[t] = static_cast<int>(i);
      if (run.inputIndex[t] < 0) r.config.outNodes.push_back(m_tensors[t]);
    }
    if (r.config.outNodes.empty()) return run;
    auto om = buildModel(m_model, r);
    if (!om) return std::unexpected(withContext(om.error(), "calibration: building the float model"));
    auto s = runtime::Session::create(std::make_shared<const om::Model>(std::move(*om)), {m_opt.device, m_opt.threads});
    if (!s) return std::unexpected(withContext(s.error(), "calibration: loading the float model"));
    run.session = std::move(*s);
    const auto outs = run.session->outputDescs(0);
    for (std::size_t t = 0; t < m_tensors.size(); ++t)
      for (std::size_t o = 0; o < outs.size(); ++o)
        if (outs[o].name == m_tensors[t]) run.outputIndex[t] = static_cast<int>(o);
    return run;
  }

  Status runGroup(const std::vector<std::vector<int64_t>>& dims, const std::vector<std::size_t>& samples, int pass,
                  bool keep) {
    // With one sample shape the float build serves both passes.
    if (!m_cached) {
      GS_ASSIGN_OR_RETURN(auto r, prepare(dims));
      m_cached = std::make_unique<FloatRun>(std::move(r));
    }
    const auto& inputIndex = m_cached->inputIndex;
    const auto& outputIndex = m_cached->outputIndex;
    auto* session = m_cached->session.get();
    runtime::RunResult result;
    for (auto i : samples) {
      if (m_progress.cancelled()) return makeError(codes::kCancelled, "calibration cancelled");
      ProgressEvent e;
      e.stage = "calibrate";
      e.fraction = (static_cast<double>(pass) * static_cast<double>(m_set.size()) + static_cast<double>(m_done)) /
                   static_cast<double>(m_passes * m_set.size());
      e.what = "calibrate: sample " + std::to_string(m_done + 1) + "/" + std::to_string(m_set.size()) +
               (m_passes > 1 ? (pass == 0 ? " (ranges)" : " (histograms)") : "");
      e.run = static_cast<int>(m_done + 1);
      e.runs = static_cast<int>(m_set.size());
      m_progress(e);
      GS_ASSIGN_OR_RETURN(auto tensors, m_set.load(i));
      if (session) {
        auto st = session->run(tensors, result);
        if (!st)
          return std::unexpected(withContext(st.error(), "calibration: running sample '" + m_set.samplePath(i) + "'"));
      }
      for (std::size_t t = 0; t < m_tensors.size(); ++t) {
        const runtime::HostTensor* h = inputIndex[t] >= 0    ? &tensors[static_cast<std::size_t>(inputIndex[t])]
                                       : outputIndex[t] >= 0 ? &result.outputs[static_cast<std::size_t>(outputIndex[t])]
                                                             : nullptr;
        if (!h) return makeError(codes::kInternal, "calibration: tensor '" + m_tensors[t] + "' was not computed");
        if (h->dtype() != ir::DataType::Float32)
          return makeError(codes::kUnsupported, "calibration: tensor '" + m_tensors[t] + "' is " +
                                                    std::string(ir::dtypeName(h->dtype())) + ", not float32");
        const std::span<const float> x(h->as<float>(), static_cast<std::size_t>(h->numel()));
        if (pass == 0) {
          if (!m_stats[t].addMinMax(x))
            return makeError(codes::kInvalid, "calibration: tensor '" + m_tensors[t] +
                                                  "' holds NaN or infinite values for sample '" + m_set.samplePath(i) +
                                                  "'");
        } else {
          m_stats[t].addHistogram(x);
        }
      }
      ++m_done;
    }
    if (!keep) m_cached.reset();
    return ok();
  }

  const ir::Model& m_model;
  const CalibrationSet& m_set;
  const std::vector<std::string>& m_tensors;
  const CalibrationOptions& m_opt;
  const Progress& m_progress;
  std::vector<quantize::TensorStatistics> m_stats;
  int m_passes = 1;
  std::size_t m_done = 0;
  std::unique_ptr<FloatRun> m_cached;
};

} // namespace

std::string modelFolder(const ir::Model& model) {
  if (model.sourcePath.empty()) return {};
  const auto parent = std::filesystem::path(model.sourcePath).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Expected<CalibrationResult> calibrateInt8(const ir::Model& model, const CalibrationOptions& options,
                                          const Progress& progress) {
  const auto& precision = options.config.precision;
  GS_ASSIGN_OR_RETURN(auto bytes, readSource(model));
  quantize::QuantizeOptions qo;
  qo.keepNodes = precision.keep.nodes;
  qo.keepOpTypes = precision.keep.opTypes;
  qo.scheme = options.scheme;
  const auto it = model.opsets.find("");
  if (it == model.opsets.end() || it->second < 13) qo.ranks = tensorRanks(model);
  auto prepared = quantize::prepareModel(std::move(bytes), modelFolder(model), qo);
  if (!prepared) return std::unexpected(withContext(prepared.error(), "'" + model.sourcePath + "'"));
  auto floatModel = onnx_import::importModelFromBytes(prepared->bytes, modelFolder(model));
  if (!floatModel) return std::unexpected(withContext(floatModel.error(), "the model prepared for quantization"));
  floatModel->sourcePath = model.sourcePath;

  ImagePreprocessing pre{precision.mean, precision.scale, options.config.inputFormat == "NHWC"};
  GS_ASSIGN_OR_RETURN(auto set,
                      CalibrationSet::open(precision.calibrationDir, calibrationInputs(*floatModel, options.config),
                                           pre, options.limits));
  const auto method = methodOf(precision.method);
  Collector collector(*floatModel, set, prepared->activations, options, progress);
  GS_RETURN_IF_ERROR(collector.run(method != quantize::RangeMethod::MinMax));
  CalibrationResult out;
  GS_ASSIGN_OR_RETURN(out.ranges, collector.ranges(method));
  GS_ASSIGN_OR_RETURN(out.quantizedOnnx, quantize::writeQdqModel(*prepared, out.ranges, qo));
  out.targets = prepared->targets;
  out.kept = prepared->kept;
  out.samples = set.size();
  out.opsetBefore = prepared->opsetBefore;
  out.opsetAfter = prepared->opsetAfter;
  log::get("quantize")
      ->info("int8 calibration of '{}': {} samples, {} method, {} nodes quantized, {} kept float, opset {} -> {}",
             model.sourcePath, set.size(), shape_config::calibrationMethodName(precision.method), out.targets.size(),
             out.kept.size(), out.opsetBefore, out.opsetAfter);
  return out;
}

} // namespace gs::session

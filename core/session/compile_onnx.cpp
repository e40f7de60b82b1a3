// The build entry point: request -> validated config -> compiler::compile -> om::Model.
#include "core/session/compile_onnx.h"

#include <filesystem>
#include <fstream>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/om/om_file.h"
#include "core/session/calibrate.h"
#include "core/session/compile_target.h"

namespace gs::session {
namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Build time and timings: the only values of an .om that depend on the clock.
void dropClockValues(om::Model& m) {
  m.meta.createdUtc.clear();
  m.meta.compileMillis = 0;
  for (auto& g : m.gears) {
    g.compileMillis = 0;
    for (auto& p : g.passes)
      p.millis = 0;
  }
}

// Writes bytes to path through a temporary file in the same folder (no half-written model).
Status writeFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())) || !out.flush())
      return makeError(codes::kIo, "cannot write '" + path + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return makeError(codes::kIo, "cannot write '" + path + "'");
  }
  return ok();
}

// --quantize=int8: calibrate, quantize, then build the QDQ model with the rest of the request. The
// .om records the user's command (with the quantization options).
Expected<om::Model> buildInt8(const ir::Model& model, const BuildRequest& request, const Progress& progress) {
  CalibrationOptions co;
  co.config = request.config;
  co.device = request.device;
  GS_ASSIGN_OR_RETURN(auto calibrated, calibrateInt8(model, co, progress.sub(0.0, 0.7)));
  auto quantized = onnx_import::importModelFromBytes(calibrated.quantizedOnnx, modelFolder(model));
  if (!quantized) return std::unexpected(withContext(quantized.error(), "the quantized model"));
  quantized->sourcePath = model.sourcePath;
  if (!request.quantizedModelPath.empty())
    GS_RETURN_IF_ERROR(writeFileAtomically(request.quantizedModelPath, calibrated.quantizedOnnx));
  BuildRequest inner = request;
  inner.config.precision.quantizeInt8 = false;
  inner.config.precision.calibrationDir.clear();
  inner.config.precision.method = {};
  inner.config.precision.mean.clear();
  inner.config.precision.scale.clear();
  inner.quantizedModelPath.clear();
  if (inner.atcCommand.empty()) inner.atcCommand = buildCommand(model, request.config);
  std::error_code ec;
  if (inner.sourceSha256.empty() && std::filesystem::is_regular_file(model.sourcePath, ec))
    if (auto sha = compiler::sha256File(model.sourcePath)) inner.sourceSha256 = *sha;
  return buildModel(*quantized, inner, progress.sub(0.7, 1.0));
}

} // namespace

std::string buildCommand(const ir::Model& model, const shape_config::ShapeConfig& config) {
  auto opts = shape_config::toOptions(config);
  if (!model.sourcePath.empty()) (void)shape_config::setOption(opts, "model", model.sourcePath);
  (void)shape_config::setOption(opts, "framework", "5");
  return shape_config::toCommandLine(opts);
}

std::string buildKey(const ir::Model& model, const BuildRequest& request) {
  std::string key = request.atcCommand.empty() ? buildCommand(model, request.config) : request.atcCommand;
  for (const auto& p : request.disabledPasses)
    key += " --disable-pass=" + p;
  if (request.device != "cpu") key += " --target=" + request.device;
  // The --keep_dtype file's contents decide the build, not only its name.
  for (const auto& n : request.config.precision.keep.nodes)
    key += " --keep-node=" + n;
  for (const auto& t : request.config.precision.keep.opTypes)
    key += " --keep-type=" + t;
  return key;
}

Expected<om::Model> buildModel(const ir::Model& model, const BuildRequest& request, const Progress& progress) {
  GS_RETURN_IF_ERROR(shape_config::validate(request.config, model));
  if (request.config.precision.quantizeInt8) return buildInt8(model, request, progress);
  compiler::CompileOptions co;
  GS_ASSIGN_OR_RETURN(co.target, compileTarget(request.device)); // passes gated by what the device runs
  co.atcCommand = request.atcCommand.empty() ? buildCommand(model, request.config) : request.atcCommand;
  co.disabledPasses = request.disabledPasses;
  co.sourceSha256 = request.sourceSha256;
  std::error_code ec;
  if (co.sourceSha256.empty() && !model.sourcePath.empty() && std::filesystem::is_regular_file(model.sourcePath, ec))
    if (auto sha = compiler::sha256File(model.sourcePath)) co.sourceSha256 = *sha;
  GS_ASSIGN_OR_RETURN(auto om, compiler::compile(model, request.config, co, progress));
  if (request.reproducible) dropClockValues(om);
  // What runs in this process is what gearbench runs from the written file: the model's bytes as
  // the .om holds them (each constant stored once, 64-byte aligned), read back. Constants left where
  // the importer put them (protobuf strings, any alignment) measured up to 14% slower on the PP-OCR
  // classifier than the same plan read from its .om, so the studio's Profile tab disagreed with
  // gearbench on the same model and gears.
  return om::asFileImage(om);
}

Expected<BuildRequest> requestFromOptions(const shape_config::AtcOptions& options,
                                          std::vector<std::string> disabledPasses) {
  BuildRequest r;
  GS_ASSIGN_OR_RETURN(r.config, shape_config::fromOptions(options));
  r.disabledPasses = std::move(disabledPasses);
  return r;
}

Expected<om::Model> compileModel(const ir::Model& model, const shape_config::AtcOptions& options,
                                 const Progress& progress, std::vector<std::string> disabledPasses) {
  GS_ASSIGN_OR_RETURN(auto request, requestFromOptions(options, std::move(disabledPasses)));
  if (options.model && model.sourcePath.empty()) {
    ir::Model named = model; // constants share storage: cheap
    named.sourcePath = *options.model;
    return buildModel(named, request, progress);
  }
  return buildModel(model, request, progress);
}

Expected<om::Model> compileOnnx(const std::string& path, const shape_config::AtcOptions& options,
                                const Progress& progress, std::vector<std::string> disabledPasses) {
  GS_ASSIGN_OR_RETURN(auto model, onnx_import::importModel(path));
  if (model.sourcePath.empty()) model.sourcePath = path;
  GS_ASSIGN_OR_RETURN(auto request, requestFromOptions(options, std::move(disabledPasses)));
  return buildModel(model, request, progress);
}

Expected<std::shared_ptr<const om::Model>> loadModel(const std::string& path, const shape_config::AtcOptions& options,
                                                     const Progress& progress,
                                                     std::vector<std::string> disabledPasses) {
  if (endsWith(path, ".onnx")) {
    GS_ASSIGN_OR_RETURN(auto m, compileOnnx(path, options, progress, std::move(disabledPasses)));
    return std::make_shared<const om::Model>(std::move(m));
  }
  GS_ASSIGN_OR_RETURN(auto m, om::readFile(path));
  return std::make_shared<const om::Model>(std::move(m));
}

} // namespace gs::session

// Import + shape configuration + compile in one call.
#include "core/session/compile_onnx.h"

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/session/compile_target.h"

namespace gs::session {
namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

Expected<om::Model> compileModel(const ir::Model& model, const shape_config::AtcOptions& options,
                                 const Progress& progress) {
  GS_ASSIGN_OR_RETURN(auto config, shape_config::fromOptions(options));
  GS_RETURN_IF_ERROR(shape_config::validate(config, model));
  compiler::CompileOptions co;
  GS_ASSIGN_OR_RETURN(co.target, compileTarget("cpu")); // the default device, which runs every GearStudio op
  auto canonical = shape_config::toOptions(config);
  if (options.model) GS_RETURN_IF_ERROR(shape_config::setOption(canonical, "model", *options.model));
  GS_RETURN_IF_ERROR(shape_config::setOption(canonical, "framework", "5"));
  co.atcCommand = shape_config::toCommandLine(canonical);
  return compiler::compile(model, config, co, progress);
}

Expected<om::Model> compileOnnx(const std::string& path, const shape_config::AtcOptions& options,
                                const Progress& progress) {
  GS_ASSIGN_OR_RETURN(auto model, onnx_import::importModel(path));
  auto opts = options;
  if (!opts.model) GS_RETURN_IF_ERROR(shape_config::setOption(opts, "model", path));
  GS_ASSIGN_OR_RETURN(auto om, compileModel(model, opts, progress));
  if (auto sha = compiler::sha256File(path)) om.meta.sourceSha256 = *sha;
  if (om.meta.sourcePath.empty()) om.meta.sourcePath = path;
  return om;
}

Expected<std::shared_ptr<const om::Model>> loadModel(const std::string& path, const shape_config::AtcOptions& options,
                                                     const Progress& progress) {
  if (endsWith(path, ".onnx")) {
    GS_ASSIGN_OR_RETURN(auto m, compileOnnx(path, options, progress));
    return std::make_shared<const om::Model>(std::move(m));
  }
  GS_ASSIGN_OR_RETURN(auto m, om::readFile(path));
  return std::make_shared<const om::Model>(std::move(m));
}

} // namespace gs::session

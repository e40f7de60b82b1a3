// Model import: read (mapped, size-limited), parse, check, convert, verify. Every protobuf/ONNX
// exception stops here and becomes an Error naming the file.
//
// Memory: the file is mapped, not read into a string; protobuf copies each tensor's bytes once into
// the message while parsing, and that one copy is then moved (not copied) into the IR, so a model's
// weights exist once on the heap after import. The pages of the mapping that parsing has passed are
// dropped as it goes, so even the peak holds the weights about once. External-data weights are not
// copied at all: tensors view the mapped data file.
#include "core/compiler/onnx/importer.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include "core/common/log.h"
#include "core/compiler/onnx/gradient_lowering.h"
#include "core/compiler/onnx/graph_import.h"
#include "core/compiler/onnx/model_checks.h"
#include "core/compiler/onnx/sequence_lowering.h"
#include "core/compiler/onnx/tensor_proto.h"

namespace gs::onnx_import {
namespace {

// Hands protobuf a mapped file in chunks and drops the pages it has moved past from this process.
// MADV_DONTNEED on a read-only private file mapping only unmaps pages (a later access would read
// the unchanged file again), so this is safe even if the parser looked back.
class MappedInputStream final : public google::protobuf::io::ZeroCopyInputStream {
public:
  MappedInputStream(const std::byte* data, std::size_t size) : m_data(data), m_size(size) {}

  bool Next(const void** data, int* size) override {
    if (m_pos >= m_size) return false;
    if (m_pos > 2 * kChunk) release(m_pos - 2 * kChunk); // keep the chunk before for BackUp
    const auto n = std::min(kChunk, m_size - m_pos);
    *data = m_data + m_pos;
    *size = static_cast<int>(n);
    m_pos += n;
    return true;
  }
  void BackUp(int count) override { m_pos -= static_cast<std::size_t>(count); }
  bool Skip(int count) override {
    const auto c = static_cast<std::size_t>(count);
    if (c > m_size - m_pos) {
      m_pos = m_size;
      return false;
    }
    m_pos += c;
    return true;
  }
  int64_t ByteCount() const override { return static_cast<int64_t>(m_pos); }

private:
  static constexpr std::size_t kChunk = std::size_t{4} << 20;

  void release(std::size_t end) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    end = end / page * page;
    if (end <= m_released) return;
    ::madvise(const_cast<std::byte*>(m_data) + m_released, end - m_released, MADV_DONTNEED);
    m_released = end;
  }

  const std::byte* m_data;
  std::size_t m_size;
  std::size_t m_pos = 0;
  std::size_t m_released = 0;
};

// Parses a protobuf message from a stream with a total-bytes limit.
Status parseStream(google::protobuf::MessageLite& msg, google::protobuf::io::ZeroCopyInputStream& input,
                   std::size_t size, uint64_t maxBytes, const std::string& source, const char* kind) {
  const uint64_t limit = std::min<uint64_t>(maxBytes, INT_MAX);
  if (size == 0) return makeError(codes::kFormat, "'" + source + "' is empty");
  if (size > limit)
    return makeError(codes::kFormat, "'" + source + "' is " + std::to_string(size) + " bytes, more than the " +
                                         std::to_string(limit) +
                                         " bytes that can be parsed (store large weights as ONNX external data)");
  google::protobuf::io::CodedInputStream stream(&input);
  stream.SetTotalBytesLimit(static_cast<int>(limit));
  if (!msg.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return makeError(codes::kFormat, "'" + source + "' cannot be parsed as " + kind +
                                         ": the file is truncated, corrupt or of another kind");
  return ok();
}

Status parseMapped(google::protobuf::MessageLite& msg, const ir::MappedFile& file, uint64_t maxBytes,
                   const std::string& source, const char* kind) {
  MappedInputStream input(file.data(), file.size());
  return parseStream(msg, input, file.size(), maxBytes, source, kind);
}

// Parses a protobuf message from bytes with a total-bytes limit.
Status parseMessage(google::protobuf::MessageLite& msg, const void* data, std::size_t size, uint64_t maxBytes,
                    const std::string& source, const char* kind) {
  google::protobuf::io::ArrayInputStream input(data, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  return parseStream(msg, input, size, maxBytes, source, kind);
}

std::string folderOf(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Expected<ir::Model> convertModel(onnx::ModelProto& proto, const std::string& source, const std::string& baseDir,
                                 const ImportOptions& options) {
  if (!proto.has_graph()) return makeError(codes::kFormat, "'" + source + "' is not an ONNX model: it has no graph");
  if (proto.ir_version() <= 0)
    return makeError(codes::kFormat, "'" + source + "' is not an ONNX model: it has no valid ir_version");
  ImportContext ctx{options, ExternalData(baseDir)};
  auto context = [&](Error e) { return std::unexpected(withContext(std::move(e), "'" + source + "'")); };

  if (auto st = preflight(proto, options, ctx.external); !st) return context(st.error());
  // After the preflight (which bounds subgraph nesting), before the checker (which wants the order).
  auto sorted = sortNodesTopologically(*proto.mutable_graph());
  if (!sorted) return context(sorted.error());
  if (!sorted->empty())
    log::get("import")->warn("'{}': the nodes were not in topological order; sorted them as ONNX Runtime does ({})",
                             source, *sorted);
  if (options.runChecker)
    if (auto st = runOnnxChecker(proto, baseDir); !st) return context(st.error());

  {
    const auto it = std::find_if(proto.opset_import().begin(), proto.opset_import().end(),
                                 [](const auto& o) { return o.domain().empty() || o.domain() == "ai.onnx"; });
    const int64_t opset = it == proto.opset_import().end() ? 1 : it->version();
    if (const int n = lowerStaticSequences(*proto.mutable_graph(), opset))
      log::get("import")->info("'{}': {} sequence ops of static sequences rewritten as tensor ops", source, n);
    if (const int n = lowerGradients(*proto.mutable_graph()))
      log::get("import")->info("'{}': {} Gradient nodes written out as tensor ops", source, n);
  }

  ir::Model model;
  model.irVersion = proto.ir_version();
  model.producerName = proto.producer_name();
  model.producerVersion = proto.producer_version();
  model.docString = proto.doc_string();
  model.sourcePath = source;
  for (const auto& o : proto.opset_import())
    model.opsets[o.domain() == "ai.onnx" ? std::string() : o.domain()] = o.version();
  if (model.opsets.empty() && proto.ir_version() < 3) model.opsets[""] = 1; // the IR v1/v2 default
  for (const auto& e : proto.metadata_props())
    model.metadata[e.key()] = e.value();
  if (proto.functions_size() > 0)
    log::get("import")->warn("'{}' defines {} model-local functions; nodes calling them are imported as custom ops",
                             source, proto.functions_size());

  auto graph = importMainGraph(*proto.mutable_graph(), ctx);
  if (!graph) return context(graph.error());
  model.graph = std::move(*graph);
  if (auto st = ir::verify(model.graph); !st)
    return makeError(codes::kFormat, "'" + source + "': " + st.error().message);
  log::get("import")->debug("imported '{}': {} nodes, {} values", source, model.graph.totalNodeCount(),
                            model.graph.values.size());
  return model;
}

// Runs f, turning any exception that escapes protobuf or ONNX into an error naming the source.
template <class F> auto guarded(const std::string& source, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return makeError(codes::kFormat, "'" + source + "': out of memory while importing (hostile or huge sizes?)");
  } catch (const std::exception& e) {
    return makeError(codes::kFormat, "'" + source + "': import failed: " + e.what());
  } catch (...) {
    return makeError(codes::kInternal, "'" + source + "': import failed with an unknown exception");
  }
}

} // namespace

Expected<ir::Model> importModel(const std::string& path, const ImportOptions& options) {
  return guarded(path, [&]() -> Expected<ir::Model> {
    auto mapped = ir::MappedFile::open(path);
    if (!mapped) return std::unexpected(mapped.error());
    onnx::ModelProto proto;
    GS_RETURN_IF_ERROR(parseMapped(proto, **mapped, options.maxFileBytes, path, "an ONNX model"));
    mapped->reset(); // the message owns copies of everything now
    return convertModel(proto, path, folderOf(path), options);
  });
}

Expected<ir::Model> importModelFromBytes(std::string bytes, const std::string& baseDir, const ImportOptions& options) {
  const std::string source = baseDir.empty() ? std::string("<model bytes>") : "<model bytes in " + baseDir + ">";
  return guarded(source, [&]() -> Expected<ir::Model> {
    onnx::ModelProto proto;
    GS_RETURN_IF_ERROR(parseMessage(proto, bytes.data(), bytes.size(), options.maxFileBytes, source, "an ONNX model"));
    std::string().swap(bytes); // release the serialized copy before converting
    return convertModel(proto, source, baseDir, options);
  });
}

Expected<ir::Tensor> tensorFromProtoFile(const std::string& path, std::string* name) {
  return guarded(path, [&]() -> Expected<ir::Tensor> {
    auto mapped = ir::MappedFile::open(path);
    if (!mapped) return std::unexpected(mapped.error());
    onnx::TensorProto proto;
    GS_RETURN_IF_ERROR(parseMapped(proto, **mapped, ImportOptions{}.maxFileBytes, path, "an ONNX TensorProto"));
    mapped->reset();
    ExternalData external(folderOf(path));
    auto t = takeTensorFromProto(proto, external);
    if (!t) return std::unexpected(withContext(t.error(), "'" + path + "'"));
    if (name) *name = proto.name();
    return t;
  });
}

} // namespace gs::onnx_import

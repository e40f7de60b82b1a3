// The .om writer: model -> protobuf sections + de-duplicated weights -> bytes, and the atomic file
// replacement (temporary file in the same folder, fsync, rename).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>

#include "core/common/log.h"
#include "core/om/container.h"
#include "core/om/graph_codec.h"
#include "core/om/om_file.h"

namespace gs::om {
namespace {

using Sink = std::function<Status(const void*, std::size_t)>;

uint64_t alignUp(uint64_t v) { return (v + format::kAlignment - 1) / format::kAlignment * format::kAlignment; }

// Everything needed to emit the file in one sequential pass (CRCs are known before the first byte).
struct Prepared {
  std::string headerAndTable;
  std::string desc;
  std::string graphs;
  detail::WeightPool pool;
  uint64_t graphsEnd = 0;
  uint64_t weightsOffset = 0;
  uint64_t fileSize = 0;
};

void encodeDescs(const std::vector<TensorDesc>& descs, google::protobuf::RepeatedPtrField<pb::TensorDesc>* out) {
  for (const auto& d : descs) {
    auto* pd = out->Add();
    pd->set_name(d.name);
    pd->set_dtype(static_cast<int32_t>(d.dtype));
    pd->mutable_dims()->Add(d.dims.begin(), d.dims.end());
  }
}

void encodeGear(const GearPlan& gear, detail::WeightPool& pool, pb::GearPlan* out) {
  out->set_index(gear.index);
  encodeDescs(gear.inputs, out->mutable_inputs());
  encodeDescs(gear.outputs, out->mutable_outputs());
  detail::encodeGraph(gear.graph, pool, out->mutable_graph());
  out->mutable_offsets()->Add(gear.offsets.begin(), gear.offsets.end());
  out->set_arena_bytes(gear.arenaBytes);
  out->set_arena_lower_bound_bytes(gear.arenaLowerBoundBytes);
  out->set_flops(gear.flops);
  out->set_compile_millis(gear.compileMillis);
  for (const auto& p : gear.passes) {
    auto* pp = out->add_passes();
    pp->set_pass(p.pass);
    pp->set_nodes_before(p.nodesBefore);
    pp->set_nodes_after(p.nodesAfter);
    pp->set_millis(p.millis);
    for (const auto& [name, value] : p.counters) {
      auto* c = pp->add_counters();
      c->set_name(name);
      c->set_value(value);
    }
  }
  for (auto t : gear.nodePrecision)
    out->add_node_precision(static_cast<int32_t>(t));
  for (const auto& [input, dim] : gear.paddedDims) {
    auto* pd = out->add_padded_dims();
    pd->set_input(input);
    pd->set_dim(dim);
  }
  for (const auto& crop : gear.crops) {
    auto* pc = out->add_crops();
    pc->set_unsafe(crop.unsafe);
    pc->set_edge(crop.edge);
    for (const auto& d : crop.dims) {
      auto* pd = pc->add_dims();
      pd->set_input(d.input);
      pd->set_input_dim(d.inputDim);
      pd->set_a(d.a);
      pd->set_b(d.b);
      pd->set_s(d.s);
    }
  }
}

void encodeDynamic(const DynamicModel& dyn, detail::WeightPool& pool, pb::DynamicModel* pd) {
  detail::encodeGraph(dyn.graph, pool, pd->mutable_graph());
  for (auto t : dyn.nodePrecision)
    pd->add_node_precision(static_cast<int32_t>(t));
  for (const auto& r : dyn.ranges) {
    auto* pr = pd->add_ranges();
    pr->set_name(r.name);
    pr->set_dtype(static_cast<int32_t>(r.dtype));
    for (const auto& dr : r.dims) {
      auto* pdr = pr->add_dims();
      pdr->set_lo(dr.lo);
      pdr->set_hi(dr.hi);
    }
  }
}

void encodeDesc(const Model& m, const detail::WeightPool& pool, pb::ModelDesc* d) {
  const auto& md = m.meta;
  d->set_producer(md.producer);
  d->set_producer_version(md.producerVersion);
  d->set_source_path(md.sourcePath);
  d->set_source_sha256(md.sourceSha256);
  d->set_atc_command(md.atcCommand);
  d->set_soc_version(md.socVersion);
  d->set_input_format(md.inputFormat);
  d->set_strategy(std::string(strategyName(md.strategy)));
  d->set_opset(md.opset);
  d->set_created_utc(md.createdUtc);
  d->set_compile_millis(md.compileMillis);
  for (const auto& [k, v] : md.extra) {
    auto* kv = d->add_extra();
    kv->set_key(k);
    kv->set_value(v);
  }
  d->set_shared_arena_bytes(m.sharedArenaBytes);
  d->set_weight_bytes(pool.distinctBytes());
  d->set_gear_count(static_cast<uint32_t>(m.gears.size()));
  d->set_has_dynamic(m.dynamic.has_value());
  d->set_has_fallback(m.fallback.has_value());
}

Expected<Prepared> prepare(const Model& m) {
  if (auto st = validate(m); !st) return std::unexpected(withContext(st.error(), "cannot write .om"));
  Prepared p;
  pb::GraphsSection graphs;
  for (const auto& gear : m.gears)
    encodeGear(gear, p.pool, graphs.add_gears());
  if (m.dynamic) encodeDynamic(*m.dynamic, p.pool, graphs.mutable_dynamic());
  if (m.fallback) encodeDynamic(*m.fallback, p.pool, graphs.mutable_fallback());
  for (const auto& c : p.pool.chunks()) {
    auto* e = graphs.add_weights();
    e->set_offset(c.offset);
    e->set_size(c.size);
  }
  pb::ModelDesc desc;
  encodeDesc(m, p.pool, &desc);

  if (graphs.ByteSizeLong() > format::kMaxGraphsBytes)
    return makeError(codes::kInvalid, "cannot write .om: the plans need more than " +
                                          std::to_string(format::kMaxGraphsBytes) + " bytes");
  if (desc.ByteSizeLong() > format::kMaxModelDescBytes)
    return makeError(codes::kInvalid, "cannot write .om: the metadata is too large");
  if (!graphs.SerializeToString(&p.graphs) || !desc.SerializeToString(&p.desc))
    return makeError(codes::kInternal, "cannot write .om: protobuf serialization failed");

  // Layout: header | table | MODEL_DESC | GRAPHS | zero padding to 64 | WEIGHTS.
  std::vector<format::SectionEntry> sections(3);
  const uint64_t tableOffset = format::kHeaderSize;
  const uint64_t descOffset = tableOffset + sections.size() * format::kEntrySize;
  const uint64_t graphsOffset = descOffset + p.desc.size();
  p.graphsEnd = graphsOffset + p.graphs.size();
  p.weightsOffset = alignUp(p.graphsEnd);
  p.fileSize = p.weightsOffset + p.pool.sectionSize();

  static const std::byte zeros[format::kAlignment] = {};
  uint32_t weightsCrc = 0;
  uint64_t at = 0;
  for (const auto& c : p.pool.chunks()) {
    weightsCrc = format::crc32(zeros, c.offset - at, weightsCrc);
    weightsCrc = format::crc32(c.data, c.size, weightsCrc);
    at = c.offset + c.size;
  }
  auto bytesOf = [](const std::string& s) { return reinterpret_cast<const std::byte*>(s.data()); };
  sections[0] = {format::kModelDesc, format::kFlagRequired, descOffset, p.desc.size(),
                 format::crc32(bytesOf(p.desc), p.desc.size())};
  sections[1] = {format::kGraphs, format::kFlagRequired, graphsOffset, p.graphs.size(),
                 format::crc32(bytesOf(p.graphs), p.graphs.size())};
  sections[2] = {format::kWeights, format::kFlagRequired, p.weightsOffset, p.pool.sectionSize(), weightsCrc};
  format::Header header;
  header.tableOffset = tableOffset;
  header.fileSize = p.fileSize;
  p.headerAndTable = format::encodeHeaderAndTable(header, sections);
  return p;
}

Status emit(const Prepared& p, const Sink& sink) {
  static const std::byte zeros[format::kAlignment] = {};
  GS_RETURN_IF_ERROR(sink(p.headerAndTable.data(), p.headerAndTable.size()));
  GS_RETURN_IF_ERROR(sink(p.desc.data(), p.desc.size()));
  GS_RETURN_IF_ERROR(sink(p.graphs.data(), p.graphs.size()));
  GS_RETURN_IF_ERROR(sink(zeros, p.weightsOffset - p.graphsEnd));
  uint64_t at = 0;
  for (const auto& c : p.pool.chunks()) {
    GS_RETURN_IF_ERROR(sink(zeros, c.offset - at));
    if (c.size) GS_RETURN_IF_ERROR(sink(c.data, c.size));
    at = c.offset + c.size;
  }
  return ok();
}

std::string errnoText() { return std::strerror(errno); }

} // namespace

Expected<std::string> serialize(const Model& model) {
  try {
    GS_ASSIGN_OR_RETURN(auto p, prepare(model));
    std::string out;
    out.reserve(p.fileSize);
    GS_RETURN_IF_ERROR(emit(p, [&](const void* data, std::size_t size) -> Status {
      out.append(static_cast<const char*>(data), size);
      return ok();
    }));
    return out;
  } catch (const std::exception& e) { // bad_alloc from protobuf or the string
    return makeError(codes::kInternal, std::string("cannot serialize .om: ") + e.what());
  }
}

// ".NAME.tmp-PID-N": the process id of the writer that made a temporary file, or -1 for any other
// name.
pid_t tempFileOwner(std::string_view name) {
  if (name.size() < 2 || name[0] != '.') return -1;
  const auto tag = name.rfind(".tmp-");
  if (tag == std::string_view::npos || tag == 0) return -1;
  const auto rest = name.substr(tag + 5);
  const auto dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return -1;
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!digits(rest.substr(0, dash)) || !digits(rest.substr(dash + 1))) return -1;
  const auto pid = std::stoll(std::string(rest.substr(0, dash)));
  return pid > 0 && pid <= INT32_MAX ? static_cast<pid_t>(pid) : -1;
}

// A writer killed between open() and rename() (kill -9, a crash, power loss) leaves its temporary
// file behind. Before writing into a folder, remove the ones that are certainly ours and certainly
// abandoned: our name pattern, a regular file of this user, empty or starting with the .om magic,
// and a writer process that no longer exists. Anything else is left alone.
void removeStaleTempFiles(const std::filesystem::path& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  const int dfd = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    const pid_t pid = tempFileOwner(name);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno != ESRCH) continue; // alive, or not ours to ask about
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
      continue;
    if (st.st_size > 0) {
      const int fd = ::openat(dfd, e->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) continue;
      char magic[format::kMagic.size()] = {};
      const auto got = ::read(fd, magic, sizeof magic);
      ::close(fd);
      const auto n = static_cast<std::size_t>(std::max<ssize_t>(got, 0));
      if (std::memcmp(magic, format::kMagic.data(), std::min(n, sizeof magic)) != 0 || n == 0) continue;
    }
    if (::unlinkat(dfd, e->d_name, 0) == 0)
      log::get("om")->info("removed '{}', left by writer process {} that no longer runs", (dir / name).string(), pid);
  }
  ::closedir(d);
}

Status writeFile(const Model& model, const std::string& path) {
  Expected<Prepared> prepared = makeError(codes::kInternal, "not prepared");
  try {
    prepared = prepare(model);
  } catch (const std::exception& e) {
    return makeError(codes::kInternal, std::string("cannot write .om: ") + e.what());
  }
  if (!prepared) return std::unexpected(prepared.error());

  namespace fs = std::filesystem;
  const fs::path target(path);
  const std::string base = target.filename().string();
  if (base.empty() || base == "." || base == "..")
    return makeError(codes::kIo, "cannot write '" + path + "': not a file path");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");

  removeStaleTempFiles(dir);
  // A unique name in the same folder, so the final rename() stays on one file system.
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = (dir / ("." + base + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++))).string();
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      return makeError(codes::kIo, "cannot write '" + path + "': cannot create a temporary file in '" + dir.string() +
                                       "': " + errnoText());
  }
  if (fd < 0) return makeError(codes::kIo, "cannot write '" + path + "': no free temporary file name");

  auto fail = [&](const std::string& what, int err) -> Status {
    const std::string why = std::strerror(err);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return makeError(codes::kIo, "cannot write '" + path + "': " + what + ": " + why);
  };

  // Keep the permission bits of the file being replaced.
  struct stat old {};
  if (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) (void)::fchmod(fd, old.st_mode & 07777);

  int writeErrno = 0;
  const auto written = emit(*prepared, [&](const void* data, std::size_t size) -> Status {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const auto n = ::write(fd, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        writeErrno = n < 0 ? errno : ENOSPC;
        return makeError(codes::kIo, "write failed");
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return ok();
  });
  if (!written) return fail("writing the temporary file failed", writeErrno);
  if (::fsync(fd) != 0) return fail("fsync failed", errno);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail("close failed", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename failed", errno);
  // Make the rename itself durable; failure here leaves a complete file, so it is only logged.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    if (::fsync(dfd) != 0) log::get("om")->warn("fsync of folder '{}' failed: {}", dir.string(), errnoText());
    ::close(dfd);
  }
  log::get("om")->debug("wrote '{}' ({} bytes, {} distinct weight bytes)", path, prepared->fileSize,
                        prepared->pool.distinctBytes());
  return ok();
}

} // namespace gs::om

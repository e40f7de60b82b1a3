// The checking .om reader: container -> protobuf sections (bounded parse) -> om::Model whose
// constants point into the file's WEIGHTS section -> validate() (ids, arenas, ir::verify()).
#include <limits>
#include <set>

#include <google/protobuf/io/coded_stream.h>

#include "core/common/log.h"
#include "core/om/container.h"
#include "core/om/graph_codec.h"
#include "core/om/om_file.h"
#include "core/om/upgrade.h"

namespace gs::om {
namespace {

std::unexpected<Error> bad(const std::string& what) { return makeError(codes::kFormat, what); }

// Parses one section with protobuf's recursion limit and the section's size as the byte limit, and
// insists that the whole section was consumed.
Status parseSection(const std::byte* data, uint64_t size, google::protobuf::MessageLite* msg, uint32_t id) {
  if (size > static_cast<uint64_t>(std::numeric_limits<int>::max()))
    return bad("section " + format::sectionName(id) + " is too large to parse");
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data), static_cast<int>(size));
  in.SetRecursionLimit(format::kMaxProtoRecursion);
  in.SetTotalBytesLimit(static_cast<int>(size));
  if (!msg->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage() || in.CurrentPosition() != static_cast<int>(size))
    return bad("section " + format::sectionName(id) +
               " is not a valid protobuf message (corrupt or too deeply nested)");
  return ok();
}

Expected<std::vector<TensorDesc>> decodeDescs(const google::protobuf::RepeatedPtrField<pb::TensorDesc>& in,
                                              const std::string& where) {
  std::vector<TensorDesc> out;
  out.reserve(static_cast<std::size_t>(in.size()));
  for (const auto& pd : in) {
    TensorDesc d;
    d.name = pd.name();
    GS_ASSIGN_OR_RETURN(d.dtype, detail::decodeDtype(pd.dtype(), where + "'" + d.name + "' "));
    d.dims.assign(pd.dims().begin(), pd.dims().end());
    out.push_back(std::move(d));
  }
  return out;
}

// A graph's per-node precision record: 0 (no float compute) or a float dtype number.
Expected<std::vector<ir::DataType>> decodePrecision(const google::protobuf::RepeatedField<int32_t>& in,
                                                    const std::string& where) {
  std::vector<ir::DataType> out;
  out.reserve(static_cast<std::size_t>(in.size()));
  for (const auto v : in) {
    const auto t = v == 0 ? std::optional<ir::DataType>(ir::DataType::Undefined) : ir::dtypeFromOnnx(v);
    if (!t || (*t != ir::DataType::Undefined && !ir::isFloat(*t)))
      return bad(where + "node precision record holds " + std::to_string(v) + ", not a float dtype");
    out.push_back(*t);
  }
  return out;
}

Expected<GearPlan> decodeGear(const pb::GearPlan& pg, const detail::WeightTable& weights, std::size_t position) {
  const std::string where = "gear #" + std::to_string(position) + " (index " + std::to_string(pg.index()) + "): ";
  GearPlan gear;
  gear.index = pg.index();
  GS_ASSIGN_OR_RETURN(gear.inputs, decodeDescs(pg.inputs(), where + "input "));
  GS_ASSIGN_OR_RETURN(gear.outputs, decodeDescs(pg.outputs(), where + "output "));
  if (!pg.has_graph()) return bad(where + "has no graph");
  GS_ASSIGN_OR_RETURN(gear.graph, detail::decodeGraph(pg.graph(), weights, 0, where));
  gear.offsets.assign(pg.offsets().begin(), pg.offsets().end());
  gear.arenaBytes = pg.arena_bytes();
  gear.arenaLowerBoundBytes = pg.arena_lower_bound_bytes();
  gear.flops = pg.flops();
  gear.compileMillis = pg.compile_millis();
  for (const auto& pp : pg.passes()) {
    PassStat p;
    p.pass = pp.pass();
    p.nodesBefore = pp.nodes_before();
    p.nodesAfter = pp.nodes_after();
    p.millis = pp.millis();
    for (const auto& c : pp.counters())
      if (!p.counters.emplace(c.name(), c.value()).second)
        return bad(where + "pass '" + p.pass + "' lists counter '" + c.name() + "' twice");
    gear.passes.push_back(std::move(p));
  }
  for (const auto& pd : pg.padded_dims())
    gear.paddedDims.emplace_back(pd.input(), pd.dim());
  GS_ASSIGN_OR_RETURN(gear.nodePrecision, decodePrecision(pg.node_precision(), where));
  for (const auto& pc : pg.crops()) {
    OutputCrop crop;
    crop.unsafe = pc.unsafe();
    crop.edge = pc.edge();
    for (const auto& pd : pc.dims())
      crop.dims.push_back(CropDim{pd.input(), pd.input_dim(), pd.a(), pd.b(), pd.s()});
    gear.crops.push_back(std::move(crop));
  }
  return gear;
}

Expected<DynamicModel> decodeDynamic(const pb::DynamicModel& pd, const detail::WeightTable& weights,
                                     const std::string& what = "dynamic") {
  DynamicModel d;
  if (!pd.has_graph()) return bad(what + " model has no graph");
  GS_ASSIGN_OR_RETURN(d.graph, detail::decodeGraph(pd.graph(), weights, 0, what + " graph: "));
  GS_ASSIGN_OR_RETURN(d.nodePrecision, decodePrecision(pd.node_precision(), what + " graph: "));
  for (const auto& pr : pd.ranges()) {
    InputRange r;
    r.name = pr.name();
    GS_ASSIGN_OR_RETURN(r.dtype, detail::decodeDtype(pr.dtype(), "dynamic range of '" + r.name + "' "));
    for (const auto& pdr : pr.dims())
      r.dims.push_back(DimRange{pdr.lo(), pdr.hi()});
    d.ranges.push_back(std::move(r));
  }
  return d;
}

Expected<Metadata> decodeMeta(const pb::ModelDesc& d) {
  Metadata m;
  m.producer = d.producer();
  m.producerVersion = d.producer_version();
  m.sourcePath = d.source_path();
  m.sourceSha256 = d.source_sha256();
  m.atcCommand = d.atc_command();
  m.socVersion = d.soc_version();
  m.inputFormat = d.input_format();
  const auto strategy = strategyFromName(d.strategy());
  if (!strategy) return bad("unknown strategy '" + d.strategy().substr(0, 64) + "' in MODEL_DESC");
  m.strategy = *strategy;
  m.opset = d.opset();
  m.createdUtc = d.created_utc();
  m.compileMillis = d.compile_millis();
  for (const auto& kv : d.extra())
    if (!m.extra.emplace(kv.key(), kv.value()).second)
      return bad("metadata key '" + kv.key().substr(0, 64) + "' appears twice");
  return m;
}

// Format 1 graphs are translated to the current ops; current ones must not carry format-1 attributes.
Status upgradeGraphs(Model& model, uint16_t major) {
  int rewritten = 0;
  for (std::size_t i = 0; i < model.gears.size(); ++i) {
    const std::string where = "gear #" + std::to_string(i) + ": ";
    auto& g = model.gears[i].graph;
    if (major == 1) {
      GS_ASSIGN_OR_RETURN(auto k, upgradeFormat1Graph(g, where));
      rewritten += k;
    } else {
      GS_RETURN_IF_ERROR(checkNoPrivateAttributes(g, where));
    }
  }
  if (model.dynamic) {
    if (major == 1) {
      GS_ASSIGN_OR_RETURN(auto k, upgradeFormat1Graph(model.dynamic->graph, "dynamic graph: "));
      rewritten += k;
    } else {
      GS_RETURN_IF_ERROR(checkNoPrivateAttributes(model.dynamic->graph, "dynamic graph: "));
    }
  }
  if (major == 1)
    log::get("om")->info("read a format-1 .om: {} fused node(s) translated to ai.gearstudio ops", rewritten);
  return ok();
}

Expected<Model> deserializeImpl(const std::shared_ptr<const ir::Buffer>& bytes) {
  const std::byte* data = bytes->data();
  GS_ASSIGN_OR_RETURN(auto layout, format::parseContainer(data, bytes->size()));
  const auto& descSec = *layout.find(format::kModelDesc);
  const auto& graphsSec = *layout.find(format::kGraphs);
  const auto& weightsSec = *layout.find(format::kWeights);

  pb::ModelDesc desc;
  GS_RETURN_IF_ERROR(parseSection(data + descSec.offset, descSec.size, &desc, format::kModelDesc));
  pb::GraphsSection graphs;
  GS_RETURN_IF_ERROR(parseSection(data + graphsSec.offset, graphsSec.size, &graphs, format::kGraphs));

  detail::WeightTable weights;
  weights.file = bytes;
  weights.sectionOffset = weightsSec.offset;
  weights.sectionSize = weightsSec.size;
  uint64_t weightBytes = 0;
  for (int i = 0; i < graphs.weights_size(); ++i) {
    const auto& e = graphs.weights(i);
    const std::string where = "weight " + std::to_string(i) + " (offset " + std::to_string(e.offset()) + ", " +
                              std::to_string(e.size()) + " bytes) ";
    if (e.offset() % format::kAlignment != 0) return bad(where + "is not 64-byte aligned");
    if (e.offset() > weightsSec.size || e.size() > weightsSec.size - e.offset())
      return bad(where + "lies outside the WEIGHTS section (" + std::to_string(weightsSec.size) + " bytes)");
    if (e.size() > std::numeric_limits<uint64_t>::max() - weightBytes) return bad("weight sizes overflow");
    weightBytes += e.size();
    weights.entries.push_back(e);
  }
  if (desc.weight_bytes() != weightBytes)
    return bad("MODEL_DESC says " + std::to_string(desc.weight_bytes()) + " weight bytes, the weight table has " +
               std::to_string(weightBytes));
  if (desc.gear_count() != static_cast<uint64_t>(graphs.gears_size()))
    return bad("MODEL_DESC says " + std::to_string(desc.gear_count()) + " gears, GRAPHS has " +
               std::to_string(graphs.gears_size()));
  if (desc.has_dynamic() != graphs.has_dynamic())
    return bad("MODEL_DESC and GRAPHS disagree on whether there is a dynamic graph");
  if (desc.has_fallback() != graphs.has_fallback())
    return bad("MODEL_DESC and GRAPHS disagree on whether there is a dynamic fallback graph");

  Model model;
  GS_ASSIGN_OR_RETURN(model.meta, decodeMeta(desc));
  model.sharedArenaBytes = desc.shared_arena_bytes();
  model.weightBytes = weightBytes;
  model.gears.reserve(static_cast<std::size_t>(graphs.gears_size()));
  for (int i = 0; i < graphs.gears_size(); ++i) {
    GS_ASSIGN_OR_RETURN(auto gear, decodeGear(graphs.gears(i), weights, static_cast<std::size_t>(i)));
    model.gears.push_back(std::move(gear));
  }
  if (graphs.has_dynamic()) {
    GS_ASSIGN_OR_RETURN(auto dyn, decodeDynamic(graphs.dynamic(), weights));
    model.dynamic = std::move(dyn);
  }
  if (graphs.has_fallback()) {
    GS_ASSIGN_OR_RETURN(auto fb, decodeDynamic(graphs.fallback(), weights, "fallback"));
    model.fallback = std::move(fb);
  }
  GS_RETURN_IF_ERROR(upgradeGraphs(model, layout.header.major));
  if (auto st = validate(model); !st) return bad("inconsistent model: " + st.error().message);
  return model;
}

} // namespace

Expected<Model> deserialize(std::shared_ptr<const ir::Buffer> bytes) {
  if (!bytes) return bad("no bytes to read");
  try {
    return deserializeImpl(bytes);
  } catch (const std::exception& e) { // bad_alloc and anything protobuf throws
    return bad(std::string("cannot read .om: ") + e.what());
  }
}

Expected<Model> readFile(const std::string& path) {
  auto mapped = ir::MappedFile::open(path);
  if (!mapped) return std::unexpected(mapped.error());
  auto model = deserialize(std::shared_ptr<const ir::Buffer>(std::move(*mapped)));
  if (!model) return std::unexpected(withContext(model.error(), "'" + path + "'"));
  log::get("om")->debug("read '{}': {} gears, {} weight bytes", path, model->gears.size(), model->weightBytes);
  return model;
}

Expected<Model> asFileImage(const Model& model) {
  GS_ASSIGN_OR_RETURN(auto bytes, serialize(model));
  auto buffer = std::make_shared<const ir::AlignedBuffer>(bytes.data(), bytes.size());
  bytes = std::string();
  return deserialize(std::move(buffer));
}

} // namespace gs::om

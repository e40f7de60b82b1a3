// Attribute conversion and Constant-node folding.
#include "core/compiler/onnx/attribute_import.h"

namespace gs::onnx_import {
namespace {

using AP = onnx::AttributeProto;

// Old files (IR version 1) may leave `type` unset; the filled field tells it then.
AP::AttributeType effectiveType(const AP& a) {
  if (a.type() != AP::UNDEFINED) return a.type();
  if (a.has_f()) return AP::FLOAT;
  if (a.has_i()) return AP::INT;
  if (a.has_s()) return AP::STRING;
  if (a.has_t()) return AP::TENSOR;
  if (a.has_g()) return AP::GRAPH;
  if (a.has_sparse_tensor()) return AP::SPARSE_TENSOR;
  if (a.has_tp()) return AP::TYPE_PROTO;
  if (a.floats_size()) return AP::FLOATS;
  if (a.ints_size()) return AP::INTS;
  if (a.strings_size()) return AP::STRINGS;
  if (a.tensors_size()) return AP::TENSORS;
  if (a.graphs_size()) return AP::GRAPHS;
  if (a.sparse_tensors_size()) return AP::SPARSE_TENSORS;
  if (a.type_protos_size()) return AP::TYPE_PROTOS;
  return AP::UNDEFINED;
}

std::string what(const AP& a, const std::string& nodeLabel) { return "attribute '" + a.name() + "' of " + nodeLabel; }

Expected<ir::Tensor> tensorOf(onnx::TensorProto& t, const std::string& context, ExternalData& external) {
  auto r = takeTensorFromProto(t, external);
  if (!r) return std::unexpected(withContext(r.error(), context));
  return r;
}

} // namespace

Expected<ir::Attribute> convertAttribute(AP& a, const std::string& nodeLabel, ExternalData& external,
                                         const SubgraphImporter& importSubgraph) {
  if (!a.ref_attr_name().empty())
    return makeError(codes::kFormat, what(a, nodeLabel) + " refers to a function attribute ('" + a.ref_attr_name() +
                                         "') outside a function");
  ir::Attribute out;
  using K = ir::Attribute::Kind;
  switch (effectiveType(a)) {
  case AP::FLOAT:
    return ir::Attribute::ofFloat(a.f());
  case AP::INT:
    return ir::Attribute::ofInt(a.i());
  case AP::STRING:
    return ir::Attribute::ofString(std::move(*a.mutable_s()));
  case AP::FLOATS:
    return ir::Attribute::ofFloats({a.floats().begin(), a.floats().end()});
  case AP::INTS:
    return ir::Attribute::ofInts({a.ints().begin(), a.ints().end()});
  case AP::STRINGS:
    out.kind = K::Strings;
    for (auto& s : *a.mutable_strings())
      out.strings.push_back(std::move(s));
    return out;
  case AP::TENSOR: {
    GS_ASSIGN_OR_RETURN(auto t, tensorOf(*a.mutable_t(), what(a, nodeLabel), external));
    return ir::Attribute::ofTensor(std::move(t));
  }
  case AP::TENSORS:
    out.kind = K::Tensors;
    for (auto& t : *a.mutable_tensors()) {
      GS_ASSIGN_OR_RETURN(auto v, tensorOf(t, what(a, nodeLabel), external));
      out.tensors.push_back(std::move(v));
    }
    return out;
  case AP::GRAPH: {
    GS_ASSIGN_OR_RETURN(auto g, importSubgraph(*a.mutable_g(), what(a, nodeLabel)));
    return ir::Attribute::ofGraph(std::move(g));
  }
  case AP::GRAPHS:
    out.kind = K::Graphs;
    for (auto& gp : *a.mutable_graphs()) {
      GS_ASSIGN_OR_RETURN(auto g, importSubgraph(gp, what(a, nodeLabel)));
      out.graphs.push_back(std::move(g));
    }
    return out;
  case AP::SPARSE_TENSOR:
  case AP::SPARSE_TENSORS:
    return makeError(codes::kUnsupported,
                     what(a, nodeLabel) + " is a sparse tensor, which GearStudio does not support");
  case AP::TYPE_PROTO:
  case AP::TYPE_PROTOS:
    return makeError(codes::kUnsupported, what(a, nodeLabel) + " is a type, which GearStudio does not support");
  case AP::UNDEFINED:
    break;
  }
  return makeError(codes::kFormat, what(a, nodeLabel) + " has no value (its type is " + std::to_string(a.type()) + ")");
}

bool isConstantNode(const onnx::NodeProto& n) {
  return n.op_type() == "Constant" && (n.domain().empty() || n.domain() == "ai.onnx");
}

Expected<ir::Tensor> constantNodeValue(onnx::NodeProto& n, const std::string& nodeLabel, ExternalData& external) {
  if (n.attribute_size() != 1)
    return makeError(codes::kFormat, nodeLabel + " must have exactly one value attribute, but has " +
                                         std::to_string(n.attribute_size()));
  auto& a = *n.mutable_attribute(0);
  const auto& name = a.name();
  const auto type = effectiveType(a);
  auto expect = [&](AP::AttributeType t) -> Status {
    if (type == t) return ok();
    return makeError(codes::kFormat, what(a, nodeLabel) + " has the wrong type " + std::to_string(type));
  };
  if (name == "value") {
    GS_RETURN_IF_ERROR(expect(AP::TENSOR));
    return tensorOf(*a.mutable_t(), what(a, nodeLabel), external);
  }
  if (name == "value_float") {
    GS_RETURN_IF_ERROR(expect(AP::FLOAT));
    return ir::Tensor::scalar<float>(a.f());
  }
  if (name == "value_floats") {
    GS_RETURN_IF_ERROR(expect(AP::FLOATS));
    return ir::Tensor::fromVector<float>({a.floats().begin(), a.floats().end()}, {a.floats_size()});
  }
  if (name == "value_int") {
    GS_RETURN_IF_ERROR(expect(AP::INT));
    return ir::Tensor::scalar<int64_t>(a.i());
  }
  if (name == "value_ints") {
    GS_RETURN_IF_ERROR(expect(AP::INTS));
    return ir::Tensor::fromVector<int64_t>({a.ints().begin(), a.ints().end()}, {a.ints_size()});
  }
  if (name == "value_string" || name == "value_strings") {
    GS_RETURN_IF_ERROR(expect(name == "value_string" ? AP::STRING : AP::STRINGS));
    ir::Tensor t;
    t.dtype = ir::DataType::String;
    if (name == "value_string") {
      t.strings.push_back(std::move(*a.mutable_s()));
    } else {
      for (auto& s : *a.mutable_strings())
        t.strings.push_back(std::move(s));
      t.dims = {static_cast<int64_t>(t.strings.size())};
    }
    return t;
  }
  if (name == "sparse_value")
    return makeError(codes::kUnsupported, nodeLabel + " defines a sparse tensor, which GearStudio does not support");
  return makeError(codes::kFormat, nodeLabel + " has an unknown value attribute '" + name + "'");
}

} // namespace gs::onnx_import

// ONNX importer: the ONNX backend test models, the PP-OCR sample models, model JSON, TensorProto
// files, and the semantics of constants, subgraphs, types and weight storage on small models.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/compiler/onnx/importer.h"
#include "core/compiler/onnx/model_json.h"
#include "core/compiler/onnx/tensor_proto.h"
#include "onnx_fixtures.h"

using namespace gs;
using namespace gs::onnx_import;
namespace fs = std::filesystem;

namespace {

onnx::ModelProto readProto(const std::string& path) {
  onnx::ModelProto m;
  std::ifstream in(path, std::ios::binary);
  if (!m.ParseFromIstream(&in)) qFatal("cannot parse %s with protobuf", path.c_str());
  return m;
}

std::string serialize(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return s;
}

// A failure's reason with the names and numbers taken out, so that failures can be grouped. (No
// std::regex: GCC 12 warns inside it under the sanitizers.)
std::string reasonOf(const Error& e) {
  auto msg = e.message;
  if (const auto p = msg.find("': "); p != std::string::npos && msg.starts_with("'")) msg = msg.substr(p + 3);
  std::string out;
  bool quoted = false;
  for (const char c : msg) {
    if (c == '\'') {
      out += quoted ? "*'" : "'";
      quoted = !quoted;
    } else if (!quoted && std::isdigit(static_cast<unsigned char>(c)) != 0) {
      if (out.empty() || out.back() != 'N') out += 'N';
    } else if (!quoted) {
      out += c;
    }
  }
  if (out.size() > 140) out = out.substr(0, 140);
  return e.code + " " + out;
}

struct SweepResult {
  int ok = 0;
  int failed = 0;
  int crashedOrInternal = 0;
  std::map<std::string, std::vector<std::string>> byReason;
};

// Imports every <folder>/<case>/model.onnx; an importer crash ends the test binary, so reaching the
// end means none crashed. Errors must carry a code the importer documents.
SweepResult sweep(const std::string& folder) {
  SweepResult r;
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(folder))
    if (fs::exists(e.path() / "model.onnx")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  for (const auto& c : cases) {
    auto m = importModel((c / "model.onnx").string());
    if (m) {
      ++r.ok;
      continue;
    }
    ++r.failed;
    const auto& code = m.error().code;
    if (code != codes::kFormat && code != codes::kUnsupported) ++r.crashedOrInternal;
    r.byReason[reasonOf(m.error())].push_back(c.filename().string());
  }
  qInfo("%s: %d imported, %d failed", folder.c_str(), r.ok, r.failed);
  for (const auto& [reason, names] : r.byReason) {
    std::string list;
    for (std::size_t i = 0; i < names.size() && i < 6; ++i)
      list += (i ? ", " : "") + names[i];
    if (names.size() > 6) list += ", ...";
    qInfo("  %3zu x %s  [%s]", names.size(), reason.c_str(), list.c_str());
  }
  return r;
}

const ir::Value& valueNamed(const ir::Graph& g, const std::string& name) {
  const auto id = g.findValue(name);
  if (id == ir::kNone) qFatal("no value named %s", name.c_str());
  return g.values[static_cast<std::size_t>(id)];
}

} // namespace

class TestImporter : public QObject {
  Q_OBJECT

private:
  // Checks an imported sample model against counts taken from the protobuf directly.
  static void checkSampleModel(const std::string& file, const ir::Model& m) {
    const auto proto = readProto(file);
    int nodes = 0;
    int constants = 0;
    test::countNodes(proto.graph(), nodes, constants);
    QCOMPARE(m.graph.totalNodeCount(), static_cast<std::size_t>(nodes - constants));
    std::size_t constantValues = 0;
    for (const auto& v : m.graph.values)
      if (v.isConstant()) ++constantValues;
    // Initializers listed as inputs (IR < 4) are constants too, so count distinct names.
    std::set<std::string> initNames;
    for (const auto& t : proto.graph().initializer())
      initNames.insert(t.name());
    QCOMPARE(constantValues, initNames.size() + static_cast<std::size_t>(constants));
    for (const auto& n : proto.graph().node())
      if (n.op_type() == "Constant") QVERIFY(valueNamed(m.graph, n.output(0)).isConstant());
    std::vector<std::string> inputs;
    for (const auto& in : proto.graph().input())
      if (!initNames.count(in.name())) inputs.push_back(in.name());
    QCOMPARE(m.graph.inputs.size(), inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i)
      QCOMPARE(m.graph.values[static_cast<std::size_t>(m.graph.inputs[i])].name, inputs[i]);
    QCOMPARE(m.graph.outputs.size(), static_cast<std::size_t>(proto.graph().output_size()));
    for (int i = 0; i < proto.graph().output_size(); ++i)
      QCOMPARE(m.graph.values[static_cast<std::size_t>(m.graph.outputs[static_cast<std::size_t>(i)])].name,
               proto.graph().output(i).name());
    QCOMPARE(m.irVersion, proto.ir_version());
    QCOMPARE(m.producerName, proto.producer_name());
    QCOMPARE(m.onnxOpset(), proto.opset_import(0).version());
  }

private slots:
  void nodeTestModelsImport() {
    const auto r = sweep(std::string(GS_ONNX_TESTDATA) + "/node");
    QVERIFY(r.ok + r.failed >= 900);
    QCOMPARE(r.crashedOrInternal, 0);
    // The failures are models whose graph inputs/outputs are sequences, optionals or maps.
    for (const auto& [reason, names] : r.byReason)
      QVERIFY2(reason.find("which GearStudio does not support") != std::string::npos, reason.c_str());
    QVERIFY2(r.ok * 100 >= (r.ok + r.failed) * 97, "fewer than 97% of the node test models import");
  }

  void ocrModelsImport() {
    for (const char* name :
         {"ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"}) {
      const std::string file = std::string(GS_MODELS_DIR) + "/" + name;
      auto m = importModel(file);
      QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
      checkSampleModel(file, *m);
      // The single input 'x' is NCHW float with C = 3; every other dim is symbolic in the file.
      const auto proto = readProto(file);
      QCOMPARE(m->graph.inputs.size(), std::size_t{1});
      const auto& x = m->graph.values[static_cast<std::size_t>(m->graph.inputs[0])];
      QCOMPARE(x.name, std::string("x"));
      QCOMPARE(x.dtype, ir::DataType::Float32);
      QCOMPARE(x.shape.rank(), std::size_t{4});
      QCOMPARE(x.shape.dims[1], ir::Dim::known(3));
      const auto& protoDims = proto.graph().input(0).type().tensor_type().shape().dim();
      for (int i = 0; i < 4; ++i) {
        const auto& d = x.shape.dims[static_cast<std::size_t>(i)];
        if (protoDims[i].has_dim_param())
          QCOMPARE(d, ir::Dim::symbolic(protoDims[i].dim_param()));
        else
          QCOMPARE(d, ir::Dim::known(protoDims[i].dim_value()));
      }
      QVERIFY(verify(m->graph).has_value());
    }
  }

  void detModelHasSymbolicBatchHeightWidth() {
    auto m = importModel(std::string(GS_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx");
    QVERIFY(m.has_value());
    const auto& x = m->graph.values[static_cast<std::size_t>(m->graph.inputs[0])];
    QCOMPARE(QString::fromStdString(x.shape.str()),
             QString("[p2o.DynamicDimension.0,3,p2o.DynamicDimension.1,p2o.DynamicDimension.2]"));
    QCOMPARE(m->graph.values[static_cast<std::size_t>(m->graph.outputs[0])].name, std::string("sigmoid_0.tmp_0"));
    QCOMPARE(m->onnxOpset(), int64_t{11});
    int constants = 0;
    int nodes = 0;
    test::countNodes(readProto(std::string(GS_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx").graph(), nodes, constants);
    QVERIFY2(constants > 0, "the det model should contain Constant nodes for this test to mean something");
    for (const auto& n : m->graph.nodes)
      QVERIFY(n.opType != "Constant");
  }

  void detModelJson() {
    const std::string file = std::string(GS_MODELS_DIR) + "/ch_PP-OCRv4_det_infer.onnx";
    auto m = importModel(file);
    QVERIFY(m.has_value());
    const auto j = modelToJson(*m);
    QCOMPARE(j["inputs"].size(), std::size_t{1});
    const auto& shape = j["inputs"][0]["shape"];
    QCOMPARE(shape.size(), std::size_t{4});
    int symbolic = 0;
    for (const auto& d : shape)
      if (d.is_string() && d.get<std::string>() != "?") ++symbolic;
    QCOMPARE(symbolic, 3);
    QCOMPARE(shape[1].get<int64_t>(), int64_t{3});
    int nodes = 0;
    int constants = 0;
    const auto proto = readProto(file);
    test::countNodes(proto.graph(), nodes, constants);
    QCOMPARE(j["node_count"].get<int>(), nodes - constants);
    QCOMPARE(static_cast<int>(j["nodes"].size()), nodes - constants); // no subgraphs in det
    QCOMPARE(static_cast<int>(j["initializers"].size()), proto.graph().initializer_size() + constants);
    QCOMPARE(j["opset_import"][0]["version"].get<int>(), 11);
    QCOMPARE(j["ir_version"].get<int>(), static_cast<int>(proto.ir_version()));
    // A Conv node carries its attributes with values, and dumping never throws.
    bool sawConv = false;
    for (const auto& n : j["nodes"])
      if (n["op_type"] == "Conv") {
        sawConv = true;
        QVERIFY(n["attributes"].contains("kernel_shape"));
        QCOMPARE(n["attributes"]["kernel_shape"]["type"].get<std::string>(), std::string("ints"));
      }
    QVERIFY(sawConv);
    QVERIFY(!j.dump().empty());
  }

  void tensorFilesMatchProtobuf() {
    const std::string node = std::string(GS_ONNX_TESTDATA) + "/node/";
    for (const char* rel : {"test_abs/test_data_set_0/input_0.pb", "test_and2d/test_data_set_0/input_1.pb",
                            "test_cast_FLOAT16_to_FLOAT/test_data_set_0/input_0.pb",
                            "test_argmax_default_axis_example/test_data_set_0/output_0.pb",
                            "test_strnormalizer_export_monday_casesensintive_lower/test_data_set_0/input_0.pb",
                            "test_nonzero_example/test_data_set_0/output_0.pb"}) {
      const auto path = node + rel;
      onnx::TensorProto p;
      std::ifstream in(path, std::ios::binary);
      QVERIFY2(p.ParseFromIstream(&in), rel);
      std::string name;
      auto t = tensorFromProtoFile(path, &name);
      QVERIFY2(t.has_value(), t ? rel : t.error().str().c_str());
      QCOMPARE(name, p.name());
      QCOMPARE(static_cast<int>(t->dtype), p.data_type());
      QCOMPARE(t->dims, std::vector<int64_t>(p.dims().begin(), p.dims().end()));
      if (t->dtype == ir::DataType::String) {
        QCOMPARE(t->strings, std::vector<std::string>(p.string_data().begin(), p.string_data().end()));
        QVERIFY(!t->strings.empty());
      } else if (!p.raw_data().empty()) {
        QCOMPARE(t->byteSize(), p.raw_data().size());
        QVERIFY(std::memcmp(t->data(), p.raw_data().data(), t->byteSize()) == 0);
      } else {
        QVERIFY2(false, (std::string(rel) + " has no raw_data: extend the comparison").c_str());
      }
    }
    auto missing = tensorFromProtoFile(node + "no_such_case/input_0.pb");
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, std::string(codes::kIo));
  }

  void typedTensorFieldsConvert() {
    onnx::TensorProto f;
    f.set_data_type(onnx::TensorProto::FLOAT);
    f.add_dims(3);
    for (float v : {1.5f, -2.f, 3.25f})
      f.add_float_data(v);
    auto tf = tensorFromProto(f, "");
    QVERIFY(tf.has_value());
    QCOMPARE(tf->toVector<float>(), (std::vector<float>{1.5f, -2.f, 3.25f}));

    onnx::TensorProto h; // float16 bits travel in int32_data
    h.set_data_type(onnx::TensorProto::FLOAT16);
    h.add_dims(2);
    h.add_int32_data(0x3C00); // 1.0
    h.add_int32_data(0xC000); // -2.0
    auto th = tensorFromProto(h, "");
    QVERIFY(th.has_value());
    QCOMPARE(th->byteSize(), std::size_t{4});
    QCOMPARE(th->as<uint16_t>()[0], uint16_t{0x3C00});
    QCOMPARE(th->as<uint16_t>()[1], uint16_t{0xC000});

    onnx::TensorProto b;
    b.set_data_type(onnx::TensorProto::BOOL);
    b.add_dims(3);
    for (int v : {1, 0, 1})
      b.add_int32_data(v);
    auto tb = tensorFromProto(b, "");
    QVERIFY(tb.has_value());
    QCOMPARE(tb->toVector<int>(), (std::vector<int>{1, 0, 1}));

    onnx::TensorProto u;
    u.set_data_type(onnx::TensorProto::UINT32);
    u.add_dims(2);
    u.add_uint64_data(7);
    u.add_uint64_data(4000000000u);
    auto tu = tensorFromProto(u, "");
    QVERIFY(tu.has_value());
    QCOMPARE(tu->as<uint32_t>()[1], uint32_t{4000000000u});

    onnx::TensorProto d;
    d.set_data_type(onnx::TensorProto::DOUBLE);
    d.add_double_data(0.125); // a scalar: no dims
    auto td = tensorFromProto(d, "");
    QVERIFY(td.has_value());
    QVERIFY(td->dims.empty());
    QCOMPARE(td->as<double>()[0], 0.125);

    onnx::TensorProto wrong = f; // values in the field of another type are refused
    wrong.set_data_type(onnx::TensorProto::INT64);
    auto tw = tensorFromProto(wrong, "");
    QVERIFY(!tw);
    QVERIFY(tw.error().message.find("float_data instead of int64_data") != std::string::npos);
  }

  void rawDataMovesWithoutCopy() {
    auto p = test::floatTensor("w", {256}, std::vector<float>(256, 0.5f));
    const char* before = p.raw_data().data();
    ExternalData external("");
    auto t = takeTensorFromProto(p, external);
    QVERIFY(t.has_value());
    QCOMPARE(reinterpret_cast<const char*>(t->data()), before);
    QVERIFY(p.raw_data().empty());
    QCOMPARE(t->as<float>()[255], 0.5f);
  }

  void externalDataIsMappedNotCopied() {
    QTemporaryDir dir;
    const std::string folder = dir.path().toStdString();
    std::vector<float> weights(64);
    for (std::size_t i = 0; i < weights.size(); ++i)
      weights[i] = static_cast<float>(i);
    {
      std::ofstream out(folder + "/weights.bin", std::ios::binary);
      out.write("0123456789abcdef", 16); // the tensor starts at offset 16
      out.write(reinterpret_cast<const char*>(weights.data()), 64 * sizeof(float));
    }
    auto m = test::addReluModel();
    auto* w = m.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    w->clear_dims();
    w->add_dims(64);
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    for (auto [k, v] : {std::pair{"location", "weights.bin"}, {"offset", "16"}, {"length", "256"}}) {
      auto* e = w->add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
    m.mutable_graph()
        ->mutable_input(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(1)
        ->set_dim_value(64);
    m.mutable_graph()
        ->mutable_output(0)
        ->mutable_type()
        ->mutable_tensor_type()
        ->mutable_shape()
        ->mutable_dim(1)
        ->set_dim_value(64);
    {
      std::ofstream out(folder + "/model.onnx", std::ios::binary);
      m.SerializeToOstream(&out);
    }
    auto imported = importModel(folder + "/model.onnx");
    QVERIFY2(imported.has_value(), imported ? "" : imported.error().str().c_str());
    const auto& t = *valueNamed(imported->graph, "w").constant;
    QVERIFY(dynamic_cast<const ir::MappedFile*>(t.buffer.get()) != nullptr);
    QCOMPARE(t.offset, std::size_t{16});
    QCOMPARE(t.buffer->size(), std::size_t{16 + 256});
    QCOMPARE(t.toVector<float>(), weights);
  }

  void smallModelKeepsNamesTypesAndOrder() {
    auto m = test::addReluModel();
    (*m.add_metadata_props()).set_key("author");
    m.mutable_metadata_props(0)->set_value("tests");
    m.set_doc_string("doc");
    auto imported = importModelFromBytes(serialize(m), "");
    QVERIFY2(imported.has_value(), imported ? "" : imported.error().str().c_str());
    const auto& g = imported->graph;
    QCOMPARE(g.name, std::string("add_relu"));
    QCOMPARE(g.nodes.size(), std::size_t{2});
    QCOMPARE(g.nodes[0].name, std::string("add"));
    QCOMPARE(g.nodes[1].opType, std::string("Relu"));
    QCOMPARE(g.values[static_cast<std::size_t>(g.nodes[0].inputs[1])].name, std::string("w"));
    const auto& x = valueNamed(g, "x");
    QCOMPARE(QString::fromStdString(x.shape.str()), QString("[N,3]"));
    QVERIFY(valueNamed(g, "w").isConstant());
    QCOMPARE(valueNamed(g, "w").constant->toVector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(valueNamed(g, "y").producer, ir::NodeId{1});
    QCOMPARE(valueNamed(g, "s").dtype, ir::DataType::Undefined); // no value_info for it
    QCOMPARE(imported->metadata.at("author"), std::string("tests"));
    QCOMPARE(imported->docString, std::string("doc"));
    QCOMPARE(imported->producerName, std::string("gs-test"));
    QCOMPARE(imported->onnxOpset(), int64_t{13});
  }

  void initializerListedAsInputIsConstant() {
    auto m = test::addReluModel();
    m.set_ir_version(3); // IR 3 requires every initializer to be a graph input
    *m.mutable_graph()->add_input() = test::tensorInfo("w", onnx::TensorProto::FLOAT, {"2", "3"});
    auto imported = importModelFromBytes(serialize(m), "");
    QVERIFY2(imported.has_value(), imported ? "" : imported.error().str().c_str());
    QCOMPARE(imported->graph.inputs.size(), std::size_t{1});
    QVERIFY(valueNamed(imported->graph, "w").isConstant());
    QVERIFY(!imported->graph.isGraphInput(imported->graph.findValue("w")));
  }

  void constantNodesBecomeConstantsEverywhere() {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    g->set_name("consts");
    *g->add_input() = test::tensorInfo("cond", onnx::TensorProto::BOOL, {});
    *g->add_output() = test::tensorInfo("out", onnx::TensorProto::INT64, {"?"});
    auto constant = [](onnx::GraphProto* graph, const std::string& out, auto fill) {
      auto* n = graph->add_node();
      n->set_op_type("Constant");
      n->add_output(out);
      fill(n->add_attribute());
    };
    constant(g, "ints", [](onnx::AttributeProto* a) {
      a->set_name("value_ints");
      a->set_type(onnx::AttributeProto::INTS);
      a->add_ints(4);
      a->add_ints(5);
    });
    constant(g, "f", [](onnx::AttributeProto* a) {
      a->set_name("value_float");
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(2.5f);
    });
    constant(g, "s", [](onnx::AttributeProto* a) {
      a->set_name("value_strings");
      a->set_type(onnx::AttributeProto::STRINGS);
      a->add_strings("a");
      a->add_strings("b");
    });
    auto* ifNode = g->add_node();
    ifNode->set_name("if");
    ifNode->set_op_type("If");
    ifNode->add_input("cond");
    ifNode->add_output("out");
    for (const char* branch : {"then_branch", "else_branch"}) {
      auto* a = ifNode->add_attribute();
      a->set_name(branch);
      a->set_type(onnx::AttributeProto::GRAPH);
      auto* body = a->mutable_g();
      body->set_name(branch);
      *body->add_output() = test::tensorInfo(std::string(branch) + "_out", onnx::TensorProto::INT64, {"?"});
      if (std::string(branch) == "then_branch") {
        constant(body, "then_branch_out", [](onnx::AttributeProto* at) {
          at->set_name("value");
          at->set_type(onnx::AttributeProto::TENSOR);
          at->mutable_t()->set_data_type(onnx::TensorProto::INT64);
          at->mutable_t()->add_dims(1);
          at->mutable_t()->add_int64_data(42);
        });
      } else { // reads 'ints' from the enclosing graph
        auto* id = body->add_node();
        id->set_op_type("Identity");
        id->add_input("ints");
        id->add_output("else_branch_out");
      }
    }
    auto imported = importModelFromBytes(serialize(m), "");
    QVERIFY2(imported.has_value(), imported ? "" : imported.error().str().c_str());
    const auto& mg = imported->graph;
    QCOMPARE(mg.nodes.size(), std::size_t{1});
    QCOMPARE(valueNamed(mg, "ints").constant->toVector<int64_t>(), (std::vector<int64_t>{4, 5}));
    QCOMPARE(valueNamed(mg, "f").constant->toVector<float>(), (std::vector<float>{2.5f}));
    QVERIFY(valueNamed(mg, "f").constant->dims.empty());
    QCOMPARE(valueNamed(mg, "s").constant->strings, (std::vector<std::string>{"a", "b"}));
    const auto thenG = mg.nodes[0].attrs.getGraph("then_branch");
    const auto elseG = mg.nodes[0].attrs.getGraph("else_branch");
    QVERIFY(thenG && elseG);
    QVERIFY(thenG->nodes.empty());
    QCOMPARE(valueNamed(*thenG, "then_branch_out").constant->toVector<int64_t>(), (std::vector<int64_t>{42}));
    const auto& outer = valueNamed(*elseG, "ints");
    QVERIFY(outer.outerScope);
    QVERIFY(!outer.isConstant());
    QCOMPARE(imported->graph.totalNodeCount(), std::size_t{2});
    const auto j = modelToJson(*imported);
    QCOMPARE(j["node_count"].get<int>(), 2);
    QCOMPARE(j["nodes"][0]["attributes"]["else_branch"]["value"]["outer_scope"][0].get<std::string>(),
             std::string("ints"));
    QCOMPARE(j["nodes"][0]["attributes"]["then_branch"]["value"]["initializers"][0]["dims"][0].get<int>(), 1);
  }

  void nonTensorTypesAreNamed() {
    auto m = test::addReluModel();
    auto* x = m.mutable_graph()->mutable_input(0);
    auto elem = x->type();
    *x->mutable_type()->mutable_sequence_type()->mutable_elem_type() = elem;
    auto r = importModelFromBytes(serialize(m), "");
    QVERIFY(!r);
    QCOMPARE(r.error().code, std::string(codes::kUnsupported));
    QVERIFY2(r.error().message.find("input 'x' has type sequence(tensor(float)), which GearStudio does not support") !=
                 std::string::npos,
             r.error().message.c_str());
  }

  // Issue 13: static sequences and simple Gradient nodes become tensor ops at import; what cannot be
  // resolved (a computed position, an op Gradient does not differentiate) is left as it was.
  void staticSequencesAndGradientsAreWrittenOut() {
    const std::string simple = std::string(GS_ONNX_TESTDATA) + "/simple";
    if (!std::filesystem::exists(simple + "/test_sequence_model3")) QSKIP("ONNX backend test data not present");
    auto opsOf = [](const ir::Graph& g) {
      std::set<std::string> ops;
      for (const auto& n : g.nodes)
        ops.insert(n.opType);
      return ops;
    };
    for (const char* c : {"test_sequence_model1", "test_sequence_model3", "test_sequence_model5",
                          "test_sequence_model7", "test_gradient_of_add_and_mul"}) {
      auto m = importModel(simple + "/" + c + "/model.onnx");
      QVERIFY2(m.has_value(), m ? "" : m.error().str().c_str());
      for (const auto& op : opsOf(m->graph))
        QVERIFY2(op.find("Sequence") == std::string::npos && op != "Gradient",
                 (std::string(c) + " still has " + op).c_str());
    }
    // SequenceAt at a position that is a graph input: not static, left alone.
    onnx::ModelProto proto;
    {
      std::ifstream f(simple + "/test_sequence_model2/model.onnx", std::ios::binary);
      QVERIFY(proto.ParseFromIstream(&f));
    }
    auto* inits = proto.mutable_graph()->mutable_initializer();
    for (int i = inits->size() - 1; i >= 0; --i)
      if (inits->Get(i).name() == "pos_at") inits->DeleteSubrange(i, 1);
    auto dynamic = importModelFromBytes(serialize(proto), "");
    QVERIFY2(dynamic.has_value(), dynamic ? "" : dynamic.error().str().c_str());
    QVERIFY(opsOf(dynamic->graph).contains("SequenceAt"));
    QVERIFY(opsOf(dynamic->graph).contains("SequenceConstruct"));
    // Gradient through an op it does not differentiate (Relu): left alone.
    {
      std::ifstream f(simple + "/test_gradient_of_add/model.onnx", std::ios::binary);
      QVERIFY(proto.ParseFromIstream(&f));
    }
    proto.mutable_graph()->mutable_node(0)->set_op_type("Sum");
    auto kept = importModelFromBytes(serialize(proto), "");
    QVERIFY2(kept.has_value(), kept ? "" : kept.error().str().c_str());
    QVERIFY(opsOf(kept->graph).contains("Gradient"));
  }

  void unknownOpsImport() {
    auto m = test::addReluModel();
    m.mutable_graph()->mutable_node(1)->set_op_type("FancyRelu");
    m.mutable_graph()->mutable_node(1)->set_domain("com.example");
    m.add_opset_import()->set_domain("com.example");
    m.mutable_opset_import(1)->set_version(1);
    auto custom = importModelFromBytes(serialize(m), "");
    QVERIFY2(custom.has_value(), custom ? "" : custom.error().str().c_str());
    QCOMPARE(custom->graph.nodes[1].domain, std::string("com.example"));
    QCOMPARE(custom->opsets.at("com.example"), int64_t{1});
    m.mutable_graph()->mutable_node(1)->clear_domain(); // unknown to the checker's default domain too
    auto unknown = importModelFromBytes(serialize(m), "");
    QVERIFY2(unknown.has_value(), unknown ? "" : unknown.error().str().c_str());
    QCOMPARE(unknown->graph.nodes[1].opType, std::string("FancyRelu"));
  }

  void otherTestModelsImport() {
    for (const char* folder : {"simple", "pytorch-converted", "pytorch-operator"}) {
      const auto r = sweep(std::string(GS_ONNX_TESTDATA) + "/" + folder);
      QVERIFY(r.ok + r.failed > 0);
      QCOMPARE(r.crashedOrInternal, 0);
      for (const auto& [reason, names] : r.byReason)
        QVERIFY2(reason.find("which GearStudio does not support") != std::string::npos, reason.c_str());
      QVERIFY2(r.ok * 100 >= (r.ok + r.failed) * 60, folder);
    }
  }
};

QTEST_GUILESS_MAIN(TestImporter)
#include "test_importer.moc"

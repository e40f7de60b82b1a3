// Tests of inferGraph (data propagation chains that make exported graphs static, symbolic pass-through,
// declared-shape merging, requireStatic, unknown ops, subgraph bodies) and of the cost model.
#include <QtTest>

#include "ops_test_util.h"

using namespace gs;
using namespace gs::ir;
using namespace gs::ops;
using namespace gs::ops::testutil;

namespace {

ValueId addNode(Graph& g, const std::string& op, std::vector<ValueId> in, Attributes a = {}, int outputs = 1,
                std::vector<ValueId>* more = nullptr) {
  Node n;
  n.name = op + "_" + std::to_string(g.nodes.size());
  n.opType = op;
  n.inputs = std::move(in);
  n.attrs = std::move(a);
  for (int i = 0; i < outputs; ++i)
    n.outputs.push_back(g.addValue(n.name + "_out" + std::to_string(i)));
  if (more) *more = n.outputs;
  const auto first = n.outputs[0];
  g.addNode(std::move(n));
  return first;
}

ValueId constInts(Graph& g, const std::string& name, std::vector<int64_t> v) {
  const auto n = static_cast<int64_t>(v.size());
  return g.addConstant(name, Tensor::fromVector<int64_t>(v, {n}));
}

// x -> Shape -> Gather(0) -> Unsqueeze -> Concat([b, -1]) -> Reshape(x): what exporters emit for flatten.
Graph flattenChain(const Shape& xShape, int64_t opset) {
  Graph g;
  const auto x = g.addValue("x", DataType::Float32, xShape);
  g.inputs.push_back(x);
  const auto shape = addNode(g, "Shape", {x});
  const auto idx = g.addConstant("idx0", Tensor::scalar<int64_t>(0));
  const auto batch = addNode(g, "Gather", {shape, idx}, attrs({{"axis", A::ofInt(0)}}));
  ValueId unsq;
  if (opset >= 13)
    unsq = addNode(g, "Unsqueeze", {batch, constInts(g, "axes0", {0})});
  else
    unsq = addNode(g, "Unsqueeze", {batch}, attrs({{"axes", A::ofInts({0})}}));
  const auto target = addNode(g, "Concat", {unsq, constInts(g, "minus1", {-1})}, attrs({{"axis", A::ofInt(0)}}));
  const auto y = addNode(g, "Reshape", {x, target});
  g.outputs.push_back(y);
  return g;
}

} // namespace

class TestOpsGraph : public QObject {
  Q_OBJECT

private slots:
  void propagationChainBecomesStatic() {
    for (int64_t opset : {11, 13}) {
      auto g = flattenChain(S("2,3,4,5"), opset);
      std::vector<std::optional<Tensor>> known;
      GraphInferOptions opt;
      opt.requireStatic = true;
      auto st = inferGraph(g, opset, opt, &known);
      QVERIFY2(st, st ? "" : st.error().message.c_str());
      QCOMPARE(QString::fromStdString(g.values[g.outputs[0]].shape.str()), QString("[2,60]"));
      QCOMPARE(known.size(), g.values.size());
      // The Concat output is the propagated target shape [2, -1].
      const auto concat = g.nodes[3].outputs[0];
      QVERIFY(known[concat].has_value());
      QCOMPARE(known[concat]->toVector<int64_t>(), (std::vector<int64_t>{2, -1}));
    }
  }

  void propagationOffLeavesRankOnly() {
    auto g = flattenChain(S("2,3,4,5"), 13);
    GraphInferOptions opt;
    opt.propagateData = false;
    QVERIFY(inferGraph(g, 13, opt));
    const auto& s = g.values[g.outputs[0]].shape;
    QCOMPARE(s.rank(), std::size_t{2});
    QVERIFY(!s.isStatic());
    opt.requireStatic = true;
    auto g2 = flattenChain(S("2,3,4,5"), 13);
    auto st = inferGraph(g2, 13, opt);
    QVERIFY(!st);
    // Names the first non-static value and its producer.
    QVERIFY2(st.error().message.find("Reshape") != std::string::npos, st.error().message.c_str());
  }

  void symbolicPassThrough() {
    // The batch symbol survives conv, relu, pool and the flatten chain's leading dim.
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("N,3,32,32"));
    g.inputs.push_back(x);
    const auto w = g.addConstant("w", Tensor::fromVector<float>(std::vector<float>(8 * 3 * 9, 0.f), {8, 3, 3, 3}));
    const auto c = addNode(g, "Conv", {x, w}, attrs({{"pads", A::ofInts({1, 1, 1, 1})}}));
    const auto r = addNode(g, "Relu", {c});
    const auto p =
        addNode(g, "MaxPool", {r}, attrs({{"kernel_shape", A::ofInts({2, 2})}, {"strides", A::ofInts({2, 2})}}));
    const auto f = addNode(g, "Reshape", {p, constInts(g, "t", {0, -1})});
    g.outputs.push_back(f);
    QVERIFY(inferGraph(g, 13));
    QCOMPARE(QString::fromStdString(g.values[c].shape.str()), QString("[N,8,32,32]"));
    QCOMPARE(QString::fromStdString(g.values[p].shape.str()), QString("[N,8,16,16]"));
    QCOMPARE(QString::fromStdString(g.values[f].shape.str()), QString("[N,2048]"));
    // Gear specialisation: the same graph with N fixed becomes static.
    Graph fixed = g;
    fixed.values[x].shape = S("4,3,32,32");
    GraphInferOptions opt;
    opt.requireStatic = true;
    opt.keepDeclaredShapes = false;
    auto st = inferGraph(fixed, 13, opt);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QCOMPARE(QString::fromStdString(fixed.values[f].shape.str()), QString("[4,2048]"));
  }

  void symbolicShapeData() {
    // The exporter's flatten chain on a symbolic batch keeps the symbol: [N,60], not a fresh dim.
    for (int64_t opset : {11, 13}) {
      auto g = flattenChain(S("N,3,4,5"), opset);
      auto st = inferGraph(g, opset);
      QVERIFY2(st, st ? "" : st.error().message.c_str());
      QCOMPARE(QString::fromStdString(g.values[g.outputs[0]].shape.str()), QString("[N,60]"));
    }
    // x.shape[2:] * 1 -> Concat([1, 3], .) -> Expand / ConstantOfShape; Reshape to [0, 4, W] with a symbol.
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("N,4,H,W"));
    g.inputs.push_back(x);
    const auto shp = addNode(g, "Shape", {x});
    const auto hw = addNode(g, "Slice", {shp, constInts(g, "s", {2}), constInts(g, "e", {4})});
    const auto hw1 = addNode(g, "Mul", {hw, constInts(g, "ones", {1, 1})});
    const auto target = addNode(g, "Concat", {constInts(g, "c", {1, 3}), hw1}, attrs({{"axis", A::ofInt(0)}}));
    const auto filled = addNode(g, "ConstantOfShape", {target});
    const auto expanded = addNode(g, "Expand", {g.addConstant("one", Tensor::fromVector<float>({1.f}, {1})), target});
    const auto w = addNode(g, "Gather", {shp, g.addConstant("i3", Tensor::scalar<int64_t>(3))});
    const auto w1 = addNode(g, "Unsqueeze", {w, constInts(g, "ax", {0})});
    const auto t2 = addNode(g, "Concat", {constInts(g, "z", {0, -1}), w1}, attrs({{"axis", A::ofInt(0)}}));
    const auto r = addNode(g, "Reshape", {x, t2});
    auto st = inferGraph(g, 13);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QCOMPARE(QString::fromStdString(g.values[filled].shape.str()), QString("[1,3,H,W]"));
    QCOMPARE(QString::fromStdString(g.values[expanded].shape.str()), QString("[1,3,H,W]"));
    QCOMPARE(g.values[r].shape.rank(), std::size_t{3});
    QCOMPARE(g.values[r].shape.dims[0].symbol, std::string("N"));
    QCOMPARE(g.values[r].shape.dims[2].symbol, std::string("W"));
    // 4*H*W / W: H is left over, so -1 is a fresh symbol rather than a guess.
    QVERIFY(g.values[r].shape.dims[1].isSymbolic());
  }

  void valuesDriveStaticShapes() {
    // ConstantOfShape(Shape(x)), Expand to a computed shape, Range with a computed limit, Slice by computed ends.
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("2,7"));
    g.inputs.push_back(x);
    const auto shp = addNode(g, "Shape", {x});
    const auto zeros = addNode(g, "ConstantOfShape", {shp});
    const auto one = g.addConstant("one", Tensor::scalar<int64_t>(1));
    const auto zero = g.addConstant("zero", Tensor::scalar<int64_t>(0));
    const auto last = addNode(g, "Gather", {shp, one});                                            // 7
    const auto half = addNode(g, "Div", {last, g.addConstant("two", Tensor::scalar<int64_t>(2))}); // 3
    const auto range = addNode(g, "Range", {zero, half, one});
    const auto ends = addNode(g, "Unsqueeze", {half, constInts(g, "ax", {0})});
    const auto sl = addNode(g, "Slice", {x, constInts(g, "st", {0}), ends, constInts(g, "axs", {1})});
    const auto size = addNode(g, "Size", {x});
    const auto expShape =
        addNode(g, "Concat", {constInts(g, "c3", {3}), ends, constInts(g, "c1", {1})}, attrs({{"axis", A::ofInt(0)}}));
    const auto ex = addNode(g, "Expand", {g.addValue("v", DataType::Float32, S("1")), expShape});
    g.inputs.push_back(g.findValue("v"));
    const auto eq = addNode(g, "Equal", {size, g.addConstant("c14", Tensor::scalar<int64_t>(14))});
    const auto wh = addNode(g, "Where", {eq, shp, constInts(g, "alt", {9, 9})});
    const auto cof = addNode(g, "ConstantOfShape", {wh});
    std::vector<std::optional<Tensor>> known;
    GraphInferOptions opt;
    opt.requireStatic = true;
    auto st = inferGraph(g, 13, opt, &known);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QCOMPARE(QString::fromStdString(g.values[zeros].shape.str()), QString("[2,7]"));
    QCOMPARE(QString::fromStdString(g.values[range].shape.str()), QString("[3]"));
    QCOMPARE(known[range]->toVector<int64_t>(), (std::vector<int64_t>{0, 1, 2}));
    QCOMPARE(QString::fromStdString(g.values[sl].shape.str()), QString("[2,3]"));
    QCOMPARE(QString::fromStdString(g.values[ex].shape.str()), QString("[3,3,1]"));
    QCOMPARE(known[size]->toVector<int64_t>(), (std::vector<int64_t>{14}));
    QCOMPARE(QString::fromStdString(g.values[cof].shape.str()), QString("[2,7]"));
  }

  void partiallyKnownShapeGivesNoValue() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("N,7"));
    g.inputs.push_back(x);
    const auto shp = addNode(g, "Shape", {x});
    const auto tail = addNode(g, "Shape", {x}, attrs({{"start", A::ofInt(-1)}}));
    std::vector<std::optional<Tensor>> known;
    QVERIFY(inferGraph(g, 15, {}, &known));
    QVERIFY(!known[shp].has_value());
    QCOMPARE(QString::fromStdString(g.values[shp].shape.str()), QString("[2]"));
    // Shape-15 with start: only the known tail.
    QVERIFY(known[tail].has_value());
    QCOMPARE(known[tail]->toVector<int64_t>(), (std::vector<int64_t>{7}));
  }

  void declaredShapesMerge() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("N,4"));
    g.inputs.push_back(x);
    const auto y = addNode(g, "Relu", {x});
    g.values[y].shape = S("?,4");
    QVERIFY(inferGraph(g, 13));
    QCOMPARE(QString::fromStdString(g.values[y].shape.str()), QString("[N,4]"));
    // A declared static dim fills in what inference cannot know.
    Graph g2 = g;
    g2.values[y].shape = S("8,4");
    QVERIFY(inferGraph(g2, 13));
    QCOMPARE(QString::fromStdString(g2.values[y].shape.str()), QString("[8,4]"));
    // Conflicting static dims name the node.
    Graph g3 = g;
    g3.values[y].shape = S("N,5");
    auto st = inferGraph(g3, 13);
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kInvalid));
    QVERIFY2(st.error().message.find("Relu_0") != std::string::npos, st.error().message.c_str());
  }

  void unknownOps() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("2,4"));
    g.inputs.push_back(x);
    Node n;
    n.name = "custom1";
    n.opType = "MyOp";
    n.domain = "com.example";
    n.inputs = {x};
    n.outputs = {g.addValue("y")};
    g.addNode(n);
    const auto z = addNode(g, "Relu", {n.outputs[0]});
    auto st = inferGraph(g, 13);
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kUnsupported));
    QVERIFY(st.error().message.find("MyOp") != std::string::npos);
    QVERIFY(st.error().message.find("custom1") != std::string::npos);
    GraphInferOptions opt;
    opt.allowUnknownOps = true;
    QVERIFY(inferGraph(g, 13, opt));
    QVERIFY(!g.values[n.outputs[0]].shape.rankKnown);
    QVERIFY(!g.values[z].shape.rankKnown);
  }

  void attributeErrorsNameNodeAndAttribute() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("2,4"));
    g.inputs.push_back(x);
    addNode(g, "Transpose", {x}, attrs({{"perm", A::ofInts({1, 1})}}));
    auto st = inferGraph(g, 13);
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kInvalid));
    QVERIFY(st.error().message.find("Transpose_0") != std::string::npos);
    QVERIFY(st.error().message.find("'perm'") != std::string::npos);
  }

  void loopAndIfBodies() {
    // Loop with a carried [N,4] state (body: Add with a const) and a scan output of the state per step.
    auto body = std::make_shared<Graph>();
    const auto iter = body->addValue("i", DataType::Int64, Shape());
    const auto condIn = body->addValue("cond_in", DataType::Bool, Shape());
    const auto state = body->addValue("state_in");
    body->inputs = {iter, condIn, state};
    const auto bias = body->addValue("bias");
    body->values[bias].outerScope = true;
    const auto next = addNode(*body, "Add", {state, bias});
    const auto condOut = addNode(*body, "Identity", {condIn});
    const auto scanOut = addNode(*body, "Relu", {next});
    body->outputs = {condOut, next, scanOut};
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("N,4"));
    g.inputs.push_back(x);
    g.addConstant("bias", Tensor::fromVector<float>({1, 2, 3, 4}, {4}));
    const auto m = g.addConstant("M", Tensor::scalar<int64_t>(5));
    std::vector<ValueId> outs;
    addNode(g, "Loop", {m, kNone, x}, attrs({{"body", A::ofGraph(body)}}), 2, &outs);
    auto st = inferGraph(g, 13);
    QVERIFY2(st, st ? "" : st.error().message.c_str());
    QCOMPARE(QString::fromStdString(g.values[outs[0]].shape.str()), QString("[N,4]"));
    QCOMPARE(QString::fromStdString(g.values[outs[1]].shape.str()), QString("[5,N,4]"));
    // The node's body was replaced by an inferred copy; the original is untouched.
    const auto& inferredBody = *g.nodes[0].attrs.getGraph("body");
    QCOMPARE(QString::fromStdString(inferredBody.values[next].shape.str()), QString("[N,4]"));
    QVERIFY(!body->values[next].shape.rankKnown);
    // A known true condition that the body passes through keeps the count exact; an unknown one does not.
    Graph g2 = g;
    g2.nodes[0].inputs[1] = g2.addConstant("yes", Tensor::scalar<bool>(true));
    QVERIFY(inferGraph(g2, 13));
    QCOMPARE(QString::fromStdString(g2.values[outs[1]].shape.str()), QString("[5,N,4]"));
    Graph g3 = g;
    const auto c3 = g3.addValue("c3", DataType::Bool, Shape());
    g3.inputs.push_back(c3);
    g3.nodes[0].inputs[1] = c3;
    GraphInferOptions fresh;
    fresh.keepDeclaredShapes = false;
    QVERIFY(inferGraph(g3, 13, fresh));
    QVERIFY(g3.values[outs[1]].shape.dims[0].isSymbolic());

    // If with branches of different lengths: the differing dim becomes a symbol.
    auto branch = [](const char* name, int64_t len) {
      auto b = std::make_shared<Graph>();
      const auto c =
          b->addConstant(std::string(name) + "_c",
                         Tensor::fromVector<float>(std::vector<float>(static_cast<std::size_t>(len), 0.f), {len, 2}));
      const auto o = addNode(*b, "Identity", {c});
      b->outputs = {o};
      return b;
    };
    Graph gi;
    const auto cond = gi.addValue("cond", DataType::Bool, Shape());
    gi.inputs.push_back(cond);
    const auto y =
        addNode(gi, "If", {cond},
                attrs({{"then_branch", A::ofGraph(branch("t", 3))}, {"else_branch", A::ofGraph(branch("e", 5))}}));
    QVERIFY(inferGraph(gi, 13));
    const auto& ys = gi.values[y].shape;
    QCOMPARE(ys.rank(), std::size_t{2});
    QVERIFY(ys.dims[0].isSymbolic());
    QCOMPARE(ys.dims[1].value, int64_t{2});
  }

  void costs() {
    Graph g;
    const auto x = g.addValue("x", DataType::Float32, S("1,3,8,8"));
    g.inputs.push_back(x);
    const auto w = g.addConstant("w", Tensor::fromVector<float>(std::vector<float>(16 * 3 * 9, 0.f), {16, 3, 3, 3}));
    const auto c = addNode(g, "Conv", {x, w}, attrs({{"pads", A::ofInts({1, 1, 1, 1})}}));
    const auto a = g.addValue("a", DataType::Float32, S("4,32"));
    const auto b = g.addConstant("b", Tensor::fromVector<float>(std::vector<float>(32 * 10, 0.f), {32, 10}));
    g.inputs.push_back(a);
    const auto mm = addNode(g, "MatMul", {a, b});
    const auto r = addNode(g, "Relu", {mm});
    QVERIFY(inferGraph(g, 13));
    (void)c;
    (void)r;
    const auto conv = nodeCost(g, g.nodes[0]);
    QCOMPARE(conv.flops, 2.0 * 16 * 8 * 8 * 3 * 3 * 3);
    QCOMPARE(conv.bytes, 4.0 * (3 * 8 * 8 + 16 * 3 * 9 + 16 * 8 * 8));
    QCOMPARE(nodeCost(g, g.nodes[1]).flops, 2.0 * 4 * 10 * 32);
    QCOMPARE(nodeCost(g, g.nodes[2]).flops, 40.0);
    QCOMPARE(nodeCost(g, g.nodes[2]).bytes, 4.0 * 80);
    // Unknown shapes: no cost.
    Graph u = g;
    u.values[x].shape = S("N,3,8,8");
    QVERIFY(inferGraph(u, 13, GraphInferOptions{false, true, 1024, false, false}));
    QCOMPARE(nodeCost(u, u.nodes[0]).flops, 0.0);
    const auto total = graphCost(g);
    QCOMPARE(total.flops, conv.flops + 2.0 * 4 * 10 * 32 + 40.0);
  }

  void registryListsFamilies() {
    // Every op type the brief names is registered (at opset 18, where all exist).
    const char* required[] = {"Abs",
                              "Acos",
                              "Acosh",
                              "Add",
                              "And",
                              "ArgMax",
                              "ArgMin",
                              "Asin",
                              "Asinh",
                              "Atan",
                              "Atanh",
                              "AveragePool",
                              "BatchNormalization",
                              "BitShift",
                              "Cast",
                              "CastLike",
                              "Ceil",
                              "Celu",
                              "Clip",
                              "Compress",
                              "Concat",
                              "Constant",
                              "ConstantOfShape",
                              "Conv",
                              "ConvTranspose",
                              "Cos",
                              "Cosh",
                              "CumSum",
                              "DepthToSpace",
                              "Div",
                              "Dropout",
                              "Einsum",
                              "Elu",
                              "Equal",
                              "Erf",
                              "Exp",
                              "Expand",
                              "EyeLike",
                              "Flatten",
                              "Floor",
                              "GRU",
                              "Gather",
                              "GatherElements",
                              "GatherND",
                              "Gemm",
                              "GlobalAveragePool",
                              "GlobalMaxPool",
                              "Greater",
                              "GreaterOrEqual",
                              "HardSigmoid",
                              "HardSwish",
                              "Hardmax",
                              "Identity",
                              "If",
                              "InstanceNormalization",
                              "IsInf",
                              "IsNaN",
                              "LRN",
                              "LSTM",
                              "LayerNormalization",
                              "LeakyRelu",
                              "Less",
                              "LessOrEqual",
                              "Log",
                              "LogSoftmax",
                              "Loop",
                              "LpNormalization",
                              "MatMul",
                              "Max",
                              "MaxPool",
                              "Mean",
                              "Min",
                              "Mish",
                              "Mod",
                              "Mul",
                              "Neg",
                              "NonZero",
                              "Not",
                              "OneHot",
                              "Or",
                              "PRelu",
                              "Pad",
                              "Pow",
                              "RNN",
                              "Range",
                              "Reciprocal",
                              "ReduceL1",
                              "ReduceL2",
                              "ReduceLogSum",
                              "ReduceLogSumExp",
                              "ReduceMax",
                              "ReduceMean",
                              "ReduceMin",
                              "ReduceProd",
                              "ReduceSum",
                              "ReduceSumSquare",
                              "Relu",
                              "Reshape",
                              "Resize",
                              "ReverseSequence",
                              "Round",
                              "Scan",
                              "ScatterElements",
                              "ScatterND",
                              "Selu",
                              "Shape",
                              "Shrink",
                              "Sigmoid",
                              "Sign",
                              "Sin",
                              "Sinh",
                              "Size",
                              "Slice",
                              "Softmax",
                              "Softplus",
                              "Softsign",
                              "SpaceToDepth",
                              "Split",
                              "Sqrt",
                              "Squeeze",
                              "Sub",
                              "Sum",
                              "Tan",
                              "Tanh",
                              "ThresholdedRelu",
                              "Tile",
                              "TopK",
                              "Transpose",
                              "Trilu",
                              "Unsqueeze",
                              "Upsample",
                              "Where",
                              "Xor"};
    for (const char* op : required)
      QVERIFY2(findOp("", op, 18) != nullptr, op);
    QVERIFY(findOp("ai.onnx", "Conv", 13) != nullptr);
    QVERIFY(findOp("com.microsoft", "Conv", 13) == nullptr);
    qInfo("%zu op types registered", allOps().size());
  }
};

QTEST_GUILESS_MAIN(TestOpsGraph)
#include "test_ops_graph.moc"

// The .om reader against corrupt and hostile files: truncation at every byte, bit flips (with and
// without re-computed checksums, so damage also reaches the checks behind the CRCs), zeroed
// sections, huge counts/offsets/sizes, and crafted protobuf contents. Every case must end in a
// codes::kFormat error or in a model that passes validate() and ir::verify(); never in a crash.
// Run it under the asan preset (label "asan") to also catch silent out-of-bounds reads.
#include <QtTest>

#include <functional>

#include "core/om/container.h"
#include "core/om/om.pb.h"
#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "om_bytes.h"
#include "om_fixture.h"

using namespace gs;
using namespace gs::om;

namespace {

// Exactly-sized heap copy, so that AddressSanitizer flags any read past the end.
class ExactBuffer final : public ir::Buffer {
public:
  explicit ExactBuffer(const std::string& s) : m_size(s.size()), m_data(new std::byte[s.size() ? s.size() : 1]) {
    if (!s.empty()) std::memcpy(m_data.get(), s.data(), s.size());
  }
  const std::byte* data() const override { return m_data.get(); }
  std::size_t size() const override { return m_size; }

private:
  std::size_t m_size;
  std::unique_ptr<std::byte[]> m_data;
};

struct Outcome {
  int rejected = 0;
  int accepted = 0;
};

// Reads `bytes`; an accepted model must be fully usable. Returns the error message or "".
std::string probe(const std::string& bytes, Outcome& out) {
  auto m = deserialize(std::make_shared<ExactBuffer>(bytes));
  if (!m) {
    if (m.error().code != codes::kFormat) return "wrong error code " + m.error().str();
    if (m.error().message.empty()) return "empty error message";
    ++out.rejected;
    return "";
  }
  ++out.accepted;
  if (auto st = validate(*m); !st) return "accepted model fails validate(): " + st.error().message;
  for (const auto& g : m->gears)
    if (auto st = ir::verify(g.graph); !st) return "accepted gear fails verify(): " + st.error().message;
  if (m->dynamic)
    if (auto st = ir::verify(m->dynamic->graph); !st) return "accepted dynamic graph fails verify()";
  (void)toJson(*m).dump();
  (void)infoText(*m);
  // Touch every constant byte: views must lie inside the buffer.
  unsigned sum = 0;
  for (const auto& g : m->gears)
    for (const auto& v : g.graph.values)
      if (v.constant && v.constant->data())
        for (std::size_t i = 0; i < v.constant->byteSize(); ++i)
          sum += std::to_integer<unsigned>(v.constant->data()[i]);
  (void)sum;
  if (!serialize(*m)) return "accepted model cannot be written again";
  return "";
}

std::string base() { return *serialize(fixture::makeModel({2, true, 2, false})); }

pb::GraphsSection graphsOf(const std::string& f) {
  pb::GraphsSection g;
  const auto s = bytes::sectionBytes(f, format::kGraphs);
  if (!g.ParseFromString(s)) qFatal("fixture GRAPHS does not parse");
  return g;
}

pb::ModelDesc descOf(const std::string& f) {
  pb::ModelDesc d;
  if (!d.ParseFromString(bytes::sectionBytes(f, format::kModelDesc))) qFatal("fixture MODEL_DESC does not parse");
  return d;
}

std::string withGraphs(const std::string& f, const pb::GraphsSection& g) {
  return bytes::assemble(bytes::sectionBytes(f, format::kModelDesc), g.SerializeAsString(),
                         bytes::sectionBytes(f, format::kWeights));
}

std::string withDesc(const std::string& f, const pb::ModelDesc& d) {
  return bytes::assemble(d.SerializeAsString(), bytes::sectionBytes(f, format::kGraphs),
                         bytes::sectionBytes(f, format::kWeights));
}

pb::Value& valueNamed(pb::Graph& g, const std::string& name) {
  for (auto& v : *g.mutable_values())
    if (v.name() == name) return v;
  qFatal("no value named %s", name.c_str());
}

} // namespace

class TestOmCorrupt : public QObject {
  Q_OBJECT

private:
  void expectError(const std::string& f, const char* needle) {
    auto m = deserialize(std::make_shared<ExactBuffer>(f));
    QVERIFY2(!m, needle);
    QCOMPARE(QString::fromStdString(m.error().code), QString(codes::kFormat));
    QVERIFY2(m.error().message.find(needle) != std::string::npos, m.error().message.c_str());
  }

private slots:
  void fixtureIsValid() {
    Outcome o;
    const auto f = base();
    QCOMPARE(QString::fromStdString(probe(f, o)), QString());
    QCOMPARE(o.accepted, 1);
    // The document's layout: our independent assembler produces the writer's bytes exactly.
    QCOMPARE(bytes::assemble(bytes::sectionBytes(f, format::kModelDesc), bytes::sectionBytes(f, format::kGraphs),
                             bytes::sectionBytes(f, format::kWeights)),
             f);
  }

  void truncationAtEveryByte() {
    const auto f = base();
    Outcome o;
    for (std::size_t n = 0; n < f.size(); ++n) {
      const auto cut = f.substr(0, n);
      const auto why = probe(cut, o);
      QVERIFY2(why.empty(), why.c_str());
      // Same cut with the header re-sealed to claim the shorter size: sections now overrun.
      if (n >= 64) {
        auto sealed = cut;
        bytes::putLe<uint64_t>(sealed, bytes::kFileSizeAt, n);
        bytes::refreshChecksums(sealed);
        const auto why2 = probe(sealed, o);
        QVERIFY2(why2.empty(), why2.c_str());
      }
    }
    QCOMPARE(o.accepted, 0);
    qInfo("%zu-byte file: %d truncations rejected", f.size(), o.rejected);
  }

  void bitFlipsInHeaderAndTable() {
    const auto f = base();
    const std::size_t end = 64 + 3 * 32;
    Outcome raw, sealed;
    for (std::size_t i = 0; i < end; ++i)
      for (int bit = 0; bit < 8; ++bit) {
        auto g = f;
        g[i] = static_cast<char>(g[i] ^ (1 << bit));
        auto why = probe(g, raw);
        QVERIFY2(why.empty(), why.c_str());
        bytes::refreshChecksums(g);
        why = probe(g, sealed);
        QVERIFY2(why.empty(), why.c_str());
      }
    QCOMPARE(raw.accepted, 0); // CRCs catch every single-bit flip
    qInfo("re-sealed header/table flips: %d rejected, %d accepted (minor version, flags, reserved bytes)",
          sealed.rejected, sealed.accepted);
  }

  void bitFlipsInSections() {
    const auto f = base();
    Outcome raw, sealed, padding;
    const auto graphs = bytes::section(f, format::kGraphs);
    const auto weights = bytes::section(f, format::kWeights);
    for (std::size_t i = 64 + 3 * 32; i < f.size(); ++i) {
      // The zero padding before WEIGHTS is covered by no checksum: flips there change nothing.
      const bool inPadding = i >= graphs.offset + graphs.size && i < weights.offset;
      // Every byte of the structured sections, a sample of the weights.
      const bool inWeights = i >= weights.offset;
      if (inWeights && i % 7 != 0) continue;
      // One bit per byte, cycling through the bit positions (keeps the test fast under ASan).
      for (int bit : {static_cast<int>((i * 3) % 8)}) {
        auto g = f;
        g[i] = static_cast<char>(g[i] ^ (1 << bit));
        auto why = probe(g, inPadding ? padding : raw);
        QVERIFY2(why.empty(), why.c_str());
        bytes::refreshChecksums(g);
        why = probe(g, inPadding ? padding : sealed);
        QVERIFY2(why.empty(), why.c_str());
      }
    }
    QCOMPARE(raw.accepted, 0);
    QCOMPARE(padding.rejected, 0);
    QVERIFY(sealed.rejected > 0);
    qInfo("re-sealed section flips: %d rejected, %d accepted", sealed.rejected, sealed.accepted);
  }

  void zeroedAndSwappedSections() {
    const auto f = base();
    Outcome o;
    for (const auto& e : bytes::entries(f)) {
      auto g = f;
      std::fill(g.begin() + static_cast<std::ptrdiff_t>(e.offset),
                g.begin() + static_cast<std::ptrdiff_t>(e.offset + e.size), '\0');
      auto why = probe(g, o);
      QVERIFY2(why.empty(), why.c_str());
      bytes::refreshChecksums(g);
      // Zeroed weights with a matching checksum are a valid model (of zero constants).
      Outcome sealed;
      why = probe(g, sealed);
      QVERIFY2(why.empty(), why.c_str());
      QCOMPARE(sealed.accepted, e.id == format::kWeights ? 1 : 0);
    }
    // MODEL_DESC where GRAPHS should be and the other way round.
    auto swapped = bytes::assemble(bytes::sectionBytes(f, format::kGraphs), bytes::sectionBytes(f, format::kModelDesc),
                                   bytes::sectionBytes(f, format::kWeights));
    auto why = probe(swapped, o);
    QVERIFY2(why.empty(), why.c_str());
    QCOMPARE(o.accepted, 0);
  }

  void hugeHeaderAndTableValues() {
    const auto f = base();
    const uint64_t huge[] = {0xffffffffull,         0x80000000ull, 0xffffffffffffffffull,
                             0x8000000000000000ull, f.size() + 1,  0};
    struct Field {
      std::size_t at;
      int width;
    };
    std::vector<Field> fields = {{bytes::kHeaderSizeAt, 4},
                                 {bytes::kCountAt, 4},
                                 {bytes::kEntrySizeAt, 4},
                                 {bytes::kTableAt, 8},
                                 {bytes::kFileSizeAt, 8}};
    for (const auto& e : bytes::entries(f)) {
      fields.push_back({e.at + 8, 8});  // section offset
      fields.push_back({e.at + 16, 8}); // section size
    }
    Outcome o;
    for (const auto& field : fields)
      for (auto v : huge) {
        auto g = f;
        if (field.width == 4)
          bytes::putLe<uint32_t>(g, field.at, static_cast<uint32_t>(v));
        else
          bytes::putLe<uint64_t>(g, field.at, v);
        bytes::refreshChecksums(g);
        const auto why = probe(g, o);
        QVERIFY2(why.empty(), why.c_str());
      }
    QCOMPARE(o.accepted, 0);
    auto g = f;
    bytes::putLe<uint32_t>(g, bytes::kCountAt, 0xffffffffu);
    bytes::refreshChecksums(g);
    expectError(g, "section count");
    g = f;
    const auto e = bytes::section(f, format::kWeights);
    bytes::putLe<uint64_t>(g, e.at + 16, 0xffffffffffffffffull);
    bytes::refreshChecksums(g);
    expectError(g, "WEIGHTS");
    g = f;
    bytes::putLe<uint64_t>(g, bytes::section(f, format::kGraphs).at + 8, bytes::section(f, format::kModelDesc).offset);
    bytes::refreshChecksums(g);
    expectError(g, "overlap");
  }

  void crcMismatchNamesTheSection() {
    const auto f = base();
    for (uint32_t id : {format::kModelDesc, format::kGraphs, format::kWeights}) {
      auto g = f;
      const auto e = bytes::section(f, id);
      g[e.offset + e.size / 2] = static_cast<char>(g[e.offset + e.size / 2] ^ 0x10);
      expectError(g, ("checksum mismatch in section " + format::sectionName(id)).c_str());
    }
  }

  void craftedWeightTable() {
    const auto f = base();
    auto g = graphsOf(f);
    g.mutable_weights(0)->set_offset(0x8000000000000000ull);
    expectError(withGraphs(f, g), "outside the WEIGHTS section");
    g = graphsOf(f);
    g.mutable_weights(1)->set_offset(g.weights(1).offset() + 1);
    expectError(withGraphs(f, g), "aligned");
    g = graphsOf(f);
    g.mutable_weights(0)->set_size(0xffffffffffffffffull);
    expectError(withGraphs(f, g), "outside the WEIGHTS section");
    // A weight ref out of range, and a constant whose dims do not match its weight's size.
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "conv.w").mutable_constant()->set_weight(1000000000);
    expectError(withGraphs(f, g), "refers to weight");
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "conv.w").mutable_constant()->set_dims(0, 3);
    expectError(withGraphs(f, g), "bytes but weight");
    g = graphsOf(f);
    auto* t = valueNamed(*g.mutable_gears(1)->mutable_graph(), "conv.w").mutable_constant();
    t->clear_dims();
    for (int i = 0; i < 3; ++i)
      t->add_dims(int64_t{1} << 31);
    expectError(withGraphs(f, g), "2^48");
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "conv.b").mutable_constant()->set_dims(0, -4);
    expectError(withGraphs(f, g), "negative dims");
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "conv.b").mutable_constant()->set_inline_bytes("12345678");
    expectError(withGraphs(f, g), "constants must live in WEIGHTS");
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "labels").mutable_constant()->set_dims(0, int64_t{1} << 40);
    expectError(withGraphs(f, g), "strings");
    g = graphsOf(f);
    valueNamed(*g.mutable_gears(0)->mutable_graph(), "conv.b").mutable_constant()->set_dtype(99);
    expectError(withGraphs(f, g), "unknown dtype 99");
  }

  void craftedGraphs() {
    const auto f = base();
    auto mutate = [&](const std::function<void(pb::GraphsSection&)>& fn, const char* needle) {
      auto g = graphsOf(f);
      fn(g);
      expectError(withGraphs(f, g), needle);
    };
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(0)->set_inputs(0, 1000000000); },
           "out of range");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(0)->set_inputs(0, -7); }, "out of range");
    mutate([](auto& g) { g.mutable_gears(1)->mutable_graph()->mutable_nodes(1)->set_outputs(0, INT32_MAX); },
           "out of range");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->set_outputs(0, 12345); }, "out of range");
    mutate([](auto& g) { g.mutable_dynamic()->mutable_graph()->set_inputs(0, -1); }, "out of range");
    // relu writes conv's output too: produced twice.
    // (value ids: 0 x, 1 conv.w, 2 conv.b, 3 cond, 4 shape, 5 labels, 6 c, 7 r, 8 i, 9 y, 10 z, 11 extra)
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(1)->set_outputs(0, 6); },
           "produced more than once");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(1)->set_outputs(0, 5); },
           "both a constant and a node output");
    // conv reads relu's output: a cycle.
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(0)->set_inputs(0, 7); }, "cycle");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_offsets()->RemoveLast(); }, "arena offsets for");
    mutate([](auto& g) { g.mutable_gears(0)->set_offsets(0, int64_t{1} << 60); }, "does not fit");
    mutate([](auto& g) { g.mutable_gears(0)->set_offsets(0, -9); }, "invalid arena offset");
    mutate([](auto& g) { g.mutable_gears(0)->set_offsets(5, 0); }, "no static shape"); // string tensor
    mutate([](auto& g) { g.mutable_gears(0)->set_arena_bytes(uint64_t{1} << 62); }, "shared arena");
    mutate(
        [](auto& g) {
          auto& v = valueNamed(*g.mutable_gears(0)->mutable_graph(), "c");
          v.mutable_shape()->mutable_dims(0)->set_value(-5);
        },
        "negative dim");
    mutate(
        [](auto& g) {
          auto& v = valueNamed(*g.mutable_gears(0)->mutable_graph(), "c");
          for (int i = 0; i < 4; ++i)
            v.mutable_shape()->mutable_dims(i)->set_value(int64_t{1} << 20);
        },
        "2^48");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_values(0)->set_dtype(-3); }, "unknown dtype");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_nodes(4)->mutable_attrs(0)->set_kind(77); },
           "unknown attribute kind");
    mutate(
        [](auto& g) {
          auto* n = g.mutable_gears(0)->mutable_graph()->mutable_nodes(4);
          *n->add_attrs() = n->attrs(0);
        },
        "twice");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_graph()->mutable_values(0)->set_name(std::string(100000, 'n')); },
           "bytes long");
    mutate([](auto& g) { g.mutable_gears(0)->clear_graph(); }, "has no graph");
    mutate([](auto& g) { g.mutable_gears(0)->mutable_inputs()->Clear(); }, "descriptions");
    mutate([](auto& g) { g.mutable_dynamic()->mutable_ranges(0)->set_name("nope"); }, "names no graph input");
    mutate([](auto& g) { g.mutable_dynamic()->mutable_ranges(0)->mutable_dims(0)->set_lo(-2); }, "dim range");
    mutate([](auto& g) { g.mutable_gears(1)->set_index(g.gears(0).index()); }, "appears twice");
  }

  void craftedDesc() {
    const auto f = base();
    auto d = descOf(f);
    d.set_gear_count(1000000);
    expectError(withDesc(f, d), "gears");
    d = descOf(f);
    d.set_weight_bytes(d.weight_bytes() + 1);
    expectError(withDesc(f, d), "weight bytes");
    d = descOf(f);
    d.set_has_dynamic(false);
    expectError(withDesc(f, d), "dynamic");
    d = descOf(f);
    d.set_strategy("warp_speed");
    expectError(withDesc(f, d), "unknown strategy");
    d = descOf(f);
    d.set_atc_command(std::string(17u << 20, 'a'));
    expectError(withDesc(f, d), "MODEL_DESC is larger");
    // Not protobuf at all.
    expectError(bytes::assemble(std::string(40, '\xff'), bytes::sectionBytes(f, format::kGraphs),
                                bytes::sectionBytes(f, format::kWeights)),
                "not a valid protobuf");
  }

  // Subgraph nesting: a chain of If bodies. Moderate depth reads fine; deep nesting is refused by
  // the depth limit or protobuf's recursion limit, never by a stack overflow.
  void subgraphNesting() {
    const auto f = base();
    auto nested = [&](int depth) {
      auto g = graphsOf(f);
      pb::Graph* cur = g.mutable_gears(0)->mutable_graph();
      for (int i = 0; i < depth; ++i) {
        auto* node = cur->add_nodes();
        node->set_name("nest" + std::to_string(i));
        node->set_op_type("If");
        auto* a = node->add_attrs();
        a->set_name("then_branch");
        a->set_kind(5);
        cur = a->mutable_g();
        cur->set_name("level" + std::to_string(i));
      }
      return withGraphs(f, g);
    };
    Outcome o;
    QCOMPARE(QString::fromStdString(probe(nested(20), o)), QString());
    QCOMPARE(o.accepted, 1);
    expectError(nested(33), "nested");
    expectError(nested(2000), "nested");
  }
};

QTEST_GUILESS_MAIN(TestOmCorrupt)
#include "test_om_corrupt.moc"

// .om format: round trip of every field, zero-copy weights shared across gears, de-duplication,
// atomic writes, versioning rules, JSON/text views.
#include <QtTest>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/om/container.h"
#include "core/om/om_file.h"
#include "core/om/om_json.h"
#include "om_bytes.h"
#include "om_fixture.h"

using namespace gs;
using namespace gs::om;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> listDir(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Expected<Model> fromBytes(std::string bytes) {
  return deserialize(std::make_shared<ir::StringBuffer>(std::move(bytes)));
}

// Every constant tensor of a graph and its subgraphs (value constants and attribute tensors).
void collectConstants(const ir::Graph& g, std::vector<const ir::Tensor*>& out, bool withAttributes) {
  for (const auto& v : g.values)
    if (v.constant) out.push_back(&*v.constant);
  for (const auto& n : g.nodes)
    for (const auto& [name, a] : n.attrs) {
      if (withAttributes && a.kind == ir::Attribute::Kind::Tensor && a.t.byteSize() > format::kInlineTensorBytes)
        out.push_back(&a.t);
      if (a.g) collectConstants(*a.g, out, withAttributes);
      for (const auto& sg : a.graphs)
        if (sg) collectConstants(*sg, out, withAttributes);
    }
}

// Distinct weight bytes the fixture should need: conv w + b (the bodies' constants repeat b), the
// 1 KiB attribute tensor, the bool condition, and one 16-byte shape constant per distinct batch.
uint64_t expectedWeightBytes(const fixture::Options& o) {
  const auto c = static_cast<uint64_t>(o.channels);
  std::set<int64_t> batches;
  for (int i = 0; i < o.gears; ++i)
    batches.insert(int64_t{1} << (i % 5));
  if (o.dynamic) batches.insert(0);
  return c * c * 9 * 4 + c * 4 + 1024 + 1 + 16 * batches.size();
}

} // namespace

class TestOm : public QObject {
  Q_OBJECT

private slots:
  void roundTripKeepsEveryField() {
    const fixture::Options opts;
    const auto model = fixture::makeModel(opts);
    auto bytes = serialize(model);
    QVERIFY2(bytes, bytes ? "" : bytes.error().str().c_str());
    auto back = fromBytes(*bytes);
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    const auto diff = fixture::diffModels(model, *back);
    QVERIFY2(diff.empty(), diff.c_str());
    QCOMPARE(back->weightBytes, expectedWeightBytes(opts));
    // The bytes are a pure function of the model.
    QCOMPARE(*serialize(*back), *bytes);
  }

  void readFileSharesOneMappedWeightSection() {
    for (bool copies : {false, true}) {
      fixture::Options opts;
      opts.copyWeightsPerGear = copies;
      const auto model = fixture::makeModel(opts);
      QTemporaryDir dir;
      const auto path = (fs::path(dir.path().toStdString()) / "m.om").string();
      auto st = writeFile(model, path);
      QVERIFY2(st, st ? "" : st.error().str().c_str());
      auto back = readFile(path);
      QVERIFY2(back, back ? "" : back.error().str().c_str());
      QVERIFY(fixture::diffModels(model, *back).empty());
      QCOMPARE(back->weightBytes, expectedWeightBytes(opts));

      std::vector<const ir::Tensor*> consts;
      for (const auto& g : back->gears)
        collectConstants(g.graph, consts, true);
      collectConstants(back->dynamic->graph, consts, true);
      QVERIFY(consts.size() > 10);
      const ir::Buffer* file = consts.front()->buffer.get();
      QVERIFY(dynamic_cast<const ir::MappedFile*>(file) != nullptr);
      const auto fileSize = static_cast<std::size_t>(fs::file_size(path));
      QCOMPARE(file->size(), fileSize);
      for (const auto* t : consts) {
        if (t->dtype == ir::DataType::String) continue;
        QCOMPARE(t->buffer.get(), file); // every gear's constants point into the one map
        QVERIFY(t->offset + t->byteSize() <= fileSize);
        QCOMPARE(reinterpret_cast<uintptr_t>(t->data()) % format::kAlignment, uintptr_t{0});
      }
      // Identical constants of different gears (and copies with identical bytes) are stored once.
      auto weightOf = [](const ir::Graph& g) { return g.values[g.findValue("conv.w")].constant->data(); };
      for (const auto& g : back->gears)
        QCOMPARE(weightOf(g.graph), weightOf(back->gears.front().graph));
      QCOMPARE(weightOf(back->dynamic->graph), weightOf(back->gears.front().graph));
    }
  }

  void sixteenGearsCostAboutOne() {
    for (bool copies : {false, true}) {
      fixture::Options one{1, false, 192, copies};
      fixture::Options sixteen{16, false, 192, copies};
      const auto a = serialize(fixture::makeModel(one));
      const auto b = serialize(fixture::makeModel(sixteen));
      QVERIFY(a && b);
      qInfo("copies=%d: 1 gear %zu bytes, 16 gears %zu bytes (%.3fx)", copies, a->size(), b->size(),
            static_cast<double>(b->size()) / static_cast<double>(a->size()));
      QVERIFY(static_cast<double>(b->size()) <= 1.10 * static_cast<double>(a->size()));
      QVERIFY(a->size() > 192 * 192 * 36); // the weights really dominate
    }
  }

  void writerRejectsInvalidModels() {
    QTemporaryDir dir;
    const auto path = (fs::path(dir.path().toStdString()) / "bad.om").string();
    auto check = [&](Model m, const char* needle) {
      auto st = writeFile(m, path);
      QVERIFY(!st);
      QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kInvalid));
      QVERIFY2(st.error().message.find(needle) != std::string::npos, st.error().message.c_str());
      QVERIFY(listDir(dir.path().toStdString()).empty());
    };
    auto m = fixture::makeModel();
    m.gears[0].offsets.pop_back();
    check(m, "arena offsets for");
    m = fixture::makeModel();
    m.gears[1].graph.nodes[0].inputs[0] = 1000;
    check(m, "out of range");
    m = fixture::makeModel();
    m.gears[0].graph.values[1].constant->buffer.reset();
    check(m, "no data");
    m = fixture::makeModel();
    m.sharedArenaBytes = 1;
    check(m, "shared arena");
    m = fixture::makeModel();
    m.gears.clear();
    m.dynamic.reset();
    check(m, "neither gears");
  }

  void writeToUnwritableFolderFailsCleanly() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    const auto model = fixture::makeModel({1, false, 4, false});
    auto st = writeFile(model, (root / "missing" / "m.om").string());
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kIo));
    QVERIFY2(st.error().message.find("missing/m.om") != std::string::npos, st.error().message.c_str());
    QVERIFY(listDir(root).empty());
    // /proc refuses new files even to root.
    st = writeFile(model, "/proc/gs_test_model.om");
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kIo));
    if (::geteuid() != 0) {
      const auto ro = root / "ro";
      fs::create_directory(ro);
      fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
      st = writeFile(model, (ro / "m.om").string());
      fs::permissions(ro, fs::perms::owner_all);
      QVERIFY(!st);
      QVERIFY(listDir(ro).empty());
    }
  }

  // A write that fails mid-way (the file-size limit makes write() fail with EFBIG after the first
  // bytes, as a full disk would) leaves the old file byte-for-byte intact and no temporary file.
  void failedOverwriteKeepsOldFile() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    const auto path = (root / "m.om").string();
    const auto small = fixture::makeModel({1, false, 4, false});
    const auto large = fixture::makeModel({2, false, 96, false});
    QVERIFY(writeFile(small, path));
    const auto before = slurp(path);
    QVERIFY(before.size() < 64 * 1024);

    rlimit old{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    rlimit limited = old;
    limited.rlim_cur = 64 * 1024;
    auto* previous = std::signal(SIGXFSZ, SIG_IGN);
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &limited), 0);
    const auto st = writeFile(large, path);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);

    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kIo));
    qInfo("%s", st.error().str().c_str());
    QCOMPARE(slurp(path), before);
    QCOMPARE(listDir(root), std::vector<std::string>{"m.om"});
    // Without the limit the same write succeeds and replaces the file.
    QVERIFY(writeFile(large, path));
    auto back = readFile(path);
    QVERIFY(back);
    QVERIFY(fixture::diffModels(large, *back).empty());
    QCOMPARE(listDir(root), std::vector<std::string>{"m.om"});
  }

  // Issue 11: a writer killed with SIGKILL in the middle of write() leaves the old file intact and
  // its temporary file behind; the next write into that folder removes it, and only it.
  void killedWriterLeavesOldFileAndNextWriteRemovesItsTemp() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    const auto path = (root / "m.om").string();
    const auto small = fixture::makeModel({1, false, 4, false});
    QVERIFY(writeFile(small, path));
    const auto before = slurp(path);

    const pid_t child = ::fork();
    if (child == 0) {
      // Past 64 KiB the kernel sends SIGXFSZ inside write(); the handler turns it into kill -9.
      rlimit limited{64 * 1024, 64 * 1024};
      ::setrlimit(RLIMIT_FSIZE, &limited);
      std::signal(SIGXFSZ, [](int) { ::raise(SIGKILL); });
      (void)writeFile(fixture::makeModel({2, false, 96, false}), path);
      ::_exit(0);
    }
    QVERIFY(child > 0);
    int ws = 0;
    QCOMPARE(::waitpid(child, &ws, 0), child);
    QVERIFY2(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL, "the writer was not killed mid-write");
    QCOMPARE(slurp(path), before);
    const auto left = listDir(root);
    QCOMPARE(left.size(), std::size_t{2});
    const auto stale = left[0]; // ".m.om.tmp-PID-N" (N counts this process's writes before the fork)
    QVERIFY2(stale.starts_with(".m.om.tmp-" + std::to_string(child) + "-"), stale.c_str());
    QCOMPARE(left[1], std::string("m.om"));
    QVERIFY(fs::file_size(root / stale) > 0);

    // Files the cleanup must leave alone: not an .om, a live writer (this process), not our name
    // pattern, a folder.
    const auto dead = std::to_string(child);
    std::ofstream(root / (".notes.om.tmp-" + dead + "-3")) << "someone else's data";
    std::ofstream(root / (".x.om.tmp-" + std::to_string(::getpid()) + "-99")).flush();
    std::ofstream(root / ("plain.tmp-" + dead + "-1")).flush();
    fs::create_directory(root / (".d.om.tmp-" + dead + "-2"));
    const auto others = listDir(root);

    QVERIFY(writeFile(small, (root / "n.om").string()));
    auto expected = others;
    std::erase(expected, stale);
    expected.push_back("n.om");
    std::sort(expected.begin(), expected.end());
    QCOMPARE(listDir(root), expected);
    QVERIFY(readFile(path));
  }

  void overwriteKeepsPermissionsAndOldMapsStayValid() {
    QTemporaryDir dir;
    const auto path = (fs::path(dir.path().toStdString()) / "m.om").string();
    const auto a = fixture::makeModel({1, false, 4, false});
    const auto b = fixture::makeModel({2, true, 8, false});
    QVERIFY(writeFile(a, path));
    QCOMPARE(::chmod(path.c_str(), 0640), 0);
    auto mappedA = readFile(path);
    QVERIFY(mappedA);
    QVERIFY(writeFile(b, path));
    struct stat st {};
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0640u);
    // rename() replaced the directory entry; the old map still reads the old inode's bytes.
    QVERIFY(fixture::diffModels(a, *mappedA).empty());
    auto mappedB = readFile(path);
    QVERIFY(mappedB);
    QVERIFY(fixture::diffModels(b, *mappedB).empty());
  }

  void writeOverDirectoryFailsCleanly() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    fs::create_directory(root / "taken");
    const auto st = writeFile(fixture::makeModel({1, false, 4, false}), (root / "taken").string());
    QVERIFY(!st);
    QCOMPARE(QString::fromStdString(st.error().code), QString(codes::kIo));
    QCOMPARE(listDir(root), std::vector<std::string>{"taken"});
  }

  void readerVersionRules() {
    const auto good = *serialize(fixture::makeModel({1, false, 4, false}));
    auto newerMajor = good;
    bytes::putLe<uint16_t>(newerMajor, 8, format::kVersionMajor + 1);
    bytes::refreshChecksums(newerMajor);
    auto r = fromBytes(newerMajor);
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kFormat));
    const auto minor = "." + std::to_string(format::kVersionMinor);
    const auto newer = std::to_string(format::kVersionMajor + 1) + minor;
    const auto current = std::to_string(format::kVersionMajor) + minor;
    QVERIFY2(r.error().message.find(newer) != std::string::npos && r.error().message.find(current) != std::string::npos,
             r.error().message.c_str());

    auto newerMinor = good;
    bytes::putLe<uint16_t>(newerMinor, 10, 7);
    bytes::refreshChecksums(newerMinor);
    QVERIFY(fromBytes(newerMinor));

    // A newer writer may add sections: optional ones are skipped, required ones are refused. The
    // table is moved to the end of the file to make room for a fourth entry.
    for (uint32_t flags : {0u, 1u}) {
      auto f = good;
      const auto oldTable = bytes::getLe<uint64_t>(f, bytes::kTableAt);
      const std::string table = f.substr(oldTable, 3 * 32);
      const auto extraAt = f.size();
      f += "hello";
      const auto tableAt = f.size();
      f += table + std::string(32, '\0');
      bytes::putLe<uint32_t>(f, tableAt + 96, 99);
      bytes::putLe<uint32_t>(f, tableAt + 96 + 4, flags);
      bytes::putLe<uint64_t>(f, tableAt + 96 + 8, extraAt);
      bytes::putLe<uint64_t>(f, tableAt + 96 + 16, 5);
      bytes::putLe<uint64_t>(f, bytes::kTableAt, tableAt);
      bytes::putLe<uint32_t>(f, bytes::kCountAt, 4);
      bytes::putLe<uint64_t>(f, bytes::kFileSizeAt, f.size());
      bytes::refreshChecksums(f);
      auto m = fromBytes(f);
      if (flags == 0) {
        QVERIFY2(m, m ? "" : m.error().str().c_str());
      } else {
        QVERIFY(!m);
        QVERIFY2(m.error().message.find("section #99") != std::string::npos, m.error().message.c_str());
      }
    }
  }

  void readFileErrorsNameTheProblem() {
    QTemporaryDir dir;
    const fs::path root(dir.path().toStdString());
    auto r = readFile((root / "nope.om").string());
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kIo));
    std::ofstream(root / "empty.om").close();
    r = readFile((root / "empty.om").string());
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kFormat));
    QVERIFY2(r.error().message.find("empty.om") != std::string::npos, r.error().message.c_str());
    std::ofstream(root / "text.om") << std::string(200, 'x');
    r = readFile((root / "text.om").string());
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("bad magic") != std::string::npos, r.error().message.c_str());
  }

  // Format 2.1's per-node precision record: round trip, JSON per node and per gear, the info text,
  // and the writer's checks (one entry per node, float dtypes only).
  void precisionRecord() {
    auto model = fixture::makeModel();
    auto& gear = model.gears[1];
    for (std::size_t i = 0; i < gear.graph.nodes.size(); ++i)
      gear.nodePrecision.push_back(i % 2 ? ir::DataType::Float16 : ir::DataType::Undefined);
    model.dynamic->nodePrecision.assign(model.dynamic->graph.nodes.size(), ir::DataType::BFloat16);
    auto bytes = serialize(model);
    QVERIFY2(bytes, bytes ? "" : bytes.error().str().c_str());
    QCOMPARE(bytes::getLe<uint16_t>(*bytes, 10), format::kVersionMinor);
    auto back = fromBytes(*bytes);
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->gears[1].nodePrecision, gear.nodePrecision);
    QVERIFY(back->gears[0].nodePrecision.empty());
    QCOMPARE(back->dynamic->nodePrecision, model.dynamic->nodePrecision);
    const auto j = toJson(*back);
    QVERIFY(!j["gears"][0].contains("precision"));
    QVERIFY(!j["gears"][0]["graph"]["nodes"][0].contains("precision"));
    const int half = static_cast<int>(gear.graph.nodes.size() / 2);
    QCOMPARE(j["gears"][1]["precision"]["float16"].get<int>(), half);
    QVERIFY(j["gears"][1]["graph"]["nodes"][0]["precision"].is_null());
    QCOMPARE(j["gears"][1]["graph"]["nodes"][1]["precision"].get<std::string>(), std::string("float16"));
    QCOMPARE(j["dynamic"]["precision"]["bfloat16"].get<std::size_t>(), model.dynamic->graph.nodes.size());
    const auto info = infoText(*back);
    QVERIFY2(info.find("precision: float16 " + std::to_string(half)) != std::string::npos, info.c_str());
    auto shortRecord = model;
    shortRecord.gears[1].nodePrecision.pop_back();
    auto st = serialize(shortRecord);
    QVERIFY(!st);
    QVERIFY2(st.error().message.find("precision record") != std::string::npos, st.error().message.c_str());
    auto notFloat = model;
    notFloat.gears[1].nodePrecision[0] = ir::DataType::Int64;
    QVERIFY(!serialize(notFloat));
  }

  void jsonAndInfoText() {
    const auto model = fixture::makeModel();
    auto back = fromBytes(*serialize(model));
    QVERIFY(back);
    const auto j = toJson(*back);
    QCOMPARE(j["gears"].size(), std::size_t{3});
    QCOMPARE(j["metadata"]["strategy"].get<std::string>(), std::string("dynamic_batch"));
    QCOMPARE(j["metadata"]["soc_version"].get<std::string>(), std::string("Ascend310"));
    QCOMPARE(j["weight_bytes"].get<uint64_t>(), back->weightBytes);
    QCOMPARE(j["shared_arena_bytes"].get<uint64_t>(), model.sharedArenaBytes);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& g = j["gears"][i];
      const auto& src = model.gears[i];
      QCOMPARE(g["index"].get<int>(), src.index);
      QCOMPARE(g["inputs"][0]["shape"].get<std::vector<int64_t>>(), src.inputs[0].dims);
      QCOMPARE(g["outputs"][0]["shape"].get<std::vector<int64_t>>(), src.outputs[0].dims);
      QCOMPARE(g["arena_bytes"].get<uint64_t>(), src.arenaBytes);
      QCOMPARE(g["arena_lower_bound_bytes"].get<uint64_t>(), src.arenaLowerBoundBytes);
      QCOMPARE(g["flops"].get<double>(), src.flops);
      QCOMPARE(g["node_count"].get<std::size_t>(), src.graph.nodes.size());
      QCOMPARE(g["passes"][0]["counters"]["folded"].get<int64_t>(), int64_t{2});
    }
    QCOMPARE(j["dynamic"]["inputs"][0]["dims"][0]["hi"].get<int64_t>(), int64_t{16});
    // Non-UTF-8 metadata (the fixture's extra "bytes") must not make dump() throw.
    const auto text = j.dump(2);
    QVERIFY(text.find("\\ufffd") != std::string::npos || text.find("\xef\xbf\xbd") != std::string::npos);

    const auto info = infoText(*back);
    QVERIFY(info.find("gear count:    3") != std::string::npos);
    QVERIFY(info.find("Ascend310") != std::string::npos);
    QVERIFY(info.find(model.meta.atcCommand) != std::string::npos);
    QVERIFY(info.find("x:[1~16,8,8,8~-1]") != std::string::npos);
    QVERIFY(info.find("lower bound " + std::to_string(model.gears[2].arenaLowerBoundBytes)) != std::string::npos);
  }

  // A file written by format 1 (tests/data/om/v1_fused.om, made by gearatc before the ai.gearstudio
  // ops; tests/data/om/make_v1_fused.py): its gs_* attributes come back as GearStudio ops.
  void readsFormat1File() {
    const auto path = std::string(GS_SOURCE_DIR) + "/tests/data/om/v1_fused.om";
    std::ifstream f(path, std::ios::binary);
    QVERIFY2(f, path.c_str());
    const std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    QCOMPARE(bytes::getLe<uint16_t>(raw, 8), uint16_t{1}); // really a format-1 file
    auto m = readFile(path);
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    QCOMPARE(m->gears.size(), std::size_t{2});
    for (const auto& gear : m->gears) {
      std::map<std::string, int> ops;
      int residual = 0, post = 0, nhwc = 0;
      for (const auto& n : gear.graph.nodes) {
        for (const auto& [name, a] : n.attrs)
          QVERIFY2(name.rfind("gs_", 0) != 0, (n.name + ": " + name).c_str());
        ops[(n.domain.empty() ? "" : n.domain + ".") + n.opType]++;
        if (n.opType == "FusedConv" && n.inputs.size() == 4 && n.inputs[3] != ir::kNone) ++residual;
        if (n.attrs.has("post_scale")) ++post;
        if (n.attrs.getString("layout", "") == "NHWC") ++nhwc;
      }
      QCOMPARE(ops["ai.gearstudio.FusedConv"], 4);
      QCOMPARE(ops["ai.gearstudio.FusedConvTranspose"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedGemm"], 1);
      QCOMPARE(ops["ai.gearstudio.FusedMatMul"], 1);
      QCOMPARE(ops["ai.gearstudio.NhwcMaxPool"], 1);
      QCOMPARE(ops["ai.gearstudio.NhwcGlobalAveragePool"], 1);
      QCOMPARE(ops["Conv"] + ops["Gemm"] + ops["MatMul"] + ops["MaxPool"], 0);
      QCOMPARE(residual, 1);
      QCOMPARE(post, 1);
      QCOMPARE(nhwc, 5); // 4 FusedConv + FusedConvTranspose
    }
    // Written again, it is a current-format file with the same graphs.
    auto again = serialize(*m);
    QVERIFY(again);
    QCOMPARE(bytes::getLe<uint16_t>(*again, 8), format::kVersionMajor);
    auto back = fromBytes(*again);
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(fixture::diffModels(*m, *back), std::string());
  }

  // Format 1 with something this version cannot translate is refused naming the node and attribute;
  // a gs_* attribute in a current-format file is refused as corrupt.
  void refusesUntranslatableFiles() {
    auto model = fixture::makeModel({1, false, 4, false});
    for (auto& n : model.gears[0].graph.nodes)
      if (n.name == "relu") n.attrs.set("gs_activation", ir::Attribute::ofString("Relu"));
    auto current = *serialize(model);
    auto r = fromBytes(current);
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kFormat));
    QVERIFY2(r.error().message.find("gs_activation") != std::string::npos &&
                 r.error().message.find("format-1") != std::string::npos,
             r.error().message.c_str());
    auto old = current;
    bytes::putLe<uint16_t>(old, 8, 1);
    bytes::refreshChecksums(old);
    r = fromBytes(old);
    QVERIFY(!r);
    QCOMPARE(QString::fromStdString(r.error().code), QString(codes::kFormat));
    QVERIFY2(r.error().message.find("'relu' (Relu)") != std::string::npos &&
                 r.error().message.find("gs_activation") != std::string::npos &&
                 r.error().message.find("recompile") != std::string::npos,
             r.error().message.c_str());
    // Format 1 without private attributes reads as it is.
    auto plain = *serialize(fixture::makeModel({1, false, 4, false}));
    bytes::putLe<uint16_t>(plain, 8, 1);
    bytes::refreshChecksums(plain);
    QVERIFY(fromBytes(plain));
    // Format 0 was never written.
    bytes::putLe<uint16_t>(plain, 8, 0);
    bytes::refreshChecksums(plain);
    QVERIFY(!fromBytes(plain));
  }
};

QTEST_GUILESS_MAIN(TestOm)
#include "test_om.moc"

// gs_traffic tests without models: trace readers (CSV, JSON lines, .npy and image folders) with their
// line-numbered errors, the generator, and the gear optimizer against brute force.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <sys/resource.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/runtime/npy.h"
#include "core/traffic/planner.h"
#include "core/traffic/trace.h"
#include "core/traffic/trace_generate.h"
#include "core/traffic/trace_sources.h"

using namespace gs;
using namespace gs::traffic;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

std::string be32(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
}

std::string pngHeader(uint32_t w, uint32_t h) {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += be32(13) + "IHDR" + be32(w) + be32(h) + std::string("\x08\x02\x00\x00\x00", 5) + be32(0);
  return s;
}

std::string jpegHeader(uint16_t w, uint16_t h, std::size_t app0Bytes = 14) {
  std::string s = "\xFF\xD8";
  // APP0 with a payload of app0Bytes, then SOF0.
  s += "\xFF\xE0";
  const auto len = static_cast<uint16_t>(app0Bytes + 2);
  s += static_cast<char>(len >> 8);
  s += static_cast<char>(len & 0xFF);
  s += std::string(app0Bytes, 'J');
  s += "\xFF\xC0";
  s += std::string("\x00\x11\x08", 3);
  s += static_cast<char>(h >> 8);
  s += static_cast<char>(h & 0xFF);
  s += static_cast<char>(w >> 8);
  s += static_cast<char>(w & 0xFF);
  s += std::string(12, '\x01');
  return s;
}

} // namespace

class TestTraces : public QObject {
  Q_OBJECT

private slots:
  void csvForms() {
    const auto t = parseCsv("input_shape,count\n"
                            "# a comment\n"
                            "x:1,3,48,320\n"
                            "\"x:1,3,48,640\",5\n"
                            "\n"
                            "x:1,3,48,96\t2\n");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->inputs, std::vector<std::string>{"x"});
    QCOMPARE(t->requests.size(), std::size_t{3});
    QCOMPARE(t->requests[1].dims[0], (std::vector<int64_t>{1, 3, 48, 640}));
    QCOMPARE(t->requests[1].count, int64_t{5});
    QCOMPARE(t->requests[2].count, int64_t{2});
    QCOMPARE(t->totalRequests(), int64_t{8});
    // Two inputs, given in another order on later lines: reordered to the first line's order.
    const auto two = parseCsv("a:1,2;b:3\nb:4;a:1,5\n");
    QVERIFY(two.has_value());
    QCOMPARE(two->requests[1].dims[0], (std::vector<int64_t>{1, 5}));
    QCOMPARE(two->requests[1].dims[1], (std::vector<int64_t>{4}));
  }

  void csvRejectsWithLineNumbers_data() {
    QTest::addColumn<QByteArray>("text"); // bytes: a QString would re-encode them
    QTest::addColumn<QString>("expect");
    QTest::newRow("not a number") << QByteArray("x:1,3\nx:1,a\n") << "t.csv:2:";
    QTest::newRow("zero dim") << QByteArray("x:1,3\n\nx:1,0\n") << "t.csv:3:";
    QTest::newRow("negative dim") << QByteArray("x:1,-1\n") << "t.csv:1:";
    QTest::newRow("no colon") << QByteArray("x:1\n1,2,3\n") << "t.csv:2:";
    QTest::newRow("unknown input") << QByteArray("x:1\ny:1\n") << "t.csv:2: input 'y'";
    QTest::newRow("rank change") << QByteArray("x:1,2\nx:1,2,3\n") << "t.csv:2: input 'x' has rank 3";
    QTest::newRow("count zero") << QByteArray("\"x:1\",0\n") << "t.csv:1: count 0";
    QTest::newRow("bad count") << QByteArray("\"x:1\",many\n") << "t.csv:1: count";
    QTest::newRow("unterminated") << QByteArray("x:1\n\"x:1,2\n") << "t.csv:2: an unterminated quote";
    QTest::newRow("duplicate input") << QByteArray("x:1;x:2\n") << "t.csv:1: input 'x' appears twice";
    QTest::newRow("trailing comma") << QByteArray("x:1,\n") << "t.csv:1:";
    QTest::newRow("huge dim") << QByteArray("x:1,99999999999\n") << "t.csv:1:";
    QTest::newRow("non-utf8") << QByteArray("x:1\n\xff\xfe:1\n") << "t.csv:2: not UTF-8";
    QTest::newRow("empty") << QByteArray("# nothing\n\n") << "no requests";
    QTest::newRow("header only") << QByteArray("input_shape,count\n") << "no requests";
    QTest::newRow("count overflows int64") << QByteArray("x:1\n\"x:2\",99999999999999999999\n") << "t.csv:2: count";
    QTest::newRow("count above the cap") << QByteArray("\"x:2\",1000000001\n")
                                         << "t.csv:1: count 1000000001 is outside";
    QTest::newRow("dim overflows int64") << QByteArray("x:1,3,48,-99999999999999999999\n") << "t.csv:1: input 'x': dim";
    QTest::newRow("dim is a float") << QByteArray("x:1,3,48,3.5e2\n") << "t.csv:1:";
    QTest::newRow("latin-1 name") << QByteArray("x:1\n\xe9:1\n") << "t.csv:2: not UTF-8";
    QTest::newRow("overlong utf-8") << QByteArray("\xc0\xafx:1\n") << "t.csv:1: not UTF-8";
    QTest::newRow("surrogate utf-8") << QByteArray("\xed\xa0\x80:1\n") << "t.csv:1: not UTF-8";
    QTest::newRow("empty item") << QByteArray("x:1;;y:2\n") << "t.csv:1: an empty item";
    QTest::newRow("count without shapes") << QByteArray("\"\",3\n") << "t.csv:1: no shapes";
  }
  void csvRejectsWithLineNumbers() {
    QFETCH(QByteArray, text);
    QFETCH(QString, expect);
    const auto bytes = text.toStdString();
    const auto t = parseCsv(bytes, "t.csv");
    QVERIFY(!t.has_value());
    QVERIFY2(has(t.error().message, expect.toStdString()), t.error().message.c_str());
  }

  // Bytes a QString row cannot carry: NUL, a byte-order mark, CRLF line ends.
  void csvOddBytes() {
    const auto nul = parseCsv(std::string("x:1,2\nx:1,\0"
                                          "3\n",
                                          13),
                              "t.csv");
    QVERIFY(!nul.has_value());
    QVERIFY2(has(nul.error().message, "t.csv:2:"), nul.error().message.c_str());
    const auto bom = parseCsv("\xEF\xBB\xBFx:1,2\r\nx:1,3\r\n", "t.csv");
    QVERIFY2(bom.has_value(), bom ? "" : bom.error().message.c_str());
    QCOMPARE(bom->inputs, std::vector<std::string>{"x"}); // the mark is not part of the name
    QCOMPARE(bom->requests.size(), std::size_t{2});
    const auto jbom = parseJsonLines("\xEF\xBB\xBF{\"shapes\": {\"x\": [1, 2]}}\r\n", "j");
    QVERIFY2(jbom.has_value(), jbom ? "" : jbom.error().message.c_str());
    // Repeated lines merge into one entry's count (a long log of few shapes stays small), in order.
    const auto rep = parseCsv("x:1\nx:1\n\"x:1\",3\nx:2\nx:1\n");
    QVERIFY(rep.has_value());
    QCOMPARE(rep->requests.size(), std::size_t{3});
    QCOMPARE(rep->requests[0].count, int64_t{5});
    QCOMPARE(rep->totalRequests(), int64_t{7});
    QCOMPARE(replayOrder(*rep, 0), (std::vector<std::size_t>{0, 0, 0, 0, 0, 1, 2}));
  }

  void hostileFiles() {
    QTemporaryDir dir;
    // A folder, a missing file and an over-size (sparse) file: errors naming the path, nothing read.
    auto err = readTrace(dir.path().toStdString());
    QVERIFY(!err.has_value());
    err = readTrace(dir.filePath("none.csv").toStdString());
    QVERIFY(!err.has_value() && has(err.error().message, "none.csv"));
    const auto big = dir.filePath("big.csv").toStdString();
    { std::ofstream f(big); }
    std::filesystem::resize_file(big, kMaxFileBytes + 1);
    err = readTrace(big);
    QVERIFY(!err.has_value());
    QVERIFY2(has(err.error().message, "MiB"), err.error().message.c_str());
    // Random bytes: an error, never a crash.
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
      std::string junk(static_cast<std::size_t>(rng() % 4096), '\0');
      for (auto& c : junk)
        c = static_cast<char>(rng());
      const auto path = dir.filePath(round % 2 ? "junk.csv" : "junk.jsonl").toStdString();
      writeBytes(path, junk);
      QVERIFY(!readTrace(path).has_value());
    }
    // JSON numbers beyond int64 and deep nesting.
    struct Bad {
      std::string text;
      const char* expect;
    } cases[] = {
        {"{\"shapes\": {\"x\": [1, 1e300]}}", "j:1: input 'x': a dim is not an integer"},
        {"{\"shapes\": {\"x\": [1, 18446744073709551615]}}", "j:1: input 'x': dim"},
        {"{\"shapes\": {\"x\": [1, 99999999999999999999999]}}", "j:1: input 'x': a dim is not an integer"},
        {"{\"shapes\": {\"x\": [1]}, \"count\": 18446744073709551615}", "j:1: count"},
        {"{\"shapes\": {\"\xff\": [1]}}", "j:1: not JSON"},
        {std::string(100000, '[') + std::string(100000, ']'), "j:1: expected a JSON object"},
    };
    for (const auto& c : cases) {
      const auto r = parseJsonLines(c.text, "j");
      QVERIFY2(!r.has_value(), c.text.substr(0, 80).c_str());
      QVERIFY2(has(r.error().message, c.expect), r.error().message.c_str());
    }
  }

  // A million-line trace of a thousand widths: read, counted and planned within seconds and a bounded
  // amount of memory (a reader that copied per line or a quadratic step would blow either bound).
  void millionLineTraceIsBounded() {
    std::string text = "input_shape,count\n";
    text.reserve(std::size_t{26} << 20);
    for (int i = 0; i < 1'000'000; ++i)
      text += "x:1,3,48," + std::to_string(16 + (i * 37) % 1265) + "\n";
    rusage before{};
    getrusage(RUSAGE_SELF, &before);
    const auto t0 = std::chrono::steady_clock::now();
    const auto t = parseCsv(text, "million.csv");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->totalRequests(), int64_t{1'000'000});
    const auto h = histogram(*t, 0, 3, 1);
    QCOMPARE(h.total(), int64_t{1'000'000});
    CostModel model({{16, 0.5, 1e5}, {1280, 20.0, 16e6}});
    auto sets = planOneDim(h, 8, [&](int64_t v) { return model.millis(static_cast<double>(v)); });
    QVERIFY(sets.has_value());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage after{};
    getrusage(RUSAGE_SELF, &after);
    const double grewMiB = static_cast<double>(after.ru_maxrss - before.ru_maxrss) / 1024.0;
    qInfo("million-line trace: %.2f s, peak RSS grew %.0f MiB", s, grewMiB);
    QVERIFY2(s < 20.0, std::to_string(s).c_str());
    QVERIFY2(grewMiB < 400.0, std::to_string(grewMiB).c_str());
    // The same million lines as one repeated shape: one entry.
    std::string same;
    for (int i = 0; i < 1'000'000; ++i)
      same += "x:1,3,48,320\n";
    const auto one = parseCsv(same);
    QVERIFY(one.has_value());
    QCOMPARE(one->requests.size(), std::size_t{1});
    QCOMPARE(one->totalRequests(), int64_t{1'000'000});
  }

  void jsonLines() {
    const auto t = parseJsonLines("{\"shapes\": {\"x\": [1,3,48,320]}, \"count\": 3}\n"
                                  "{\"input_shape\": \"x:1,3,48,64\"}\n");
    QVERIFY(t.has_value());
    QCOMPARE(t->totalRequests(), int64_t{4});
    QCOMPARE(t->requests[1].dims[0].back(), int64_t{64});
    struct Bad {
      const char* text;
      const char* expect;
    } cases[] = {
        {"{\"shapes\": {\"x\": [1]}}\n{not json\n", "j:2: not JSON"},
        {"[1,2]\n", "j:1: expected a JSON object"},
        {"{\"shapes\": {\"x\": [1, 2.5]}}\n", "j:1: input 'x': a dim is not an integer"},
        {"{\"shapes\": {\"x\": [1]}, \"count\": \"2\"}\n", "j:1: \"count\" must be an integer"},
        {"{\"shapes\": {\"x\": [1]}}\n{\"shapes\": {\"x\": [1]}, \"extra\": 1}\n", "j:2: unknown key"},
        {"{\"count\": 2}\n", "j:1: no \"shapes\""},
        {"{\"shapes\": {\"x\": [0]}}\n", "j:1: input 'x': dim 0"},
    };
    for (const auto& c : cases) {
      const auto r = parseJsonLines(c.text, "j");
      QVERIFY2(!r.has_value(), c.text);
      QVERIFY2(has(r.error().message, c.expect), r.error().message.c_str());
    }
  }

  void roundTripFiles() {
    QTemporaryDir dir;
    Trace t;
    t.inputs = {"x", "y"};
    t.requests.push_back(Request{{{1, 3, 48, 320}, {1, 7}}, 2});
    t.requests.push_back(Request{{{1, 3, 48, 96}, {1, 9}}, 1});
    for (const char* name : {"t.csv", "t.jsonl"}) {
      const auto path = dir.filePath(name).toStdString();
      QVERIFY(writeTrace(t, path).has_value());
      const auto back = readTrace(path);
      QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
      QCOMPARE(*back, t);
    }
    QVERIFY(!readTrace(dir.filePath("missing.csv").toStdString()).has_value());
    const auto order = replayOrder(t, 0);
    QCOMPARE(order, (std::vector<std::size_t>{0, 0, 1}));
    QCOMPARE(replayOrder(t, 5), (std::vector<std::size_t>{0, 0, 1, 0, 0}));
  }

  void imageHeaders() {
    auto png = imageSizeFromBytes(pngHeader(640, 48).data(), pngHeader(640, 48).size());
    QVERIFY(png.has_value());
    QCOMPARE(png->width, int64_t{640});
    QCOMPARE(png->height, int64_t{48});
    const auto jpg = jpegHeader(321, 37, 300);
    auto j = imageSizeFromBytes(jpg.data(), jpg.size());
    QVERIFY2(j.has_value(), j ? "" : j.error().message.c_str());
    QCOMPARE(j->width, int64_t{321});
    QCOMPARE(j->height, int64_t{37});
    std::string bmp = "BM" + std::string(16, '\0');
    bmp += std::string("\x20\x03\x00\x00", 4); // 800
    bmp += std::string("\x9c\xff\xff\xff", 4); // -100: top-down
    auto b = imageSizeFromBytes(bmp.data(), bmp.size());
    QVERIFY(b.has_value());
    QCOMPARE(b->width, int64_t{800});
    QCOMPARE(b->height, int64_t{100});
    const std::string gif = std::string("GIF89a") + std::string("\x10\x00\x20\x00", 4);
    auto g = imageSizeFromBytes(gif.data(), gif.size());
    QVERIFY(g.has_value());
    QCOMPARE(g->width, int64_t{16});
    QCOMPARE(g->height, int64_t{32});
    // Hostile headers: truncated, zero size, unknown format, JPEG without SOF.
    const auto trunc = jpg.substr(0, 40);
    QVERIFY(!imageSizeFromBytes(trunc.data(), trunc.size()));
    const auto zero = pngHeader(0, 48);
    QVERIFY(!imageSizeFromBytes(zero.data(), zero.size()));
    QVERIFY(!imageSizeFromBytes("hello world", 11));
    const std::string noSof = std::string("\xFF\xD8\xFF\xDA\x00\x02", 6);
    QVERIFY(!imageSizeFromBytes(noSof.data(), noSof.size()));
    const std::string badLen = std::string("\xFF\xD8\xFF\xE0\x00\x01", 6);
    QVERIFY(!imageSizeFromBytes(badLen.data(), badLen.size()));
  }

  void imageFolderWithResizeRule() {
    QTemporaryDir dir;
    writeBytes(dir.filePath("a.png").toStdString(), pngHeader(200, 32));  // -> 48 x 300
    writeBytes(dir.filePath("b.jpg").toStdString(), jpegHeader(960, 48)); // -> 48 x 960
    writeBytes(dir.filePath("c.PNG").toStdString(), pngHeader(4000, 40)); // -> 48 x 4800, clamped 1280
    writeBytes(dir.filePath("notes.txt").toStdString(), "ignored");
    auto rule = parseResizeRule("height=48,max_width=1280");
    QVERIFY(rule.has_value());
    auto t = traceFromImageFolder(dir.path().toStdString(), "x", {1, 3, -1, -1}, *rule);
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->requests.size(), std::size_t{3});
    QCOMPARE(t->requests[0].dims[0], (std::vector<int64_t>{1, 3, 48, 300}));
    QCOMPARE(t->requests[1].dims[0], (std::vector<int64_t>{1, 3, 48, 960}));
    QCOMPARE(t->requests[2].dims[0], (std::vector<int64_t>{1, 3, 48, 1280}));
    auto long32 = parseResizeRule("long=960,multiple=32");
    QVERIFY(long32.has_value());
    const auto s = applyResize(*long32, ImageSize{1000, 500});
    QCOMPARE(s.width, int64_t{960});
    QCOMPARE(s.height, int64_t{480});
    QVERIFY(!parseResizeRule("height=48,width=32"));
    QVERIFY(!parseResizeRule("height=abc"));
    QVERIFY(!parseResizeRule("colour=red"));
    // A corrupt image is an error naming the file.
    writeBytes(dir.filePath("d.png").toStdString(), "\x89PNG\r\n\x1a\n garbage");
    auto bad = traceFromImageFolder(dir.path().toStdString(), "x", {1, 3, -1, -1}, *rule);
    QVERIFY(!bad.has_value());
    QVERIFY2(has(bad.error().message, "d.png"), bad.error().message.c_str());
    QVERIFY(!traceFromImageFolder(dir.path().toStdString(), "x", {1, 3, 48, -1}, *rule));
  }

  void npyFolder() {
    QTemporaryDir dir;
    const std::vector<std::vector<int64_t>> shapes{{1, 3, 48, 100}, {1, 3, 48, 7}, {2, 3, 48, 64}};
    for (std::size_t i = 0; i < shapes.size(); ++i)
      QVERIFY(runtime::npy::write(dir.filePath(QString("s%1.npy").arg(i)).toStdString(),
                                  runtime::HostTensor(ir::DataType::Float32, shapes[i])));
    auto t = traceFromNpyFolder(dir.path().toStdString(), "x");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->requests.size(), shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i)
      QCOMPARE(t->requests[i].dims[0], shapes[i]);
    writeBytes(dir.filePath("s9.npy").toStdString(), "\x93NUMPY\x01\x00\xff\xff{");
    auto bad = traceFromNpyFolder(dir.path().toStdString(), "x");
    QVERIFY(!bad.has_value());
    QVERIFY2(has(bad.error().message, "s9.npy"), bad.error().message.c_str());
    QVERIFY(!traceFromNpyFolder(dir.filePath("nothing").toStdString(), "x"));
  }

  void generator() {
    auto d = parseDistribution("0.6*lognormal(4.6,0.3) + 0.3*normal(600,50) + 0.1*uniform(1000,1280); clamp=8..1280");
    QVERIFY2(d.has_value(), d ? "" : d.error().message.c_str());
    QCOMPARE(d->mixture.size(), std::size_t{3});
    auto templ = parseShapes("x:1,3,48,-1", true);
    QVERIFY(templ.has_value());
    auto a = generateTrace(*templ, {*d}, 20000, 7);
    auto b = generateTrace(*templ, {*d}, 20000, 7);
    auto c = generateTrace(*templ, {*d}, 20000, 8);
    QVERIFY(a && b && c);
    QCOMPARE(*a, *b);
    QVERIFY(!(*a == *c));
    int64_t small = 0, big = 0;
    for (const auto& r : a->requests) {
      const auto w = r.dims[0][3];
      QVERIFY(w >= 8 && w <= 1280);
      QCOMPARE(r.dims[0][2], int64_t{48});
      small += w < 250 ? 1 : 0;
      big += w >= 1000 ? 1 : 0;
    }
    // The mixture's weights show in the draws: ~60% short words (e^4.6 ~ 100), ~10% long lines.
    QVERIFY2(std::abs(static_cast<double>(small) / 20000 - 0.6) < 0.02, std::to_string(small).c_str());
    QVERIFY2(std::abs(static_cast<double>(big) / 20000 - 0.1) < 0.02, std::to_string(big).c_str());
    for (const char* bad : {"", "lognormal(1)", "gauss(1,2)", "0*normal(1,1)", "normal(1,-1)", "uniform(5,1)",
                            "normal(1,1); clamp=5..1", "normal(1,1", "normal(1,x)"})
      QVERIFY2(!parseDistribution(bad).has_value(), bad);
    QVERIFY(!generateTrace(*templ, {*d, *d}, 10, 1)); // one -1 dim, two distributions
  }

  void dpMatchesBruteForce() {
    std::mt19937 rng(11);
    for (int trial = 0; trial < 300; ++trial) {
      const int m = 1 + static_cast<int>(rng() % 12);
      std::vector<int64_t> values, counts;
      for (int i = 0; i < m; ++i) {
        values.push_back(1 + static_cast<int64_t>(rng() % 400));
        counts.push_back(1 + static_cast<int64_t>(rng() % 50));
      }
      const int64_t step = trial % 3 == 0 ? 32 : 1;
      const auto h = histogramOf(values, counts, step);
      // Increasing affine costs, convex, and (every fourth trial) non-monotone ones.
      const double a = 0.01 + (rng() % 100) / 1000.0, b = (rng() % 100) / 10.0;
      CostFn cost = [&](int64_t v) {
        const auto x = static_cast<double>(v);
        switch (trial % 4) {
        case 0:
          return a * x + b;
        case 1:
          return a * x * x / 100 + b;
        case 2:
          return a * x + b + (v % 64 == 0 ? 0.0 : 3.0); // aligned widths cheaper
        default:
          return std::abs(std::sin(x)) * 10 + b; // not monotone at all
        }
      };
      const int K = 1 + static_cast<int>(rng() % 5);
      auto sets = planOneDim(h, K, cost);
      QVERIFY(sets.has_value());
      QCOMPARE(static_cast<int>(sets->size()), K);
      for (int k = 1; k <= K; ++k) {
        const auto brute = bruteForceOneDim(h, k, cost);
        const auto& dp = (*sets)[static_cast<std::size_t>(k - 1)];
        QVERIFY2(std::abs(dp.expectedMs - brute.expectedMs) <= 1e-9 * std::max(1.0, brute.expectedMs),
                 (std::to_string(dp.expectedMs) + " vs " + std::to_string(brute.expectedMs)).c_str());
        QVERIFY(static_cast<int>(dp.gears.size()) <= k);
        std::vector<int64_t> g;
        for (const auto& v : dp.gears)
          g.push_back(v[0]);
        QCOMPARE(g.back(), h.values.back()); // every request fits
        QVERIFY(std::abs(expectedOneDim(h, g, cost) - dp.expectedMs) <= 1e-9 * std::max(1.0, dp.expectedMs));
      }
    }
  }

  void dpIsFastOnLargeTraces() {
    auto d = parseDistribution("0.5*lognormal(4.8,0.5)+0.3*lognormal(6,0.3)+0.2*uniform(600,1280); clamp=1..1280");
    auto templ = parseShapes("x:1,3,48,-1", true);
    auto t = generateTrace(*templ, {*d}, 100000, 3);
    QVERIFY(t.has_value());
    const auto t0 = std::chrono::steady_clock::now();
    const auto h = histogram(*t, 0, 3, 1); // no step: ~1280 distinct values
    CostModel model({{64, 2.0, 1e6}, {320, 6.0, 4e6}, {1280, 20.0, 16e6}});
    auto sets = planOneDim(h, 100, [&](int64_t v) { return model.millis(static_cast<double>(v)); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY(sets.has_value());
    QVERIFY2(s < 5.0, std::to_string(s).c_str());
    // More gears never raise the expected latency, and 100 gears beat 4.
    for (std::size_t k = 1; k < sets->size(); ++k)
      QVERIFY((*sets)[k].expectedMs <= (*sets)[k - 1].expectedMs + 1e-12);
    QVERIFY((*sets)[99].expectedMs < (*sets)[3].expectedMs);
  }

  void costModelInterpolates() {
    CostModel m({{100, 1.0, 10}, {300, 5.0, 30}});
    QCOMPARE(m.millis(200), 3.0);
    QCOMPARE(m.millis(400), 7.0); // extended
    QCOMPARE(m.arenaBytes(100), 10.0);
    QCOMPARE(m.millis(0), 0.0); // clamped at zero
  }

  void multiDimHeuristic() {
    auto templ = parseShapes("x:1,3,-1,-1", true);
    auto dh = parseDistribution("normal(500,150); clamp=64..960");
    auto dw = parseDistribution("0.5*normal(300,60)+0.5*normal(800,100); clamp=64..1280");
    auto t = generateTrace(*templ, {*dh, *dw}, 3000, 5);
    QVERIFY(t.has_value());
    const auto h = pointHistogram(*t, {{0, 2}, {0, 3}}, 32);
    PointCostFn cost = [](const std::vector<int64_t>& p) { return 1.0 + static_cast<double>(p[0] * p[1]) / 1e4; };
    auto sets = planMultiDim(h, 6, cost);
    QVERIFY(sets.has_value());
    for (std::size_t k = 0; k < sets->size(); ++k) {
      const auto& s = (*sets)[k];
      QVERIFY(s.gears.size() <= k + 1);
      QVERIFY(std::isfinite(s.expectedMs)); // every request fits some gear
      QVERIFY(std::abs(expectedMultiDim(h, s.gears, cost) - s.expectedMs) < 1e-9);
      if (k) QVERIFY(s.expectedMs <= (*sets)[k - 1].expectedMs + 1e-9);
    }
    QVERIFY((*sets)[5].expectedMs < (*sets)[0].expectedMs * 0.8);
  }

  void paretoKeepsNonDominated() {
    std::vector<GearSet> sets{{{{1}, {2}}, 10, 100}, {{{1}, {2}, {3}}, 8, 100}, {{{1}, {2}, {3}, {4}}, 8, 100}};
    const auto f = paretoFront(sets);
    QCOMPARE(f.size(), std::size_t{2}); // the 4-gear set is no better than the 3-gear one
  }
};

QTEST_GUILESS_MAIN(TestTraces)
#include "test_traces.moc"

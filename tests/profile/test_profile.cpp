// gs_profile tests: profiling every gear of a small generated model (figures consistent with the
// samples and with the om model), cancelling, the three-strategy comparison, run history JSON and
// deltas, and the CSV / Markdown / JSON exports.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <QTemporaryDir>
#include <QtTest>

#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/profile/profile_export.h"
#include "core/profile/profile_json.h"
#include "core/profile/profile_runner.h"
#include "core/profile/run_history.h"
#include "core/profile/strategy_compare.h"
#include "core/session/compile_onnx.h"
#include "profile_models.h"

using namespace gs;

namespace {

shape_config::AtcOptions batchOptions(const std::string& gears) {
  shape_config::AtcOptions o;
  (void)shape_config::setOption(o, "input_shape", "x:-1,3,16,16");
  (void)shape_config::setOption(o, "dynamic_batch_size", gears);
  return o;
}

bool near(double a, double b, double rel = 1e-9) { return std::abs(a - b) <= rel * std::max(std::abs(a), std::abs(b)); }

// Linear-interpolation percentile, computed here independently of the runtime's helper.
double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

// Splits one CSV line (fields may be quoted with "").
std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

} // namespace

class TestProfile : public QObject {
  Q_OBJECT

private:
  QTemporaryDir m_dir;
  std::string m_path;
  std::shared_ptr<const om::Model> m_model;
  profile::ProfileRequest m_request;
  std::optional<profile::ProfileReport> m_report;

private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath("small_convnet.onnx").toStdString();
    QVERIFY(test::writeSmallConvNet(m_path));
    auto m = session::compileOnnx(m_path, batchOptions("1,2,4"));
    QVERIFY2(m, m ? "" : m.error().str().c_str());
    m_model = std::make_shared<const om::Model>(std::move(*m));
    m_request.warmup = 2;
    m_request.loops = 25;
    m_request.threads = 1;
    m_request.topOps = 4;
  }

  void profileEveryGear() {
    std::vector<double> fractions;
    Progress progress;
    progress.report = [&](double f, const std::string&) { fractions.push_back(f); };
    auto r = profile::profileAllGears(*m_model, m_request, progress);
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QVERIFY(!r->cancelled);
    QCOMPARE(r->gears.size(), m_model->gears.size());
    QCOMPARE(r->strategy, std::string("dynamic_batch"));
    QCOMPARE(r->loops, m_request.loops);
    QVERIFY(!fractions.empty());
    QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    QCOMPARE(fractions.back(), 1.0);
    m_report = *r;
  }

  void figuresAreConsistent() {
    QVERIFY(m_report);
    const std::vector<int64_t> batches{1, 2, 4};
    for (std::size_t i = 0; i < m_report->gears.size(); ++i) {
      const auto& g = m_report->gears[i];
      const auto& plan = m_model->gears[i];
      QCOMPARE(g.gear, static_cast<int>(i));
      QCOMPARE(g.batch, batches[i]);
      QCOMPARE(g.label, "batch " + std::to_string(batches[i]));
      QCOMPARE(g.inputs[0].dims, plan.inputs[0].dims);
      QCOMPARE(g.samples.size(), static_cast<std::size_t>(m_request.loops));
      const auto& l = g.latency;
      QCOMPARE(l.count, g.samples.size());
      QVERIFY(l.min > 0);
      QVERIFY(l.min <= l.median && l.median <= l.p90 && l.p90 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max);
      QVERIFY(l.min <= l.mean && l.mean <= l.max);
      QCOMPARE(l.min, *std::min_element(g.samples.begin(), g.samples.end()));
      QCOMPARE(l.max, *std::max_element(g.samples.begin(), g.samples.end()));
      QVERIFY(near(l.median, percentile(g.samples, 0.5)));
      QVERIFY(near(l.p90, percentile(g.samples, 0.9)));
      QVERIFY(near(l.p99, percentile(g.samples, 0.99)));
      double sum = 0;
      for (double s : g.samples)
        sum += s;
      QVERIFY(near(l.mean, sum / static_cast<double>(g.samples.size())));
      QVERIFY(near(g.samplesPerSec, static_cast<double>(g.batch) * 1000.0 / l.mean));
      QVERIFY(near(g.inferencesPerSec, 1000.0 / l.mean));
      QCOMPARE(g.flops, plan.flops);
      QVERIFY(g.flops > 0);
      QVERIFY(near(g.gflopsPerSec, g.flops / (l.mean / 1000.0) / 1e9));
      QCOMPARE(g.memory.weightBytes, m_model->weightBytes);
      QCOMPARE(g.memory.gearArenaBytes, plan.arenaBytes);
      QCOMPARE(g.memory.sharedArenaBytes, m_model->sharedArenaBytes);
      QVERIFY(g.memory.gearArenaBytes <= g.memory.sharedArenaBytes);
      QVERIFY(g.memory.peakRssBytes > 0);
      // Operators: at most topOps rows, largest first, names of nodes of this gear's graph.
      QVERIFY(!g.topOps.empty());
      QVERIFY(g.topOps.size() <= static_cast<std::size_t>(m_request.topOps));
      double shares = 0;
      for (std::size_t k = 0; k < g.topOps.size(); ++k) {
        const auto& op = g.topOps[k];
        if (k) QVERIFY(g.topOps[k - 1].meanMillis >= op.meanMillis);
        QVERIFY(op.share >= 0 && op.share <= 100.0 + 1e-9);
        QVERIFY(near(op.share, op.meanMillis / g.opMillisTotal * 100.0, 1e-6));
        shares += op.share;
        const bool known = std::any_of(plan.graph.nodes.begin(), plan.graph.nodes.end(),
                                       [&](const ir::Node& n) { return n.name == op.node && n.opType == op.opType; });
        QVERIFY2(known, op.node.c_str());
      }
      QVERIFY(shares <= 100.0 + 1e-6);
    }
    // The largest gear's arena is the shared one.
    uint64_t largest = 0;
    for (const auto& g : m_report->gears)
      largest = std::max(largest, g.memory.gearArenaBytes);
    QCOMPARE(largest, m_model->sharedArenaBytes);
  }

  void cancelBetweenRuns() {
    // Cancelled during gear 0's measured runs: a loop count that would take minutes ends at once.
    CancelToken token;
    Progress progress;
    progress.cancel = &token;
    int reports = 0;
    progress.report = [&](double, const std::string& what) {
      if (what.rfind("gear 0: run", 0) == 0 && ++reports >= 3) token.cancel();
    };
    auto request = m_request;
    request.loops = 1000000;
    request.warmup = 1;
    request.profileOps = false;
    auto r = profile::profileAllGears(*m_model, request, progress);
    QVERIFY(r);
    QVERIFY(r->cancelled);
    QVERIFY(r->gears.empty()); // the gear cut short is not reported

    // Cancelled when gear 1 starts: gear 0 is complete and kept.
    token.reset();
    progress.report = [&](double, const std::string& what) {
      if (what.rfind("gear 1:", 0) == 0) token.cancel();
    };
    request.loops = 5;
    r = profile::profileAllGears(*m_model, request, progress);
    QVERIFY(r);
    QVERIFY(r->cancelled);
    QCOMPARE(r->gears.size(), std::size_t{1});
    QCOMPARE(r->gears[0].samples.size(), std::size_t{5});
  }

  void profileFromFile() {
    auto request = m_request;
    request.modelPath = m_path;
    request.atc = batchOptions("2,3");
    request.loops = 3;
    auto r = profile::profileFile(request);
    QVERIFY2(r, r ? "" : r.error().str().c_str());
    QCOMPARE(r->gears.size(), std::size_t{2});
    QCOMPARE(r->gears[1].label, std::string("batch 3"));
    QCOMPARE(r->modelName, std::string("small_convnet.onnx"));
  }

  void compareStrategies() {
    auto model = onnx_import::importModel(m_path);
    QVERIFY(model);
    auto config = shape_config::fromOptions(batchOptions("1,2,4"));
    QVERIFY(config);
    auto request = m_request;
    request.loops = 10;
    auto c = profile::compareStrategies(*model, *config, request);
    QVERIFY2(c, c ? "" : c.error().str().c_str());
    QVERIFY(!c->cancelled);
    QCOMPARE(c->strategies.size(), std::size_t{3});
    QCOMPARE(c->gearLabels, (std::vector<std::string>{"batch 1", "batch 2", "batch 4"}));
    const profile::StrategyKind kinds[] = {profile::StrategyKind::StaticPerGear, profile::StrategyKind::MultiGear,
                                           profile::StrategyKind::DynamicShape};
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& s = c->strategies[i];
      QCOMPARE(s.kind, kinds[i]);
      QVERIFY2(s.error.empty(), s.error.c_str());
      QCOMPARE(s.gears.size(), std::size_t{3});
      QVERIFY(s.compileMillis > 0);
      QVERIFY(s.omBytes > 0);
      QVERIFY(s.weightBytes > 0);
      QVERIFY(s.peakRssBytes > 0);
      for (std::size_t g = 0; g < 3; ++g) {
        QCOMPARE(s.gears[g].label, c->gearLabels[g]);
        QCOMPARE(s.gears[g].inputs[0].dims[0], int64_t(1) << g);
        QCOMPARE(s.gears[g].latency.count, std::size_t{10});
        QVERIFY(s.gears[g].latency.median > 0);
        QVERIFY(
            near(s.gears[g].samplesPerSec, static_cast<double>(s.gears[g].batch) * 1000.0 / s.gears[g].latency.mean));
      }
    }
    const auto& st = c->strategies[0];
    const auto& mg = c->strategies[1];
    QCOMPARE(st.modelCount, 3);
    QCOMPARE(st.compileMillisPerModel.size(), std::size_t{3});
    QCOMPARE(mg.modelCount, 1);
    // Three separate models store the weights three times; the multi-gear model once.
    QVERIFY(st.weightBytes > mg.weightBytes);
    QVERIFY(st.omBytes > mg.omBytes);
    QVERIFY(c->strategies[2].atcCommand.find("input_shape") != std::string::npos);
    // The summary is generated from these numbers and names every strategy.
    QVERIFY(!c->summary.empty());
    QVERIFY(c->summary.find("Multi-gear") != std::string::npos);
    QVERIFY(c->summary.find("static") != std::string::npos);
    QVERIFY(c->summary.find("Dynamic shape") != std::string::npos);
    QVERIFY(c->summary.find("Recommendation") != std::string::npos);
    QCOMPARE(profile::summarizeComparison(*c), c->summary);

    // JSON round trip keeps the figures.
    auto back = profile::comparisonFromJson(nlohmann::json::parse(profile::toJson(*c).dump()));
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->strategies.size(), c->strategies.size());
    QCOMPARE(back->summary, c->summary);
    QCOMPARE(back->strategies[1].gears[2].latency.p99, mg.gears[2].latency.p99);
    QCOMPARE(back->strategies[0].omBytes, st.omBytes);

    // CSV: one row per gear per strategy, fields under the header's names.
    const auto csv = profile::toCsv(nullptr, &*c);
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    const auto header = csvFields(line);
    const auto col = [&](const char* name) {
      return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    };
    int rows = 0;
    while (std::getline(in, line)) {
      const auto f = csvFields(line);
      QCOMPARE(f.size(), header.size());
      const auto& s = c->strategies[static_cast<std::size_t>(rows / 3)];
      const auto& g = s.gears[static_cast<std::size_t>(rows % 3)];
      QCOMPARE(f[col("section")], std::string("comparison"));
      QCOMPARE(f[col("strategy")], std::string(profile::strategyKindName(s.kind)));
      QCOMPARE(f[col("label")], g.label);
      QVERIFY(std::abs(std::stod(f[col("median_ms")]) - g.latency.median) < 1e-3);
      QCOMPARE(std::stoull(f[col("om_bytes")]), static_cast<unsigned long long>(s.omBytes));
      ++rows;
    }
    QCOMPARE(rows, 9);
  }

  void summaryFromNumbers() {
    // A comparison built by hand: the summary must state what these numbers say.
    profile::StrategyComparison c;
    c.gearLabels = {"batch 1", "batch 4", "batch 16"};
    auto strategy = [](profile::StrategyKind k, std::vector<double> medians, uint64_t om, int models) {
      profile::StrategyResult r;
      r.kind = k;
      r.modelCount = models;
      r.omBytes = om;
      r.weightBytes = om / 2;
      r.arenaBytes = 1000;
      r.compileMillis = 100.0 * models;
      for (double m : medians) {
        profile::StrategyGear g;
        g.latency.median = m;
        g.latency.min = m * 0.98;
        g.latency.count = 10;
        r.gears.push_back(g);
      }
      return r;
    };
    c.strategies.push_back(strategy(profile::StrategyKind::StaticPerGear, {1, 4, 16}, 3000, 3));
    c.strategies.push_back(strategy(profile::StrategyKind::MultiGear, {1.02, 4.04, 16.1}, 1000, 1));
    c.strategies.push_back(strategy(profile::StrategyKind::DynamicShape, {1.8, 5, 17.6}, 900, 1));
    auto text = profile::summarizeComparison(c);
    QVERIFY2(text.find("Multi-gear matches static within 2% on every gear") != std::string::npos, text.c_str());
    QVERIFY2(text.find("saves 67% disk versus 3 separate static models") != std::string::npos, text.c_str());
    QVERIFY2(text.find("1.8x slower at batch 1, 1.2x slower at batch 4 and 1.1x slower at batch 16") !=
                 std::string::npos,
             text.c_str());
    QVERIFY2(text.find("Recommendation: multi-gear") != std::string::npos, text.c_str());
    QVERIFY(text.find("Caution") == std::string::npos);
    // A spread of runs far above the differences is called out.
    c.strategies[0].gears[1].latency.min = 4.0 / 3;
    text = profile::summarizeComparison(c);
    QVERIFY2(text.find("Caution: the runs were noisy (median up to 3.0x the fastest run, at batch 4 with static)") !=
                 std::string::npos,
             text.c_str());
    // A failed strategy is reported, the others still compared.
    c.strategies[2].error = "GS0003: no kernel";
    text = profile::summarizeComparison(c);
    QVERIFY(text.find("Dynamic shape (one model) failed: GS0003: no kernel") != std::string::npos);
    QVERIFY(text.find("Dynamic shape is") == std::string::npos);
  }

  void compareNeedsGears() {
    auto model = onnx_import::importModel(m_path);
    QVERIFY(model);
    shape_config::AtcOptions o;
    QVERIFY(shape_config::setOption(o, "input_shape", "x:2,3,16,16"));
    auto config = shape_config::fromOptions(o);
    QVERIFY(config);
    auto c = profile::compareStrategies(*model, *config, m_request);
    QVERIFY(!c);
    QCOMPARE(c.error().code, std::string(codes::kInvalid));
  }

  void runHistoryRoundTripAndDeltas() {
    QVERIFY(m_report);
    const auto a = profile::makeRunRecord(*m_report, "first run", "2024-05-01T10:00:00Z");
    QCOMPARE(a.gears.size(), m_report->gears.size());
    const auto text = profile::toJson(a).dump();
    auto back = profile::runRecordFromJson(nlohmann::json::parse(text));
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->label, a.label);
    QCOMPARE(back->timestamp, a.timestamp);
    QCOMPARE(back->atcCommand, a.atcCommand);
    QVERIFY(back->atcCommand.find("--dynamic_batch_size") != std::string::npos);
    for (std::size_t i = 0; i < a.gears.size(); ++i) {
      QCOMPARE(back->gears[i].shapes, a.gears[i].shapes);
      QCOMPARE(back->gears[i].latency.median, a.gears[i].latency.median);
      QCOMPARE(back->gears[i].samplesPerSec, a.gears[i].samplesPerSec);
      QCOMPARE(back->gears[i].memory.gearArenaBytes, a.gears[i].memory.gearArenaBytes);
    }

    // A second, real run of two of the gears (different gear set) compared with the first.
    auto request = m_request;
    request.loops = 5;
    auto second = profile::profileAllGears(*m_model, request);
    QVERIFY(second);
    second->gears.erase(second->gears.begin()); // drop batch 1: only in A
    const auto b = profile::makeRunRecord(*second, "second run");
    QVERIFY(!b.timestamp.empty());
    const auto d = profile::compareRuns(a, b);
    QCOMPARE(d.labelA, std::string("first run"));
    QCOMPARE(d.gears.size(), std::size_t{3});
    QVERIFY(d.gears[0].inA && !d.gears[0].inB);
    for (std::size_t i = 1; i < 3; ++i) {
      const auto& g = d.gears[i];
      QVERIFY(g.inA && g.inB);
      QCOMPARE(g.shapes, a.gears[i].shapes);
      QCOMPARE(g.medianA, a.gears[i].latency.median);
      QCOMPARE(g.medianB, b.gears[i - 1].latency.median);
      QVERIFY(near(g.medianPct, (g.medianB - g.medianA) / g.medianA * 100.0));
      QVERIFY(near(g.samplesPerSecPct, (g.samplesPerSecB - g.samplesPerSecA) / g.samplesPerSecA * 100.0));
    }

    auto broken = profile::toJson(a);
    broken.erase("label");
    auto bad = profile::runRecordFromJson(broken);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, std::string(codes::kFormat));
    QVERIFY(bad.error().message.find("label") != std::string::npos);
  }

  void exports() {
    QVERIFY(m_report);
    const auto csv = profile::toCsv(&*m_report, nullptr);
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    const auto header = csvFields(line);
    int rows = 0;
    while (std::getline(in, line)) {
      const auto f = csvFields(line);
      QCOMPARE(f.size(), header.size());
      const auto& g = m_report->gears[static_cast<std::size_t>(rows)];
      QCOMPARE(f[0], std::string("profile"));
      QCOMPARE(f[3], g.label);
      QCOMPARE(f[4], profile::shapesText(g.inputs));
      ++rows;
    }
    QCOMPARE(rows, static_cast<int>(m_report->gears.size()));

    const profile::ReportImages images{
        {"latency", "charts/latency.png"}, {"memory", "charts/memory.png"}, {"extra", "charts/extra.png"}};
    const auto a = profile::makeRunRecord(*m_report, "A");
    const auto delta = profile::compareRuns(a, a);
    const auto md = profile::toMarkdown(&*m_report, nullptr, &delta, images);
    QVERIFY(md.find("# Profile report") == 0);
    QVERIFY(md.find("### Latency (ms)") != std::string::npos);
    QVERIFY(md.find("### Memory") != std::string::npos);
    QVERIFY(md.find("![Latency per gear](charts/latency.png)") != std::string::npos);
    QVERIFY(md.find("![Memory per gear](charts/memory.png)") != std::string::npos);
    QVERIFY(md.find("(charts/extra.png)") != std::string::npos);
    QVERIFY(md.find("## Run comparison: A -> A") != std::string::npos);
    for (const auto& g : m_report->gears) {
      QVERIFY(md.find("| " + g.label + " | ") != std::string::npos);
      QVERIFY(md.find(g.topOps[0].node) != std::string::npos);
    }

    profile::ProfileDocument doc;
    doc.profile = *m_report;
    doc.history.push_back(a);
    auto back = profile::parseDocument(profile::toJson(doc).dump(1));
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QVERIFY(back->profile);
    QVERIFY(!back->comparison);
    QCOMPARE(back->history.size(), std::size_t{1});
    QCOMPARE(back->profile->gears.size(), m_report->gears.size());
    QCOMPARE(back->profile->gears[2].samples, m_report->gears[2].samples);
    QCOMPARE(back->profile->gears[2].topOps.size(), m_report->gears[2].topOps.size());
    QVERIFY(!profile::parseDocument("{\"format\": 3}"));
    QVERIFY(!profile::parseDocument("not json"));
  }
};

QTEST_GUILESS_MAIN(TestProfile)
#include "test_profile.moc"

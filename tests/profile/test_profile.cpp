// gs_profile tests: profiling every gear of a small generated model (figures consistent with the
// samples and with the om model), cancelling, the three-strategy comparison, run history JSON and
// deltas, and the CSV / Markdown / JSON exports.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include <signal.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>

#include "core/compiler/compile.h"
#include "core/compiler/onnx/importer.h"
#include "core/compiler/shape_config/shape_config.h"
#include "core/om/om_file.h"
#include "core/profile/measurement.h"
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

// Busy child processes, one per core, for the measurement tests: bounded (each ends itself after two
// minutes, and dies with the test process), killed when the object goes.
class CpuHog {
public:
  explicit CpuHog(int processes) {
    for (int i = 0; i < processes; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(120);
        volatile uint64_t spin = 0;
        for (;;)
          spin = spin + 1;
      }
      if (pid > 0) m_pids.push_back(pid);
    }
    // Let them reach the run queue before anything is measured.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ~CpuHog() {
    for (auto pid : m_pids) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  std::size_t size() const { return m_pids.size(); }

private:
  std::vector<pid_t> m_pids;
};

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
      // Throughput is defined once, from the median shown beside it.
      QVERIFY(near(g.samplesPerSec, static_cast<double>(g.batch) * 1000.0 / l.median));
      QVERIFY(near(g.inferencesPerSec, 1000.0 / l.median));
      QCOMPARE(g.flops, plan.flops);
      QVERIFY(g.flops > 0);
      QVERIFY(near(g.gflopsPerSec, g.flops / (l.median / 1000.0) / 1e9));
      // The median's interval holds it, and is the bootstrap of these samples with the request's seed.
      QVERIFY(g.medianCi.lo <= l.median && l.median <= g.medianCi.hi);
      QVERIFY(g.medianCi.lo >= l.min && g.medianCi.hi <= l.max);
      QCOMPARE(g.medianCi, profile::bootstrapMedianCi(g.samples, m_request.seed));
      // Per run CPU time, and warm-up at least as long as asked.
      QCOMPARE(g.cpuSamples.size(), g.samples.size());
      for (double c : g.cpuSamples)
        QVERIFY(c > 0);
      QVERIFY(g.warmupRuns >= m_request.warmup);
      QVERIFY(g.preemptedRuns >= 0 && g.preemptedRuns <= static_cast<int>(g.samples.size()));
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
    // The contention check covered every run of every gear.
    const auto& m = m_report->measurement;
    QCOMPARE(m.runs, static_cast<int>(m_report->gears.size()) * m_request.loops);
    QVERIFY(m.cores >= 1);
    QVERIFY(m.threads >= 1);
    int preempted = 0;
    for (const auto& g : m_report->gears)
      preempted += g.preemptedRuns;
    QCOMPARE(m.preemptedRuns, preempted);
    QCOMPARE(m.contention, !m.reasons.empty());
    QCOMPARE(profile::contentionWarning(m).empty(), !m.contention);
    // The largest gear's arena is the shared one.
    uint64_t largest = 0;
    for (const auto& g : m_report->gears)
      largest = std::max(largest, g.memory.gearArenaBytes);
    QCOMPARE(largest, m_model->sharedArenaBytes);
  }

  void cancelBetweenRuns() {
    // Cancelled during the interleaved runs: a loop count that would take hours ends at once, and
    // no gear is reported (all were cut short together).
    CancelToken token;
    Progress progress;
    progress.cancel = &token;
    int reports = 0;
    std::vector<ProgressEvent> events;
    progress.onEvent = [&](const ProgressEvent& e) {
      events.push_back(e);
      if (e.stage == "measure" && e.run > 0 && ++reports >= 3) token.cancel();
    };
    auto request = m_request;
    request.loops = 1000000;
    request.warmup = 1;
    request.profileOps = false;
    auto r = profile::profileAllGears(*m_model, request, progress);
    QVERIFY(r);
    QVERIFY(r->cancelled);
    QVERIFY(r->gears.empty());
    // Progress is structured: measured runs name their gear and count.
    bool sawRun = false;
    for (const auto& e : events)
      if (e.stage == "measure" && e.run > 0) {
        sawRun = true;
        QVERIFY(e.gear >= 0 && e.gear < 3);
        QCOMPARE(e.gearCount, 3);
        QCOMPARE(e.runs, request.loops);
      }
    QVERIFY(sawRun);

    // Cancelled during the warm-up of gear 1.
    token.reset();
    progress.onEvent = [&](const ProgressEvent& e) {
      if (e.stage == "warm-up" && e.gear == 1) token.cancel();
    };
    request.loops = 5;
    r = profile::profileAllGears(*m_model, request, progress);
    QVERIFY(r);
    QVERIFY(r->cancelled);
    QVERIFY(r->gears.empty());
  }

  void interleavedRuns() {
    // Two gears measured in round-robin blocks of 2, each round starting at the next gear.
    auto s = runtime::Session::create(m_model, runtime::SessionOptions{"cpu", 1});
    QVERIFY(s);
    std::vector<profile::MeasureSlot> gearSlots; // ("slots" is a Qt keyword)
    gearSlots.push_back(profile::makeSlot(**s, 0, (*s)->inputDescs(0), 1, "gear 0"));
    gearSlots.push_back(profile::makeSlot(**s, 1, (*s)->inputDescs(1), 1, "gear 1"));
    profile::MeasureOptions o;
    o.loops = 6;
    o.blockSize = 2;
    auto m = profile::measureInterleaved(gearSlots, {}, o);
    QVERIFY(m);
    QCOMPARE(m->results[0].wallMillis.size(), std::size_t{6});
    QCOMPARE(m->results[1].wallMillis.size(), std::size_t{6});
    QCOMPARE(m->info.runs, 12);
    // round 0: g0 g0 g1 g1; round 1: g1 g1 g0 g0; round 2: g0 g0 g1 g1.
    QCOMPARE(m->results[0].sequence, (std::vector<int>{0, 1, 6, 7, 8, 9}));
    QCOMPARE(m->results[1].sequence, (std::vector<int>{2, 3, 4, 5, 10, 11}));
    QCOMPARE(m->results[0].cpuMillis.size(), std::size_t{6});
    QCOMPARE(m->results[0].preempted.size(), std::size_t{6});
  }

  void bootstrapInterval() {
    std::mt19937 rng(5);
    std::normal_distribution<double> noise(10.0, 1.0);
    std::vector<double> small, large;
    for (int i = 0; i < 30; ++i)
      small.push_back(noise(rng));
    for (int i = 0; i < 3000; ++i)
      large.push_back(noise(rng));
    const auto a = profile::bootstrapMedianCi(small, 42);
    QCOMPARE(profile::bootstrapMedianCi(small, 42), a); // seeded: deterministic
    const double med = percentile(small, 0.5);
    QVERIFY(a.lo <= med && med <= a.hi);
    QVERIFY(a.lo < a.hi);
    const auto b = profile::bootstrapMedianCi(large, 42);
    QVERIFY2(b.hi - b.lo < (a.hi - a.lo) / 3, "more samples, a narrower interval");
    QVERIFY(b.lo < 10.15 && b.hi > 9.85); // holds the true median
    const std::vector<double> flat(20, 3.5);
    QCOMPARE(profile::bootstrapMedianCi(flat, 1), (profile::Interval{3.5, 3.5}));
    QCOMPARE(profile::bootstrapMedianCi(std::vector<double>{}, 1), (profile::Interval{0, 0}));
  }

  void verdictsNeedSeparateIntervals() {
    using profile::Verdict;
    // Overlapping intervals: no measurable difference, whatever the medians say (the trial's 18%).
    auto d = profile::compareMedians(11.8, {9.0, 14.0}, 10.0, {8.5, 12.0});
    QCOMPARE(d.verdict, Verdict::NoDifference);
    QVERIFY(near(d.percent, 18.0, 1e-9));
    QCOMPARE(profile::differenceText(d), std::string("no measurable difference"));
    // Separate intervals: slower / faster with the percentage.
    d = profile::compareMedians(11.8, {11.5, 12.1}, 10.0, {9.8, 10.2});
    QCOMPARE(d.verdict, Verdict::Slower);
    QCOMPARE(profile::differenceText(d), std::string("18% slower"));
    d = profile::compareMedians(5.0, {4.9, 5.1}, 10.0, {9.8, 10.2});
    QCOMPARE(d.verdict, Verdict::Faster);
    QCOMPARE(profile::differenceText(d), std::string("2.0x faster"));
    d = profile::compareMedians(40.0, {39.0, 41.0}, 10.0, {9.8, 10.2});
    QCOMPARE(profile::differenceText(d), std::string("4.0x slower"));
    // Separate but tiny (under kMinEffect): not called.
    d = profile::compareMedians(10.4, {10.39, 10.41}, 10.0, {9.99, 10.01});
    QCOMPARE(d.verdict, Verdict::NoDifference);
    QCOMPARE(std::string(profile::verdictName(Verdict::Slower)), std::string("slower"));
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
      QCOMPARE(s.omSha256.size(), static_cast<std::size_t>(s.modelCount));
      for (std::size_t g = 0; g < 3; ++g) {
        QCOMPARE(s.gears[g].label, c->gearLabels[g]);
        QCOMPARE(s.gears[g].inputs[0].dims[0], int64_t(1) << g);
        QCOMPARE(s.gears[g].latency.count, std::size_t{10});
        QVERIFY(s.gears[g].latency.median > 0);
        QVERIFY(
            near(s.gears[g].samplesPerSec, static_cast<double>(s.gears[g].batch) * 1000.0 / s.gears[g].latency.median));
        QVERIFY(s.gears[g].medianCi.lo <= s.gears[g].latency.median &&
                s.gears[g].latency.median <= s.gears[g].medianCi.hi);
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
    // Every strategy against static, gear by gear, each with a verdict.
    QCOMPARE(c->verdicts.size(), std::size_t{6});
    for (const auto& v : c->verdicts)
      QCOMPARE(v.reference, profile::StrategyKind::StaticPerGear);
    const auto j = profile::toJson(*c);
    QCOMPARE(j.at("comparisons").size(), std::size_t{6});
    for (const auto& v : j.at("comparisons")) {
      const auto verdict = v.at("verdict").get<std::string>();
      QVERIFY(verdict == "faster" || verdict == "slower" || verdict == "no measurable difference");
    }
    QVERIFY(j.at("measurement").at("contention").is_boolean());
    QVERIFY(j.at("measurement").at("preempted_runs").is_number_integer());
    QCOMPARE(j.at("measurement").at("runs").get<int>(), 3 * 3 * request.loops);
    QCOMPARE(j.at("strategies")[0].at("gears")[0].at("median_ci_ms").size(), std::size_t{2});

    // JSON round trip keeps the figures.
    auto back = profile::comparisonFromJson(nlohmann::json::parse(profile::toJson(*c).dump()));
    QVERIFY2(back, back ? "" : back.error().str().c_str());
    QCOMPARE(back->strategies.size(), c->strategies.size());
    QCOMPARE(back->summary, c->summary);
    QCOMPARE(back->strategies[1].gears[2].latency.p99, mg.gears[2].latency.p99);
    QCOMPARE(back->strategies[0].omBytes, st.omBytes);
    QCOMPARE(back->verdicts.size(), c->verdicts.size());
    QCOMPARE(back->strategies[1].gears[2].medianCi, mg.gears[2].medianCi);
    QCOMPARE(back->measurement.contention, c->measurement.contention);

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
    // A comparison built by hand: the summary must state what these numbers say, and nothing more.
    profile::StrategyComparison c;
    c.gearLabels = {"batch 1", "batch 4", "batch 16"};
    auto strategy = [](profile::StrategyKind k, std::vector<double> medians, double ciHalf, uint64_t om, int models) {
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
        g.medianCi = {m * (1 - ciHalf), m * (1 + ciHalf)};
        r.gears.push_back(g);
      }
      return r;
    };
    c.strategies.push_back(strategy(profile::StrategyKind::StaticPerGear, {1, 4, 16}, 0.01, 3000, 3));
    c.strategies.push_back(strategy(profile::StrategyKind::MultiGear, {1.02, 4.04, 16.1}, 0.01, 1000, 1));
    c.strategies.push_back(strategy(profile::StrategyKind::DynamicShape, {1.8, 5, 17.6}, 0.01, 900, 1));
    auto text = profile::summarizeComparison(c);
    QVERIFY2(text.find("Multi-gear vs static: no measurable difference on any gear") != std::string::npos,
             text.c_str());
    QVERIFY2(text.find("saves 67% disk versus 3 separate static models") != std::string::npos, text.c_str());
    QVERIFY2(text.find("Dynamic shape vs static: 80% slower at batch 1, 25% slower at batch 4, 10% slower at "
                       "batch 16") != std::string::npos,
             text.c_str());
    QVERIFY2(text.find("Recommendation: multi-gear: no other strategy was measurably faster") != std::string::npos,
             text.c_str());
    QVERIFY(text.find("Warning") == std::string::npos);

    // The trial: multi-gear's median 18% above static's, but the runs were noisy (wide intervals):
    // no conclusion is drawn.
    c.strategies[0].gears[1].medianCi = {3.0, 5.5};
    c.strategies[1].gears[1].latency.median = 4.72;
    c.strategies[1].gears[1].medianCi = {3.4, 6.0};
    text = profile::summarizeComparison(c);
    QVERIFY2(text.find("Multi-gear vs static: no measurable difference on any gear") != std::string::npos,
             text.c_str());
    QVERIFY(text.find("Recommendation: multi-gear") != std::string::npos);

    // The same 18% with tight intervals is a result, and the recommendation says where it matters.
    c.strategies[0].gears[1].medianCi = {3.96, 4.04};
    c.strategies[1].gears[1].medianCi = {4.68, 4.76};
    text = profile::summarizeComparison(c);
    QVERIFY2(text.find("Multi-gear vs static: 18% slower at batch 4; no measurable difference at batch 1, batch 16") !=
                 std::string::npos,
             text.c_str());
    QVERIFY2(text.find("Recommendation: static models per gear where the latency") != std::string::npos, text.c_str());
    QVERIFY(profile::strategyVerdicts(c).size() == 6);

    // Contention leads the summary as a warning.
    c.measurement.contention = true;
    c.measurement.reasons = {"2.0 other runnable task(s) on 2 core(s) while 2 thread(s) measured"};
    text = profile::summarizeComparison(c);
    QVERIFY2(text.rfind("Warning: Other work competed for the CPU", 0) == 0, text.c_str());

    // A failed strategy is reported, the others still compared.
    c.strategies[2].error = "GS0003: no kernel";
    text = profile::summarizeComparison(c);
    QVERIFY(text.find("Dynamic shape (one model) failed: GS0003: no kernel") != std::string::npos);
    QVERIFY(text.find("Dynamic shape vs") == std::string::npos);
  }

  void underCpuHog() {
    // A model whose gears differ 4x in work (image side 96 and 192), compared while every core runs
    // a busy process: the same plan (a static gear and that gear inside the multi-gear model) shows
    // no measurable difference, a contention warning is given, and the 4x gears are told apart.
    const auto path = m_dir.filePath("image_convnet.onnx").toStdString();
    QVERIFY(test::writeImageSizeConvNet(path, 24));
    auto model = onnx_import::importModel(path);
    QVERIFY(model);
    shape_config::AtcOptions o;
    QVERIFY(shape_config::setOption(o, "input_shape", "x:1,3,-1,-1"));
    QVERIFY(shape_config::setOption(o, "dynamic_image_size", "96,96;192,192"));
    auto config = shape_config::fromOptions(o);
    QVERIFY(config);
    auto request = m_request;
    // One kernel thread: a run is preempted by the hog now and then, as on a busy desktop. (With a thread
    // per core, every parallel region waits for whichever thread the hog holds, and any run may take
    // a whole time slice longer: noise no interval can separate from a 4x difference.)
    request.threads = 1;
    request.loops = 40;
    request.warmup = 3;
    request.profileOps = false;
    const int cores = std::max(1, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
    std::optional<Expected<profile::StrategyComparison>> c;
    {
      CpuHog hog(cores);
      QCOMPARE(hog.size(), static_cast<std::size_t>(cores));
      c = profile::compareStrategies(*model, *config, request);
    }
    QVERIFY2(*c, *c ? "" : (*c).error().str().c_str());
    const auto& cmp = **c;
    QCOMPARE(cmp.strategies.size(), std::size_t{3});
    for (const auto& s : cmp.strategies)
      QVERIFY2(s.error.empty(), s.error.c_str());
    // The contention check saw the hog, and says so in the summary and the JSON.
    QVERIFY2(cmp.measurement.contention, profile::toJson(cmp.measurement).dump().c_str());
    QVERIFY(!profile::contentionWarning(cmp.measurement).empty());
    QVERIFY2(cmp.summary.rfind("Warning: ", 0) == 0, cmp.summary.c_str());
    QCOMPARE(profile::toJson(cmp).at("measurement").at("contention").get<bool>(), true);
    // Identical plans: no measurable difference at any gear.
    int multi = 0;
    for (const auto& v : cmp.verdicts)
      if (v.strategy == profile::StrategyKind::MultiGear) {
        ++multi;
        const auto& st = cmp.strategies[0].gears[v.gear];
        const auto& mg = cmp.strategies[1].gears[v.gear];
        QVERIFY2(v.difference.verdict == profile::Verdict::NoDifference,
                 qPrintable(QStringLiteral("gear %1: static %2 [%3, %4], multi-gear %5 [%6, %7]")
                                .arg(v.gear)
                                .arg(st.latency.median)
                                .arg(st.medianCi.lo)
                                .arg(st.medianCi.hi)
                                .arg(mg.latency.median)
                                .arg(mg.medianCi.lo)
                                .arg(mg.medianCi.hi)));
      }
    QCOMPARE(multi, 2);
    // 1x and 4x work are still told apart, in every strategy.
    for (const auto& s : cmp.strategies) {
      const auto d = profile::compareMedians(s.gears[1].latency.median, s.gears[1].medianCi, s.gears[0].latency.median,
                                             s.gears[0].medianCi);
      QVERIFY2(d.verdict == profile::Verdict::Slower && d.percent > 50,
               qPrintable(QStringLiteral("%1: 192x192 %2 [%3, %4] vs 96x96 %5 [%6, %7]")
                              .arg(profile::strategyKindName(s.kind))
                              .arg(s.gears[1].latency.median)
                              .arg(s.gears[1].medianCi.lo)
                              .arg(s.gears[1].medianCi.hi)
                              .arg(s.gears[0].latency.median)
                              .arg(s.gears[0].medianCi.lo)
                              .arg(s.gears[0].medianCi.hi)));
    }
    qInfo("under a %d-process hog: static 96x96 %.3f [%.3f, %.3f], multi %.3f [%.3f, %.3f]; 192x192 %.3f; "
          "preempted %d of %d runs; other runnable %.1f",
          cores, cmp.strategies[0].gears[0].latency.median, cmp.strategies[0].gears[0].medianCi.lo,
          cmp.strategies[0].gears[0].medianCi.hi, cmp.strategies[1].gears[0].latency.median,
          cmp.strategies[1].gears[0].medianCi.lo, cmp.strategies[1].gears[0].medianCi.hi,
          cmp.strategies[0].gears[1].latency.median, cmp.measurement.preemptedRuns, cmp.measurement.runs,
          cmp.measurement.otherRunnableDuring);
  }

  void buildRequestsGiveSameBytes() {
    // The one entry point: the same request gives the same .om bytes (clock values left out), and
    // the request's disabled passes are applied.
    auto model = onnx_import::importModel(m_path);
    QVERIFY(model);
    auto request = session::requestFromOptions(batchOptions("1,2,4"));
    QVERIFY(request);
    request->reproducible = true;
    auto a = session::buildModel(*model, *request);
    auto b = session::buildModel(*model, *request);
    QVERIFY(a && b);
    auto bytesA = om::serialize(*a), bytesB = om::serialize(*b);
    QVERIFY(bytesA && bytesB);
    QVERIFY(*bytesA == *bytesB);
    QVERIFY(a->meta.createdUtc.empty());
    QVERIFY(!a->meta.sourceSha256.empty());
    // gearbench's path (compileModel from ATC options) and the request agree on the command.
    auto viaOptions = session::compileModel(*model, batchOptions("1,2,4"));
    QVERIFY(viaOptions);
    QCOMPARE(viaOptions->meta.atcCommand, a->meta.atcCommand);
    QCOMPARE(viaOptions->meta.sourceSha256, a->meta.sourceSha256);
    // A disabled pass changes the model, and the key.
    std::string pass;
    for (const auto& p : compiler::passRegistry())
      if (!p.required && p.name == std::string("fuse-activation")) pass = p.name;
    if (pass.empty())
      for (const auto& p : compiler::passRegistry())
        if (!p.required && pass.empty()) pass = p.name;
    QVERIFY(!pass.empty());
    auto without = *request;
    without.disabledPasses = {pass};
    QVERIFY(session::buildKey(*model, without) != session::buildKey(*model, *request));
    auto c = session::buildModel(*model, without);
    QVERIFY(c);
    auto bytesC = om::serialize(*c);
    QVERIFY(bytesC);
    QVERIFY2(*bytesC != *bytesA, pass.c_str());
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

// gearstudio run as a process: its OpenMP threads sleep when idle. libgomp reads OMP_WAIT_POLICY once
// when it is loaded, so the studio restarts itself with the policy set; a policy the user chose is
// kept. What libgomp actually uses is read from its own report (OMP_DISPLAY_ENV=VERBOSE prints its
// settings at start-up; the passive policy shows as GOMP_SPINCOUNT '0').
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QtTest>

namespace {

struct Run {
  int status = -1;
  QString out, err;
};

Run runStudio(const QProcessEnvironment& env, const QStringList& args) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(GEARSTUDIO_PATH), args);
  Run r;
  if (!p.waitForFinished(60000)) {
    p.kill();
    p.waitForFinished();
    return r;
  }
  r.status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
  r.err = QString::fromLocal8Bit(p.readAllStandardError());
  return r;
}

// The spin counts libgomp reported, one per time it was loaded (the first process, then the
// restarted one).
QStringList spinCounts(const QString& err) {
  QStringList out;
  static const QRegularExpression re(QStringLiteral("GOMP_SPINCOUNT = '(\\d+)'"));
  for (auto it = re.globalMatch(err); it.hasNext();)
    out << it.next().captured(1);
  return out;
}

QProcessEnvironment baseEnv() {
  auto env = QProcessEnvironment::systemEnvironment();
  env.remove(QStringLiteral("OMP_WAIT_POLICY"));
  env.remove(QStringLiteral("GEARSTUDIO_WAIT_POLICY_SET"));
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  env.insert(QStringLiteral("OMP_DISPLAY_ENV"), QStringLiteral("VERBOSE"));
  return env;
}

} // namespace

class TestStudioProcess : public QObject {
  Q_OBJECT

private slots:
  void idleThreadsSleepByDefault() {
    const auto r = runStudio(baseEnv(), {QStringLiteral("--version")});
    QCOMPARE(r.status, 0);
    QVERIFY(r.out.contains(QStringLiteral(GS_VERSION)));
    const auto counts = spinCounts(r.err);
    // Loaded twice: libgomp's default first, then passive (no spinning) in the restarted process.
    QCOMPARE(counts.size(), 2);
    QVERIFY(counts.first() != QStringLiteral("0"));
    QCOMPARE(counts.last(), QStringLiteral("0"));
  }

  void userPolicyIsKept() {
    auto env = baseEnv();
    env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("ACTIVE"));
    const auto r = runStudio(env, {QStringLiteral("--version")});
    QCOMPARE(r.status, 0);
    const auto counts = spinCounts(r.err);
    QCOMPARE(counts.size(), 1); // no restart
    QVERIFY(counts.first() != QStringLiteral("0"));
    QVERIFY(r.err.contains(QStringLiteral("OMP_WAIT_POLICY = 'ACTIVE'")));
  }

  void restartKeepsArguments() {
    // The restarted process gets the same arguments: a usage error is still reported as one.
    const auto r = runStudio(baseEnv(), {QStringLiteral("a.onnx"), QStringLiteral("b.onnx")});
    QCOMPARE(r.status, 2);
    QVERIFY(r.err.contains(QStringLiteral("at most one model")));
    QCOMPARE(spinCounts(r.err).size(), 2);
  }
};

QTEST_GUILESS_MAIN(TestStudioProcess)
#include "test_studio_process.moc"

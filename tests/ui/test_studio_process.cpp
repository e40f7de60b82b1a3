// gearstudio run as a process: its OpenMP threads sleep when idle. libgomp reads OMP_WAIT_POLICY once
// when it is loaded, so the studio restarts itself with the policy set; a policy the user chose is
// kept. What libgomp actually uses is read from its own report (OMP_DISPLAY_ENV=VERBOSE prints its
// settings at start-up; the passive policy shows as GOMP_SPINCOUNT '0').
// A scripted run (report, screenshot) ends by itself and leaves an interrupted session's recovery
// file alone.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "tiny_onnx.h"

namespace {

struct Run {
  int status = -1;
  QString out, err;
};

Run runStudio(const QProcessEnvironment& env, const QStringList& args, int timeoutMs = 60000) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(QStringLiteral(GEARSTUDIO_PATH), args);
  Run r;
  if (!p.waitForFinished(timeoutMs)) {
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

  // A user's studio did not end cleanly (its recovery file is there); a scripted profile + report
  // run must not wait for an answer to "Restore unsaved work?" (nobody is there), must end by
  // itself with the report written, and must leave the recovery file exactly as it was.
  void scriptedRunEndsAndLeavesRecoveryAlone() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString model = dir.filePath(QStringLiteral("tiny.onnx"));
    QVERIFY(gs::test::writeTinyConvModel(model));
    auto env = baseEnv();
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    const QString appData = dir.filePath(QStringLiteral("data/GearStudio/gearstudio"));
    QVERIFY(QDir().mkpath(appData));
    const QString recovery = QDir(appData).filePath(QStringLiteral("recovery.gearproj"));
    const QByteArray saved = QStringLiteral(R"({"format": "gearstudio-project", "version": 1,
      "model": {"path": "%1"}, "strategy": "dynamic_batch", "atc": {"--input_shape": "x:-1,3,8,8",
      "--dynamic_batch_size": "1,2,4"}})")
                                 .arg(model)
                                 .toUtf8();
    {
      QFile f(recovery);
      QVERIFY(f.open(QIODevice::WriteOnly));
      QCOMPARE(f.write(saved), saved.size());
    }
    const QString report = dir.filePath(QStringLiteral("report/profile.md"));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("report"))));
    const auto r = runStudio(env,
                             {model, QStringLiteral("--atc"),
                              QStringLiteral("atc --model=m.onnx --framework=5 --input_shape=x:2,3,8,8 --output=o"),
                              QStringLiteral("--profile"), QStringLiteral("1"), QStringLiteral("--loops"),
                              QStringLiteral("5"), QStringLiteral("--export-report"), report},
                             90000);
    QVERIFY2(r.status == 0, qPrintable(QStringLiteral("status %1, stderr: %2").arg(r.status).arg(r.err.right(2000))));
    QVERIFY(QFile::exists(report));
    QVERIFY2(!r.err.contains(QStringLiteral("Restore unsaved work")), qPrintable(r.err.right(2000)));
    QFile f(recovery);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), saved);
  }
};

QTEST_GUILESS_MAIN(TestStudioProcess)
#include "test_studio_process.moc"

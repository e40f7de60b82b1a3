// gearstudio: the desktop studio. Argument parsing and wiring only; see ui/.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include "core/common/log.h"
#include "ui/headless.h"
#include "ui/mainwindow.h"

namespace {

// A desktop studio shares the CPU with everything else on the desk: its OpenMP threads must sleep
// when idle instead of spinning. libgomp reads OMP_WAIT_POLICY once, while it is loaded (before
// main), so setting it here is too late for this process: unless the user chose a policy, start the
// same binary again with OMP_WAIT_POLICY=passive. GEARSTUDIO_WAIT_POLICY_SET marks the restarted
// process, so a failed or repeated exec can never loop.
void restartWithPassiveOpenMp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GEARSTUDIO_WAIT_POLICY_SET")) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0 || setenv("GEARSTUDIO_WAIT_POLICY_SET", "1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Only reached when the exec failed: go on with libgomp's default, and do not claim otherwise.
  std::perror("gearstudio: cannot restart with OMP_WAIT_POLICY=passive");
  unsetenv("OMP_WAIT_POLICY");
}

} // namespace

int main(int argc, char** argv) {
  restartWithPassiveOpenMp(argv);
  // The graph export and --help need no display: use the offscreen platform when there is none.
  const bool noDisplay = qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
                         qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY");
  for (int i = 1; i < argc && noDisplay; ++i)
    if (std::strncmp(argv[i], "--export-graph", 14) == 0 || std::strcmp(argv[i], "--help") == 0 ||
        std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
      break;
    }

  QApplication app(argc, argv);
  Q_INIT_RESOURCE(resources);
  QApplication::setOrganizationName(QStringLiteral("GearStudio"));
  QApplication::setApplicationName(QStringLiteral("gearstudio"));
  QApplication::setApplicationVersion(QStringLiteral(GS_VERSION));
  QApplication::setWindowIcon(QIcon(QStringLiteral(":/gearstudio/gearstudio.svg")));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("GearStudio: convert ONNX models to .om with static, multi-gear or dynamic input shapes."));
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument(QStringLiteral("file"),
                               QStringLiteral("An ONNX model (.onnx) or a project (.gearproj)."));
  const QCommandLineOption exportGraph(QStringLiteral("export-graph"),
                                       QStringLiteral("Render the model's graph to FILE (.svg or .png) and exit."),
                                       QStringLiteral("FILE"));
  const QCommandLineOption atc(QStringLiteral("atc"), QStringLiteral("Fill the form from an atc command line."),
                               QStringLiteral("COMMAND"));
  const QCommandLineOption compile(QStringLiteral("compile"), QStringLiteral("Build once the model is open."));
  const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                      QStringLiteral("Save the window to FILE (.png) once ready, then exit."),
                                      QStringLiteral("FILE"));
  const QCommandLineOption dock(
      QStringLiteral("show-dock"),
      QStringLiteral("Raise a dock (e.g. logDock; logDock:WxH floats it) before the screenshot."),
      QStringLiteral("NAME"));
  const QCommandLineOption find(QStringLiteral("find"),
                                QStringLiteral("Select the first graph node matching TEXT before the screenshot."),
                                QStringLiteral("TEXT"));
  const QCommandLineOption graph(QStringLiteral("graph"),
                                 QStringLiteral("Show this graph: imported, gear:N (compiled) or dynamic."),
                                 QStringLiteral("WHICH"));
  const QCommandLineOption openBody(QStringLiteral("open-body"),
                                    QStringLiteral("Open the If/Loop/Scan body of NODE (NODE:ATTRIBUTE) in the graph."),
                                    QStringLiteral("NODE"));
  const QCommandLineOption profile(QStringLiteral("profile"),
                                   QStringLiteral("Profile all gears N times once ready (each run joins the history)."),
                                   QStringLiteral("N"));
  const QCommandLineOption precisions(
      QStringLiteral("compare-precisions"),
      QStringLiteral("Compare these precisions once ready (fp32,force_fp16,allow_fp32_to_fp16,allow_mix_precision,"
                     "bf16,int8)."),
      QStringLiteral("LIST"));
  const QCommandLineOption compare(QStringLiteral("compare-strategies"),
                                   QStringLiteral("Compare the three shape strategies once ready."));
  const QCommandLineOption loops(QStringLiteral("loops"), QStringLiteral("Measured runs per gear when profiling."),
                                 QStringLiteral("N"));
  const QCommandLineOption threads(QStringLiteral("threads"),
                                   QStringLiteral("Kernel threads when profiling (0: the default)."),
                                   QStringLiteral("N"));
  const QCommandLineOption tabs(QStringLiteral("tab"),
                                QStringLiteral("Bring tabs with these titles forward (comma-separated)."),
                                QStringLiteral("TITLES"));
  const QCommandLineOption grab(QStringLiteral("grab"),
                                QStringLiteral("Screenshot the widget with this object name instead of the window."),
                                QStringLiteral("NAME"));
  const QCommandLineOption openAfter(QStringLiteral("open-after"),
                                     QStringLiteral("Open FILE last, before the screenshot (e.g. a broken model)."),
                                     QStringLiteral("FILE"));
  const QCommandLineOption report(QStringLiteral("export-report"),
                                  QStringLiteral("Write the profile at the end: FILE.json or FILE.csv as Export writes "
                                                 "them, else a Markdown report (charts beside it)."),
                                  QStringLiteral("FILE"));
  const QCommandLineOption trace(QStringLiteral("trace"),
                                 QStringLiteral("Load a shape trace (docs/traces.md) into the Traffic panel."),
                                 QStringLiteral("FILE"));
  const QCommandLineOption recommendGears(QStringLiteral("recommend-gears"),
                                          QStringLiteral("Run the Traffic panel's \"Recommend gears\" on the trace."));
  const QCommandLineOption replayTrace(QStringLiteral("replay-trace"),
                                       QStringLiteral("Replay the strategies on the trace in the Traffic panel."));
  parser.addOptions({trace, recommendGears, replayTrace});
  parser.addOptions({report, exportGraph, atc, compile, screenshot, dock, find, graph, openBody, profile, compare,
                     precisions, loops, threads, tabs, grab, openAfter});
  parser.process(app);
  const auto files = parser.positionalArguments();

  if (parser.isSet(exportGraph)) {
    if (files.size() != 1) {
      fputs("error: --export-graph needs exactly one model file\n", stderr);
      return 2;
    }
    return gs::ui::exportGraphFile(files.front(), parser.value(exportGraph));
  }
  if (files.size() > 1) {
    fputs("error: give at most one model or project file\n", stderr);
    return 2;
  }

  // The log panel shows what the core reports at info and above.
  [[maybe_unused]] auto level = gs::log::setLevel("info");
  gs::ui::MainWindow window;
  window.show();
  gs::ui::ScriptedSession script;
  script.atcCommand = parser.value(atc);
  script.compile = parser.isSet(compile);
  script.screenshotPath = parser.value(screenshot);
  script.dock = parser.value(dock);
  script.find = parser.value(find);
  script.graph = parser.value(graph);
  script.openBody = parser.value(openBody);
  script.profileRuns = parser.value(profile).toInt();
  script.compare = parser.isSet(compare);
  script.precisions = parser.value(precisions);
  script.loops = parser.value(loops).toInt();
  script.threads = parser.isSet(threads) ? parser.value(threads).toInt() : -1;
  script.tabs = parser.value(tabs);
  script.grab = parser.value(grab);
  script.openAfter = parser.value(openAfter);
  script.reportPath = parser.value(report);
  script.trace = parser.value(trace);
  script.recommendGears = parser.isSet(recommendGears);
  script.replayTrace = parser.isSet(replayTrace);
  gs::ui::runScriptedSession(&window, script);
  const auto file = files.isEmpty() ? QString() : files.front();
  // A run that ends by itself (screenshot, report) never asks about, nor touches, the recovery of an
  // interrupted session: nobody is there to answer, and that work belongs to the user's next session.
  const bool scripted = script.endsByItself();
  QTimer::singleShot(0, &window, [&window, file, scripted] {
    // A session that did not end cleanly comes first: restoring it replaces the file argument.
    if (!scripted && window.checkRecovery()) return;
    if (!file.isEmpty()) window.openFile(file);
  });
  return QApplication::exec();
}

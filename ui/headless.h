// Studio actions that run without a user: the graph image export of `gearstudio --export-graph`,
// and the scripted session of `--atc/--compile/--profile/--screenshot...` (fill the form, build,
// profile, pick panels, grab the window or one widget to a PNG and quit) used for documentation
// screenshots and smoke checks.
#pragma once

#include <QObject>
#include <QString>

namespace gs::ui {

class MainWindow;

// Imports `modelPath` and renders its graph to `imagePath` (.svg or .png). Returns a process exit
// code; errors go to stderr.
int exportGraphFile(const QString& modelPath, const QString& imagePath);

struct ScriptedSession {
  QString atcCommand;          // applied to the form once the model is open
  bool compile = false;        // build once the model is open (after atcCommand)
  QString screenshotPath;      // grab the window (or `grab`) here when done, then quit
  QString dock;                // raise this dock (objectName or title); "NAME:WxH" floats it at that size
  QString find;                // select the first node matching this in the graph before the grab
  QString graph;               // the graph to show: "imported", "gear:N" or "dynamic"
  QString openBody;            // "NODE" or "NODE:ATTRIBUTE": open that If/Loop/Scan body in the graph view
  int profileRuns = 0;         // run "Profile all gears" this many times (after the build, if any)
  bool compare = false;        // run "Compare strategies"
  QString precisions;          // run "Compare precisions" with these choices ("fp32,force_fp16,bf16")
  int loops = 0;               // > 0: the profile panel's loop count
  int threads = -1;            // >= 0: the profile panel's thread count (0: the default)
  QString tabs;                // comma-separated tab titles to bring forward (profile tabs, dock tabs)
  QString grab;                // objectName of the widget to grab instead of the window
  QString openAfter;           // open this file last (an error state: the session must stay intact)
  QString reportPath;          // write the profile's Markdown report (charts as PNG beside it) at the end
  QString trace;               // load this shape trace into the Traffic panel
  bool recommendGears = false; // run the Traffic panel's "Recommend gears" (after the trace loads)
  bool replayTrace = false;    // run the Traffic panel's strategy replay on the trace

  // A run that writes a screenshot or a report ends by itself: nobody answers its dialogs, it never
  // offers (or touches) the recovery of an interrupted session, and it autosaves nothing.
  bool endsByItself() const { return !screenshotPath.isEmpty() || !reportPath.isEmpty(); }
};

// Drives `window` through the session once its model has loaded; quits the application at the end
// when the session endsByItself() (exit status 1 when a step failed).
void runScriptedSession(MainWindow* window, const ScriptedSession& session);

} // namespace gs::ui

// Studio actions that run without a user: the graph image export of `gearstudio --export-graph`,
// and the scripted session of `--atc/--compile/--screenshot` (fill the form, build, grab the window
// to a PNG and quit) used for documentation screenshots and smoke checks.
#pragma once

#include <QObject>
#include <QString>

namespace gs::ui {

class MainWindow;

// Imports `modelPath` and renders its graph to `imagePath` (.svg or .png). Returns a process exit
// code; errors go to stderr.
int exportGraphFile(const QString& modelPath, const QString& imagePath);

struct ScriptedSession {
  QString atcCommand;     // applied to the form once the model is open
  bool compile = false;   // build once the model is open (after atcCommand)
  QString screenshotPath; // grab the window here when done, then quit
  QString dock;           // raise this dock (objectName or title) before the grab
  QString find;           // select the first node matching this in the graph before the grab
};

// Drives `window` through the session once its model has loaded; quits the application when a
// screenshot was asked for.
void runScriptedSession(MainWindow* window, const ScriptedSession& session);

} // namespace gs::ui

// The .gearproj file: JSON with the model (path, relative path and SHA-256), the shape configuration
// as ATC options plus the chosen strategy, and compile settings. Written atomically (QSaveFile).
// Also the format of the crash-recovery file.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include "core/common/status.h"
#include "core/compiler/shape_config/atc_options.h"
#include "ui/models/form_state.h"

namespace gs::ui {

struct ProjectData {
  QString modelPath;   // absolute
  QString modelSha256; // hex, of the model file when the project was saved
  shape_config::AtcOptions options;
  Strategy strategy = Strategy::Static;
  QStringList disabledPasses;
  QString projectPath;         // where it belongs (a recovery file names the project it recovers); may be empty
  QJsonArray profileRuns;      // the profile panel's run history
  QJsonObject profileSettings; // the profile panel's loop settings (device, threads, warm-up, loops)
  // The build saved with the project: an .om beside the project file and the key of the request it
  // was built from (session::buildKey); restored when the key still matches the form.
  QString buildOmPath; // absolute; empty: no build saved
  QString buildKey;
  double buildMillis = 0;
};

// Where a project keeps its build: "<project without .gearproj>.build.om".
QString buildOmPathFor(const QString& projectPath);

// The project for a form; `projectPath` decides the relative model path written alongside.
QJsonObject projectToJson(const ProjectData& data, const QString& projectPath);
Expected<ProjectData> projectFromJson(const QJsonObject& json, const QString& projectPath);

// QSaveFile: the old file stays intact on any failure. Errors: GS0001 naming the path.
Status writeProject(const ProjectData& data, const QString& path);
// Errors: GS0001 (cannot read), GS0002 (not a GearStudio project, or a field of the wrong kind).
Expected<ProjectData> readProject(const QString& path);

// The form a project describes, on top of the model's own form (base).
Expected<FormState> projectForm(const ProjectData& data, const FormState& base);
ProjectData projectData(const FormState& form, const QString& modelPath, const QString& sha256);

} // namespace gs::ui

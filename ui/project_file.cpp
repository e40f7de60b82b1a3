// See project_file.h. Layout (version 1):
// { "format": "gearstudio-project", "version": 1,
//   "model": {"path": abs, "relativePath": rel-to-project, "sha256": hex},
//   "strategy": "dynamic_batch",
//   "atc": {"input_shape": "...", "dynamic_batch_size": "...", ...},   (ATC option names)
//   "settings": {"disabledPasses": [...]}, "projectPath": "...", "profileRuns": [...] }
#include "ui/project_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace gs::ui {
namespace {

constexpr auto kFormat = "gearstudio-project";
constexpr int kVersion = 1;

std::string str(const QString& s) { return s.toStdString(); }

} // namespace

QJsonObject projectToJson(const ProjectData& data, const QString& projectPath) {
  QJsonObject model{{QStringLiteral("path"), data.modelPath}, {QStringLiteral("sha256"), data.modelSha256}};
  if (!projectPath.isEmpty() && !data.modelPath.isEmpty())
    model.insert(QStringLiteral("relativePath"), QFileInfo(projectPath).dir().relativeFilePath(data.modelPath));
  QJsonObject atc;
  // Shape and target options only: --model, --framework and --mode belong to the model and the action.
  for (const auto& [key, value] : data.options.given)
    if (key != "model" && key != "framework" && key != "mode")
      atc.insert(QString::fromStdString(key), QString::fromStdString(value));
  QJsonObject settings{{QStringLiteral("disabledPasses"), QJsonArray::fromStringList(data.disabledPasses)}};
  QJsonObject root{{QStringLiteral("format"), QString::fromLatin1(kFormat)},
                   {QStringLiteral("version"), kVersion},
                   {QStringLiteral("model"), model},
                   {QStringLiteral("strategy"), QString::fromUtf8(strategyName(data.strategy).data())},
                   {QStringLiteral("atc"), atc},
                   {QStringLiteral("settings"), settings}};
  if (!data.projectPath.isEmpty()) root.insert(QStringLiteral("projectPath"), data.projectPath);
  if (!data.profileRuns.isEmpty()) root.insert(QStringLiteral("profileRuns"), data.profileRuns);
  if (!data.profileSettings.isEmpty()) root.insert(QStringLiteral("profileSettings"), data.profileSettings);
  if (!data.buildOmPath.isEmpty()) {
    QJsonObject build{{QStringLiteral("om"), data.buildOmPath},
                      {QStringLiteral("key"), data.buildKey},
                      {QStringLiteral("millis"), data.buildMillis}};
    if (!projectPath.isEmpty())
      build.insert(QStringLiteral("relativeOm"), QFileInfo(projectPath).dir().relativeFilePath(data.buildOmPath));
    root.insert(QStringLiteral("build"), build);
  }
  return root;
}

Expected<ProjectData> projectFromJson(const QJsonObject& root, const QString& projectPath) {
  const auto where = projectPath.isEmpty() ? std::string("project") : "project '" + str(projectPath) + "'";
  if (root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat))
    return makeError(codes::kFormat, where + " is not a GearStudio project (no \"format\": \"" + kFormat + "\")");
  if (root.value(QStringLiteral("version")).toInt() > kVersion)
    return makeError(codes::kFormat, where + " has version " +
                                         std::to_string(root.value(QStringLiteral("version")).toInt()) +
                                         ", newer than this studio reads (" + std::to_string(kVersion) + ")");
  ProjectData data;
  const auto model = root.value(QStringLiteral("model")).toObject();
  data.modelPath = model.value(QStringLiteral("path")).toString();
  data.modelSha256 = model.value(QStringLiteral("sha256")).toString();
  // A project moved together with its model: the relative path wins when the absolute one is gone.
  const auto relative = model.value(QStringLiteral("relativePath")).toString();
  if (!relative.isEmpty() && !projectPath.isEmpty() && !QFileInfo::exists(data.modelPath)) {
    const auto candidate = QFileInfo(projectPath).dir().absoluteFilePath(relative);
    if (QFileInfo::exists(candidate)) data.modelPath = QDir::cleanPath(candidate);
  }
  if (data.modelPath.isEmpty()) return makeError(codes::kFormat, where + " names no model (\"model.path\")");
  const auto strategy = strategyFromName(str(root.value(QStringLiteral("strategy")).toString()));
  if (!strategy)
    return makeError(codes::kFormat, where + " has an unknown strategy '" +
                                         str(root.value(QStringLiteral("strategy")).toString()) + "'");
  data.strategy = *strategy;
  const auto atc = root.value(QStringLiteral("atc")).toObject();
  for (auto it = atc.begin(); it != atc.end(); ++it) {
    if (!it.value().isString())
      return makeError(codes::kFormat, where + ": ATC option '" + str(it.key()) + "' is not a string");
    if (auto s = shape_config::setOption(data.options, str(it.key()), str(it.value().toString())); !s)
      return std::unexpected(withContext(s.error(), where));
  }
  for (const auto& v :
       root.value(QStringLiteral("settings")).toObject().value(QStringLiteral("disabledPasses")).toArray())
    data.disabledPasses << v.toString();
  data.projectPath = root.value(QStringLiteral("projectPath")).toString();
  data.profileRuns = root.value(QStringLiteral("profileRuns")).toArray();
  data.profileSettings = root.value(QStringLiteral("profileSettings")).toObject();
  const auto build = root.value(QStringLiteral("build")).toObject();
  if (!build.isEmpty()) {
    data.buildOmPath = build.value(QStringLiteral("om")).toString();
    const auto rel = build.value(QStringLiteral("relativeOm")).toString();
    if (!rel.isEmpty() && !projectPath.isEmpty() && !QFileInfo::exists(data.buildOmPath)) {
      const auto candidate = QFileInfo(projectPath).dir().absoluteFilePath(rel);
      if (QFileInfo::exists(candidate)) data.buildOmPath = QDir::cleanPath(candidate);
    }
    data.buildKey = build.value(QStringLiteral("key")).toString();
    data.buildMillis = build.value(QStringLiteral("millis")).toDouble();
  }
  return data;
}

QString buildOmPathFor(const QString& projectPath) {
  QString base = projectPath;
  if (base.endsWith(QLatin1String(".gearproj"), Qt::CaseInsensitive)) base.chop(9);
  return base + QStringLiteral(".build.om");
}

Status writeProject(const ProjectData& data, const QString& path) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    return makeError(codes::kIo, "cannot write '" + str(path) + "': " + str(file.errorString()));
  file.write(QJsonDocument(projectToJson(data, path)).toJson(QJsonDocument::Indented));
  if (!file.commit()) return makeError(codes::kIo, "cannot write '" + str(path) + "': " + str(file.errorString()));
  return ok();
}

Expected<ProjectData> readProject(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return makeError(codes::kIo, "cannot read '" + str(path) + "': " + str(file.errorString()));
  QJsonParseError error;
  const auto doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (doc.isNull() || !doc.isObject())
    return makeError(codes::kFormat, "project '" + str(path) + "' is not valid JSON: " + str(error.errorString()) +
                                         " at offset " + std::to_string(error.offset));
  return projectFromJson(doc.object(), QFileInfo(path).absoluteFilePath());
}

Expected<FormState> projectForm(const ProjectData& data, const FormState& base) {
  GS_ASSIGN_OR_RETURN(auto form, formFromOptions(data.options, base));
  // The strategy is stored because an unfinished form (a gear strategy with no gears yet) cannot be
  // told from its options.
  form.strategy = data.strategy;
  if (!isGearStrategy(form.strategy)) form.gears.clear();
  form.disabledPasses = data.disabledPasses;
  return form;
}

ProjectData projectData(const FormState& form, const QString& modelPath, const QString& sha256) {
  ProjectData data;
  data.modelPath = modelPath;
  data.modelSha256 = sha256;
  data.options = toAtcOptions(form, modelPath);
  data.strategy = form.strategy;
  data.disabledPasses = form.disabledPasses;
  return data;
}

} // namespace gs::ui

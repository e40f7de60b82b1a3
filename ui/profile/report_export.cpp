// JSON / CSV / Markdown (+ PNG charts) files of a profile. Files are written through QSaveFile so a
// failed export never leaves half a file behind.
#include "ui/profile/report_export.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include "core/profile/profile_export.h"
#include "core/profile/profile_json.h"
#include "ui/profile/profile_chart.h"

namespace gs::ui {
namespace {

bool writeText(const QString& path, const std::string& text, QString* error) {
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) {
    if (error) *error = QStringLiteral("cannot write '%1': %2").arg(path, f.errorString());
    return false;
  }
  f.write(text.data(), static_cast<qint64>(text.size()));
  if (!f.commit()) {
    if (error) *error = QStringLiteral("cannot write '%1': %2").arg(path, f.errorString());
    return false;
  }
  return true;
}

bool nothing(const ProfileExportData& d, QString* error) {
  if (d.report || d.comparison || d.matrix || !d.history.empty()) return false;
  if (error)
    *error = QStringLiteral("nothing to export yet: profile the gears, compare strategies or precisions first");
  return true;
}

} // namespace

bool writeProfileJson(const QString& path, const ProfileExportData& data, QString* error) {
  if (nothing(data, error)) return false;
  profile::ProfileDocument doc;
  if (data.report) doc.profile = *data.report;
  if (data.comparison) doc.comparison = *data.comparison;
  doc.history = data.history;
  auto json = profile::toJson(doc);
  if (data.matrix) json["precision_matrix"] = profile::toJson(*data.matrix);
  return writeText(path, json.dump(2) + "\n", error);
}

bool writeProfileCsv(const QString& path, const ProfileExportData& data, QString* error) {
  if (!data.report && !data.comparison && !data.matrix) {
    if (error)
      *error = QStringLiteral("nothing to export yet: profile the gears, compare strategies or precisions first");
    return false;
  }
  // The precision matrix is a table of its own: after the profile's, separated by a blank line.
  std::string text = data.report || data.comparison ? profile::toCsv(data.report, data.comparison) : std::string();
  if (data.matrix) {
    if (!text.empty()) text += '\n';
    text += profile::precisionMatrixCsv(*data.matrix);
  }
  return writeText(path, text, error);
}

bool writeMarkdownReport(const QString& path, const ProfileExportData& data, QString* error, QStringList* written) {
  if (nothing(data, error)) return false;
  const QFileInfo info(path);
  const QDir dir = info.absoluteDir();
  profile::ReportImages images;
  for (auto* chart : data.charts) {
    if (!chart->hasData()) continue;
    const QString file = info.completeBaseName() + "_" + chart->chartId() + ".png";
    if (!chart->exportTo(dir.filePath(file), error, 900, 520)) return false;
    images[chart->chartId().toStdString()] = file.toStdString();
    if (written) *written << dir.filePath(file);
  }
  const auto md = profile::toMarkdown(data.report, data.comparison, data.runDelta, data.matrix, images);
  if (!writeText(path, md, error)) return false;
  if (written) *written << path;
  return true;
}

} // namespace gs::ui

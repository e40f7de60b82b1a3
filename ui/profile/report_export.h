// Writing the profile panel's results to files: the whole profile as JSON, CSV, and a Markdown
// report whose charts are written as PNG images next to it.
#pragma once

#include <vector>

#include <QList>
#include <QString>
#include <QStringList>

#include "core/profile/precision_matrix.h"
#include "core/profile/profile_types.h"
#include "core/profile/run_history.h"

namespace gs::ui {

class ProfileChart;

struct ProfileExportData {
  const profile::ProfileReport* report = nullptr;
  const profile::StrategyComparison* comparison = nullptr;
  const profile::RunComparison* runDelta = nullptr;
  const profile::PrecisionMatrix* matrix = nullptr; // "Compare precisions"
  std::vector<profile::RunRecord> history;
  QList<ProfileChart*> charts; // those with data are written with the Markdown report
};

bool writeProfileJson(const QString& path, const ProfileExportData& data, QString* error = nullptr);
bool writeProfileCsv(const QString& path, const ProfileExportData& data, QString* error = nullptr);
// report.md plus report_<chart id>.png for every chart with data; `written` lists every file.
bool writeMarkdownReport(const QString& path, const ProfileExportData& data, QString* error = nullptr,
                         QStringList* written = nullptr);

} // namespace gs::ui

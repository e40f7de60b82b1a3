// ProfilePanel's "Compare precisions" (the precision x gear matrix): the button with its menu of
// precision choices, the background job, and showing its result. See profile_panel.h.
#include <QAction>
#include <QMenu>
#include <QTabWidget>
#include <QToolButton>

#include "core/profile/precision_matrix.h"
#include "ui/profile/precision_view.h"
#include "ui/profile/profile_panel.h"

namespace gs::ui {
namespace {

struct Choice {
  const char* name; // parsePrecisionChoice's spelling
  const char* label;
  bool checked; // by default
};
constexpr Choice kChoices[] = {
    {"fp32", "fp32 (force_fp32)", true},
    {"force_fp16", "force_fp16", true},
    {"allow_fp32_to_fp16", "allow_fp32_to_fp16", false},
    {"allow_mix_precision", "allow_mix_precision", true},
    {"bf16", "bf16 (GearStudio)", true},
    {"int8", "int8 (the form's calibration samples)", false},
};

} // namespace

QToolButton* ProfilePanel::buildPrecisionButton() {
  auto* button = new QToolButton(this);
  button->setObjectName(QStringLiteral("comparePrecisions"));
  button->setText(tr("Compare precisions"));
  button->setToolTip(tr("Build the model at each checked precision (arrow: choose), profile every gear and "
                        "compare its outputs and layers with fp32 on the same inputs"));
  button->setPopupMode(QToolButton::MenuButtonPopup);
  auto* menu = new QMenu(button);
  for (const auto& c : kChoices) {
    auto* a = menu->addAction(tr(c.label));
    a->setCheckable(true);
    a->setChecked(c.checked);
    a->setData(QString::fromLatin1(c.name));
  }
  button->setMenu(menu);
  connect(button, &QToolButton::clicked, this, [this] { startPrecisionMatrix(); });
  return button;
}

QStringList ProfilePanel::precisionChoices() const {
  QStringList out;
  for (auto* a : m_precisionButton->menu()->actions())
    if (a->isChecked()) out << a->data().toString();
  return out;
}

void ProfilePanel::setPrecisionChoices(const QStringList& choices) {
  for (auto* a : m_precisionButton->menu()->actions())
    a->setChecked(choices.contains(a->data().toString()));
}

bool ProfilePanel::startPrecisionMatrix() {
  if (isBusy()) return false;
  if (!m_model || !m_request) {
    setStatus(tr("Open a model and set its shapes before comparing precisions."));
    return false;
  }
  const auto names = precisionChoices();
  if (names.isEmpty()) {
    setStatus(tr("Check at least one precision in the menu of Compare precisions."));
    return false;
  }
  // The form's precision settings (keep list, calibration samples) are the base of every row.
  auto base = m_request->config.precision;
  std::vector<shape_config::PrecisionConfig> rows;
  for (const auto& name : names) {
    if (name == QLatin1String("int8") && base.calibrationDir.empty()) {
      setStatus(tr("int8 needs calibration samples: tick Quantize to int8 in the Precision section and choose "
                   "the samples folder, or uncheck int8."));
      return false;
    }
    auto p = profile::parsePrecisionChoice(name.toStdString(), base);
    if (!p) {
      setStatus(tr("Failed: %1").arg(QString::fromStdString(p.error().str())));
      return false;
    }
    rows.push_back(std::move(*p));
  }
  m_cancel = std::make_shared<CancelToken>();
  auto progress = jobProgress();
  auto model = m_model;
  auto build = *m_request;
  profile::PrecisionMatrixRequest req;
  req.profile = request();
  req.precisions = std::move(rows);
  req.worstLayers = 8;
  auto token = m_cancel;
  setStatus(tr("Building and measuring %1 precision(s)…").arg(names.size()));
  startJob(Job::Precision, [=]() -> JobOutput {
    (void)token;
    JobOutput out;
    auto m = profile::precisionMatrix(*model, build, req, progress);
    if (!m)
      out.error = QString::fromStdString(m.error().str());
    else
      out.matrix = std::move(*m);
    return out;
  });
  return true;
}

void ProfilePanel::showPrecisionMatrix(profile::PrecisionMatrix matrix) {
  m_matrix = std::move(matrix);
  m_precisionView->setMatrix(*m_matrix);
  m_tabs->setCurrentWidget(m_precisionView);
  int failed = 0;
  for (const auto& r : m_matrix->rows)
    failed += r.error.empty() ? 0 : 1;
  setStatus(
      m_matrix->cancelled ? tr("Precision comparison cancelled: %1 row(s) finished.").arg(m_matrix->rows.size())
      : failed
          ? tr("Compared %1 precision(s); %2 failed (see the table).").arg(m_matrix->rows.size()).arg(failed)
          : tr("Compared %1 precision(s) on %2 gear(s).").arg(m_matrix->rows.size()).arg(m_matrix->gearLabels.size()));
}

} // namespace gs::ui

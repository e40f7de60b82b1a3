// See recent_files.h.
#include "ui/recent_files.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace gs::ui {
namespace {
constexpr auto kKey = "recentFiles";
constexpr int kMax = 10;
} // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu) { rebuild(); }

QStringList RecentFiles::files() const { return QSettings().value(QLatin1String(kKey)).toStringList(); }

void RecentFiles::add(const QString& path) {
  auto list = files();
  const auto absolute = QFileInfo(path).absoluteFilePath();
  list.removeAll(absolute);
  list.prepend(absolute);
  while (list.size() > kMax)
    list.removeLast();
  QSettings().setValue(QLatin1String(kKey), list);
  rebuild();
}

void RecentFiles::rebuild() {
  m_menu->clear();
  QStringList kept;
  for (const auto& path : files())
    if (QFileInfo::exists(path)) kept << path;
  for (int i = 0; i < kept.size(); ++i) {
    const auto path = kept[i];
    // A '&' in a file name is text, not a mnemonic.
    auto* action = m_menu->addAction(
        QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName().replace(QLatin1Char('&'), QStringLiteral("&&"))));
    action->setToolTip(path);
    action->setStatusTip(path);
    connect(action, &QAction::triggered, this, [this, path] { emit openRequested(path); });
  }
  if (kept.isEmpty()) m_menu->addAction(tr("(none)"))->setEnabled(false);
  m_menu->addSeparator();
  connect(m_menu->addAction(tr("Clear list")), &QAction::triggered, this, [this] {
    QSettings().remove(QLatin1String(kKey));
    rebuild();
  });
}

} // namespace gs::ui

// The File > Open Recent menu, kept in QSettings ("recentFiles", newest first, at most 10; files
// that no longer exist are dropped when the menu is rebuilt).
#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace gs::ui {

class RecentFiles : public QObject {
  Q_OBJECT
public:
  explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

  void add(const QString& path);
  QStringList files() const;

signals:
  void openRequested(const QString& path);

private:
  void rebuild();
  QMenu* m_menu;
};

} // namespace gs::ui

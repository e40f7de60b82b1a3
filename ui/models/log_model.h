// The log panel's model: spdlog messages from every subsystem, appended on the GUI thread. A sink
// (installLogSink) forwards records from any thread to a hub object with a queued signal, so core
// code logging from a worker never touches a widget.
#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QString>
#include <deque>

namespace gs::ui {

struct LogEntry {
  QDateTime time;
  int level = 0; // spdlog::level::level_enum
  QString logger;
  QString message;
};

// Receives every record of the studio's sink (lives as long as the process).
class LogHub : public QObject {
  Q_OBJECT
public:
  static LogHub* instance();
signals:
  void entry(const gs::ui::LogEntry& entry);
};

// Adds the forwarding sink to gs::log once per process (later calls do nothing).
void installLogSink();

class LogModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column { Time, Level, Logger, Message, ColumnCount };
  explicit LogModel(QObject* parent = nullptr);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void append(const LogEntry& entry);
  void clear();
  const LogEntry& entryAt(int row) const { return m_entries[static_cast<std::size_t>(row)]; }
  // Lines kept; the oldest are dropped beyond it.
  static constexpr int kMaxEntries = 5000;

private:
  std::deque<LogEntry> m_entries;
};

} // namespace gs::ui

Q_DECLARE_METATYPE(gs::ui::LogEntry)

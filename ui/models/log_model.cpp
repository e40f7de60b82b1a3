// See log_model.h.
#include "ui/models/log_model.h"

#include <chrono>
#include <mutex>

#include <QBrush>
#include <QColor>
#include <spdlog/sinks/base_sink.h>

#include "core/common/log.h"

namespace gs::ui {
namespace {

// Formats nothing itself: the raw payload goes to the panel, which shows time, level and logger in
// columns. Emitting a signal of an object living in the GUI thread from another thread queues it.
class QtForwardSink : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    LogEntry e;
    e.time = QDateTime::fromMSecsSinceEpoch(
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count());
    e.level = static_cast<int>(msg.level);
    e.logger = QString::fromUtf8(msg.logger_name.data(), static_cast<qsizetype>(msg.logger_name.size()));
    e.message = QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
    emit LogHub::instance()->entry(e);
  }
  void flush_() override {}
};

QString levelName(int level) {
  return QString::fromUtf8(spdlog::level::to_string_view(static_cast<spdlog::level::level_enum>(level)).data());
}

} // namespace

LogHub* LogHub::instance() {
  // Never destroyed: the sink may be called from any thread until the process ends.
  static auto* hub = new LogHub;
  return hub;
}

void installLogSink() {
  static std::once_flag once;
  std::call_once(once, [] {
    qRegisterMetaType<gs::ui::LogEntry>("gs::ui::LogEntry");
    LogHub::instance(); // created on the calling (GUI) thread
    gs::log::addSink(std::make_shared<QtForwardSink>());
  });
}

LogModel::LogModel(QObject* parent) : QAbstractTableModel(parent) {
  installLogSink();
  connect(LogHub::instance(), &LogHub::entry, this, &LogModel::append, Qt::QueuedConnection);
}

int LogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int LogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid()) return {};
  const auto& e = m_entries[static_cast<std::size_t>(index.row())];
  if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
    switch (index.column()) {
    case Time:
      return e.time.toString(QStringLiteral("HH:mm:ss.zzz"));
    case Level:
      return levelName(e.level);
    case Logger:
      return e.logger;
    case Message:
      return e.message;
    default:
      return {};
    }
  }
  if (role == Qt::ForegroundRole) {
    if (e.level >= spdlog::level::err) return QBrush(QColor(0xb0, 0x1c, 0x1c));
    if (e.level == spdlog::level::warn) return QBrush(QColor(0x9a, 0x5b, 0x00));
    if (e.level <= spdlog::level::debug) return QBrush(QColor(0x70, 0x70, 0x70));
  }
  return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* names[] = {"Time", "Level", "Logger", "Message"};
  return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

void LogModel::append(const LogEntry& entry) {
  if (static_cast<int>(m_entries.size()) >= kMaxEntries) {
    beginRemoveRows({}, 0, 0);
    m_entries.erase(m_entries.begin());
    endRemoveRows();
  }
  const int row = static_cast<int>(m_entries.size());
  beginInsertRows({}, row, row);
  m_entries.push_back(entry);
  endInsertRows();
}

void LogModel::clear() {
  beginResetModel();
  m_entries.clear();
  endResetModel();
}

} // namespace gs::ui

// See log_panel.h.
#include "ui/widgets/log_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <spdlog/common.h>

#include "ui/models/log_model.h"

namespace gs::ui {
namespace {

// Shows records at or above a level.
class LevelFilter : public QSortFilterProxyModel {
public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void setMinLevel(int level) {
    m_min = level;
    invalidateFilter();
  }

protected:
  bool filterAcceptsRow(int row, const QModelIndex&) const override {
    return static_cast<LogModel*>(sourceModel())->entryAt(row).level >= m_min;
  }

private:
  int m_min = 0;
};

} // namespace

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
  m_model = new LogModel(this);
  auto* filter = new LevelFilter(this);
  filter->setSourceModel(m_model);
  m_filter = filter;
  m_view = new QTableView(this);
  m_view->setObjectName(QStringLiteral("logView"));
  m_view->setModel(m_filter);
  m_view->verticalHeader()->hide();
  m_view->verticalHeader()->setDefaultSectionSize(20);
  m_view->setShowGrid(false);
  m_view->setWordWrap(false);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_view->horizontalHeader()->setStretchLastSection(true);
  m_view->horizontalHeader()->setSectionResizeMode(LogModel::Time, QHeaderView::ResizeToContents);
  m_view->horizontalHeader()->setSectionResizeMode(LogModel::Level, QHeaderView::ResizeToContents);
  m_view->horizontalHeader()->setSectionResizeMode(LogModel::Logger, QHeaderView::ResizeToContents);

  m_level = new QComboBox(this);
  m_level->addItem(tr("Debug and above"), static_cast<int>(spdlog::level::debug));
  m_level->addItem(tr("Info and above"), static_cast<int>(spdlog::level::info));
  m_level->addItem(tr("Warnings and errors"), static_cast<int>(spdlog::level::warn));
  m_level->addItem(tr("Errors only"), static_cast<int>(spdlog::level::err));
  m_level->setCurrentIndex(1);
  filter->setMinLevel(spdlog::level::info);
  auto* clear = new QPushButton(tr("Clear"), this);

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Show"), this));
  top->addWidget(m_level);
  top->addStretch(1);
  top->addWidget(clear);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->setSpacing(4);
  layout->addLayout(top);
  layout->addWidget(m_view, 1);

  connect(m_level, &QComboBox::currentIndexChanged, this,
          [this, filter](int i) { filter->setMinLevel(m_level->itemData(i).toInt()); });
  connect(clear, &QPushButton::clicked, m_model, &LogModel::clear);
  connect(m_model, &LogModel::rowsInserted, m_view, [this] { m_view->scrollToBottom(); });
}

} // namespace gs::ui

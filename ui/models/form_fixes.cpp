// See form_fixes.h. Problems are found by asking the validator (checkForm) about each suspicious dim
// alone, so the codes and messages shown are exactly the validator's; the rules here only propose the
// values that fix them.
#include "ui/models/form_fixes.h"

#include <algorithm>
#include <optional>

#include "core/compiler/shape_config/shape_config.h"

namespace gs::ui {
namespace {

std::optional<int64_t> positive(const QString& text) {
  bool ok = false;
  const auto v = text.trimmed().toLongLong(&ok);
  return ok && v >= 1 ? std::optional<int64_t>(v) : std::nullopt;
}

// The model's value of a dim; a number the form holds serves when there is no model.
std::optional<int64_t> modelDim(const FormState& form, const ir::Graph* graph, int input, int dim) {
  const auto& row = form.inputs[static_cast<std::size_t>(input)];
  if (graph) {
    const auto id = graph->findValue(row.name.toStdString());
    if (id == ir::kNone) return std::nullopt;
    const auto& dims = graph->values[static_cast<std::size_t>(id)].shape.dims;
    if (dim < static_cast<int>(dims.size()) && dims[static_cast<std::size_t>(dim)].isKnown() &&
        dims[static_cast<std::size_t>(dim)].value >= 1)
      return dims[static_cast<std::size_t>(dim)].value;
    return std::nullopt;
  }
  return dim < row.dims.size() ? positive(row.dims[dim]) : std::nullopt;
}

// H and W positions of a rank-4 input for the input format; {-1, -1} when the format has none.
std::pair<int, int> imageDims(const QString& format) {
  if (format == QLatin1String("NCHW")) return {2, 3};
  if (format == QLatin1String("NHWC")) return {1, 2};
  return {-1, -1};
}

bool isImageDim(const FormState& form, int input, int dim) {
  if (form.inputs[static_cast<std::size_t>(input)].dims.size() != 4) return false;
  const auto [h, w] = imageDims(form.inputFormat);
  return dim == h || dim == w;
}

QString number(int64_t v) { return QString::number(v); }

// The text a dim should have under the strategy; the text itself when it is fine as it is.
QString expectedDim(const FormState& form, const ir::Graph* graph, int input, int dim) {
  const QString text = form.inputs[static_cast<std::size_t>(input)].dims[dim].trimmed();
  const auto model = modelDim(form, graph, input, dim);
  const QString fixed = number(model.value_or(1));
  const bool minusOne = text == QLatin1String("-1");
  const bool isRange = text.contains(QLatin1Char('~'));
  const bool isNumber = positive(text).has_value();
  switch (form.strategy) {
  case Strategy::Static:
    return isNumber ? text : fixed;
  case Strategy::DynamicBatch:
    if (dim == 0) return QStringLiteral("-1");
    return isNumber ? text : fixed;
  case Strategy::DynamicImageSize:
    if (isImageDim(form, input, dim)) return QStringLiteral("-1");
    return isNumber ? text : fixed;
  case Strategy::DynamicDims:
    return isNumber || minusOne ? text : (model ? fixed : QStringLiteral("-1"));
  case Strategy::DynamicShape:
    return isNumber || minusOne || isRange ? text : (model ? fixed : QStringLiteral("-1"));
  }
  return text;
}

std::vector<int64_t> parseGear(const QString& text) {
  std::vector<int64_t> out;
  for (const auto& part : text.split(QLatin1Char(','))) {
    bool ok = false;
    const auto v = part.trimmed().toLongLong(&ok);
    if (!ok) return {};
    out.push_back(v);
  }
  return out;
}

QString gearText(const std::vector<int64_t>& values) {
  QStringList parts;
  for (auto v : values)
    parts << QString::number(v);
  return parts.join(QLatin1Char(','));
}

int gearDimCount(const FormState& form) {
  int n = 0;
  for (const auto& row : form.inputs)
    for (const auto& d : row.dims)
      n += d.trimmed() == QLatin1String("-1") ? 1 : 0;
  return n;
}

bool sameIssue(const std::optional<FormIssue>& a, const std::optional<FormIssue>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->code == b->code && a->message == b->message);
}

} // namespace

QStringList starterGears(const FormState& form, Strategy strategy, const ir::Graph* graph) {
  switch (strategy) {
  case Strategy::DynamicBatch:
    return {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8")};
  case Strategy::DynamicImageSize: {
    const auto [h, w] = imageDims(form.inputFormat);
    for (int i = 0; i < static_cast<int>(form.inputs.size()) && h >= 0; ++i) {
      if (form.inputs[static_cast<std::size_t>(i)].dims.size() != 4) continue;
      const auto mh = modelDim(form, graph, i, h), mw = modelDim(form, graph, i, w);
      if (mh && mw) return {gearText({*mh, *mw}), gearText({*mh * 2, *mw * 2})};
    }
    return {QStringLiteral("320,320"), QStringLiteral("640,640"), QStringLiteral("960,960")};
  }
  case Strategy::DynamicDims: {
    const int n = gearDimCount(form);
    for (const auto& p : shape_config::gearPresets()) {
      if (p.strategy != Strategy::DynamicDims) continue;
      const QStringList rows =
          QString::fromUtf8(p.gears.data(), static_cast<qsizetype>(p.gears.size())).split(QLatin1Char(';'));
      if (n > 0 && rows.front().split(QLatin1Char(',')).size() == n) return rows;
    }
    return {};
  }
  default:
    return {};
  }
}

FormState formForStrategy(const FormState& form, Strategy strategy, const ir::Graph* graph) {
  FormState out = form;
  out.strategy = strategy;
  if (!isGearStrategy(strategy)) out.gears.clear();
  for (int i = 0; i < static_cast<int>(out.inputs.size()); ++i) {
    auto& dims = out.inputs[static_cast<std::size_t>(i)].dims;
    for (int d = 0; d < dims.size(); ++d) {
      const auto model = modelDim(form, graph, i, d);
      const bool isNumber = positive(dims[d]).has_value();
      switch (strategy) {
      case Strategy::Static:
        if (!isNumber && model) dims[d] = number(*model);
        break;
      case Strategy::DynamicBatch:
        if (d == 0)
          dims[d] = QStringLiteral("-1");
        else if (model)
          dims[d] = number(*model);
        break;
      case Strategy::DynamicImageSize:
        if (dims.size() != 4) break;
        if (isImageDim(out, i, d))
          dims[d] = QStringLiteral("-1");
        else if (d == 0)
          dims[d] = number(model.value_or(1));
        else if (model)
          dims[d] = number(*model);
        break;
      case Strategy::DynamicDims:
      case Strategy::DynamicShape:
        break;
      }
    }
  }
  // A first gear list, so that choosing a gear strategy is not answered with "[0] gears" at once. Gears
  // of another strategy are another kind of list (batch sizes are not "height,width" pairs): they go.
  if (isGearStrategy(strategy) && form.strategy != strategy) out.gears = starterGears(form, strategy, graph);
  return out;
}

QString nextGear(const QStringList& gears, Strategy strategy) {
  std::vector<std::vector<int64_t>> parsed;
  for (const auto& g : gears)
    if (auto v = parseGear(g); !v.empty()) parsed.push_back(std::move(v));
  if (parsed.empty())
    return strategy == Strategy::DynamicBatch       ? QStringLiteral("1")
           : strategy == Strategy::DynamicImageSize ? QStringLiteral("640,640")
                                                    : QStringLiteral("1");
  // The largest gear (by product, then lexicographically) is where the next step starts.
  auto volume = [](const std::vector<int64_t>& g) {
    double p = 1;
    for (auto v : g)
      p *= static_cast<double>(std::max<int64_t>(v, 1));
    return p;
  };
  const auto largest = *std::max_element(parsed.begin(), parsed.end(), [&](const auto& a, const auto& b) {
    return volume(a) != volume(b) ? volume(a) < volume(b) : a < b;
  });
  // Shapes step by the gap between the two largest gears (320, 640, 960 -> 1280), whatever order the
  // list is in; batch sizes double.
  std::vector<int64_t> step(largest.size(), 0);
  if (strategy != Strategy::DynamicBatch) {
    const std::vector<int64_t>* second = nullptr;
    for (const auto& g : parsed)
      if (g.size() == largest.size() && g != largest &&
          (volume(g) < volume(largest) || (volume(g) == volume(largest) && g < largest)) &&
          (!second || volume(g) > volume(*second) || (volume(g) == volume(*second) && g > *second)))
        second = &g;
    if (second)
      for (std::size_t i = 0; i < step.size(); ++i)
        step[i] = std::max<int64_t>(largest[i] - (*second)[i], 0);
  }
  if (std::all_of(step.begin(), step.end(), [](int64_t s) { return s == 0; }))
    for (std::size_t i = 0; i < step.size(); ++i)
      step[i] = std::max<int64_t>(largest[i], 1); // doubling
  auto next = largest;
  auto taken = [&](const std::vector<int64_t>& g) {
    return std::find(parsed.begin(), parsed.end(), g) != parsed.end();
  };
  do {
    for (std::size_t i = 0; i < next.size(); ++i)
      next[i] += step[i];
  } while (taken(next));
  return gearText(next);
}

std::vector<DimProblem> dimProblems(const FormState& form, const QString& modelPath, const ir::Graph* graph) {
  std::vector<DimProblem> candidates;
  FormState base = form;
  for (int i = 0; i < static_cast<int>(form.inputs.size()); ++i)
    for (int d = 0; d < form.inputs[static_cast<std::size_t>(i)].dims.size(); ++d) {
      const QString want = expectedDim(form, graph, i, d);
      if (want == form.inputs[static_cast<std::size_t>(i)].dims[d].trimmed()) continue;
      candidates.push_back({i, d, {}, want});
      base.inputs[static_cast<std::size_t>(i)].dims[d] = want;
    }
  if (candidates.empty()) return {};
  const auto baseIssue = checkForm(base, modelPath, graph).issue;
  std::vector<DimProblem> out;
  for (auto& c : candidates) {
    FormState alone = base;
    alone.inputs[static_cast<std::size_t>(c.input)].dims[c.dim] =
        form.inputs[static_cast<std::size_t>(c.input)].dims[c.dim];
    const auto issue = checkForm(alone, modelPath, graph).issue;
    if (!issue || sameIssue(issue, baseIssue)) continue; // the validator accepts this dim as it is
    c.issue = *issue;
    out.push_back(std::move(c));
  }
  return out;
}

FormState applyDimFixes(const FormState& form, const std::vector<DimProblem>& problems) {
  FormState out = form;
  for (const auto& p : problems)
    if (p.input >= 0 && p.input < static_cast<int>(out.inputs.size()) && p.dim >= 0 &&
        p.dim < out.inputs[static_cast<std::size_t>(p.input)].dims.size())
      out.inputs[static_cast<std::size_t>(p.input)].dims[p.dim] = p.fix;
  return out;
}

QString wrappable(const QString& text) {
  QString out;
  out.reserve(text.size() + text.size() / 8);
  for (QChar c : text) {
    out += c;
    if (c == QLatin1Char(',') || c == QLatin1Char(';') || c == QLatin1Char('/') || c == QLatin1Char('=') ||
        c == QLatin1Char(':') || c == QLatin1Char('_'))
      out += QChar(0x200b);
  }
  return out;
}

} // namespace gs::ui

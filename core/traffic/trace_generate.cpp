// The what-if trace generator: a small parser for mixture specs and seeded sampling.
#include "core/traffic/trace_generate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

namespace gs::traffic {
namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

Expected<double> toDouble(const std::string& s, const std::string& where) {
  const auto t = trimmed(s);
  try {
    std::size_t used = 0;
    const double v = std::stod(t, &used);
    if (used != t.size() || !std::isfinite(v)) throw std::invalid_argument(t);
    return v;
  } catch (...) {
    return makeError(codes::kInvalid, "distribution: '" + t + "' in '" + where + "' is not a number");
  }
}

Expected<Component> parseComponent(const std::string& raw) {
  auto text = trimmed(raw);
  Component c;
  if (const auto star = text.find('*'); star != std::string::npos) {
    GS_ASSIGN_OR_RETURN(c.weight, toDouble(text.substr(0, star), text));
    if (c.weight <= 0) return makeError(codes::kInvalid, "distribution: weight in '" + text + "' must be positive");
    text = trimmed(text.substr(star + 1));
  }
  const auto open = text.find('(');
  if (open == std::string::npos || text.back() != ')')
    return makeError(codes::kInvalid, "distribution: '" + text + "' is not kind(args), e.g. lognormal(5.5,0.4)");
  const auto kind = trimmed(text.substr(0, open));
  const auto args = text.substr(open + 1, text.size() - open - 2);
  std::vector<double> v;
  std::size_t start = 0;
  while (start <= args.size()) {
    const auto comma = std::min(args.find(',', start), args.size());
    GS_ASSIGN_OR_RETURN(auto x, toDouble(args.substr(start, comma - start), text));
    v.push_back(x);
    start = comma + 1;
  }
  auto need = [&](std::size_t n) -> Status {
    if (v.size() != n)
      return makeError(codes::kInvalid, "distribution: " + kind + " takes " + std::to_string(n) + " argument(s)");
    return ok();
  };
  if (kind == "uniform") {
    GS_RETURN_IF_ERROR(need(2));
    if (v[1] < v[0]) return makeError(codes::kInvalid, "distribution: uniform(lo,hi) needs lo <= hi");
    c.kind = Component::Kind::Uniform;
  } else if (kind == "normal") {
    GS_RETURN_IF_ERROR(need(2));
    if (v[1] < 0) return makeError(codes::kInvalid, "distribution: normal(mean,sd) needs sd >= 0");
    c.kind = Component::Kind::Normal;
  } else if (kind == "lognormal") {
    GS_RETURN_IF_ERROR(need(2));
    if (v[1] < 0) return makeError(codes::kInvalid, "distribution: lognormal(mu,sigma) needs sigma >= 0");
    c.kind = Component::Kind::LogNormal;
  } else if (kind == "const") {
    GS_RETURN_IF_ERROR(need(1));
    v.push_back(0);
    c.kind = Component::Kind::Constant;
  } else {
    return makeError(codes::kInvalid, "distribution: unknown kind '" + kind + "' (uniform, normal, lognormal, const)");
  }
  c.a = v[0];
  c.b = v[1];
  return c;
}

} // namespace

Expected<DimDistribution> parseDistribution(const std::string& text) {
  DimDistribution d;
  std::string mix = text;
  if (const auto semi = text.find(';'); semi != std::string::npos) {
    mix = text.substr(0, semi);
    const auto opt = trimmed(text.substr(semi + 1));
    const auto dots = opt.find("..");
    if (opt.rfind("clamp=", 0) != 0 || dots == std::string::npos)
      return makeError(codes::kInvalid, "distribution: after ';' expected clamp=LO..HI, got '" + opt + "'");
    GS_ASSIGN_OR_RETURN(auto lo, toDouble(opt.substr(6, dots - 6), opt));
    GS_ASSIGN_OR_RETURN(auto hi, toDouble(opt.substr(dots + 2), opt));
    if (lo < 1 || hi < lo || hi > static_cast<double>(kMaxDim))
      return makeError(codes::kInvalid, "distribution: clamp needs 1 <= LO <= HI <= " + std::to_string(kMaxDim));
    d.lo = static_cast<int64_t>(lo);
    d.hi = static_cast<int64_t>(hi);
  }
  // Split at '+' that are not inside parentheses or part of a number's exponent.
  int depth = 0;
  std::string part;
  for (std::size_t i = 0; i <= mix.size(); ++i) {
    const char c = i < mix.size() ? mix[i] : '+';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == '+' && depth == 0 && i < mix.size() && i > 0 && (mix[i - 1] == 'e' || mix[i - 1] == 'E')) {
      part += c;
      continue;
    }
    if (c == '+' && depth == 0) {
      if (trimmed(part).empty())
        return makeError(codes::kInvalid, "distribution: an empty component in '" + text + "'");
      GS_ASSIGN_OR_RETURN(auto comp, parseComponent(part));
      d.mixture.push_back(comp);
      part.clear();
    } else {
      part += c;
    }
  }
  if (depth != 0) return makeError(codes::kInvalid, "distribution: unbalanced parentheses in '" + text + "'");
  return d;
}

std::string formatDistribution(const DimDistribution& d) {
  std::string s;
  char buf[128];
  for (const auto& c : d.mixture) {
    const char* kind = c.kind == Component::Kind::Uniform     ? "uniform"
                       : c.kind == Component::Kind::Normal    ? "normal"
                       : c.kind == Component::Kind::LogNormal ? "lognormal"
                                                              : "const";
    if (c.kind == Component::Kind::Constant)
      std::snprintf(buf, sizeof buf, "%s%g*%s(%g)", s.empty() ? "" : " + ", c.weight, kind, c.a);
    else
      std::snprintf(buf, sizeof buf, "%s%g*%s(%g,%g)", s.empty() ? "" : " + ", c.weight, kind, c.a, c.b);
    s += buf;
  }
  return s + "; clamp=" + std::to_string(d.lo) + ".." + std::to_string(d.hi);
}

Expected<Trace> generateTrace(const std::vector<NamedShape>& templ, const std::vector<DimDistribution>& dists,
                              int64_t requests, uint64_t seed) {
  if (requests < 1 || requests > kMaxEntries)
    return makeError(codes::kInvalid, "requests must be in 1.." + std::to_string(kMaxEntries));
  std::size_t holes = 0;
  for (const auto& t : templ)
    for (auto d : t.dims)
      holes += d < 0 ? 1 : 0;
  if (holes == 0) return makeError(codes::kInvalid, "the shape template has no -1 dim to draw");
  if (dists.size() != holes && dists.size() != 1)
    return makeError(codes::kInvalid, "the template has " + std::to_string(holes) + " -1 dim(s) but " +
                                          std::to_string(dists.size()) + " distribution(s) were given");
  for (const auto& d : dists)
    if (d.mixture.empty()) return makeError(codes::kInvalid, "a distribution has no component");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto draw = [&](const DimDistribution& d) {
    double total = 0;
    for (const auto& c : d.mixture)
      total += c.weight;
    double pick = unit(rng) * total;
    const Component* c = &d.mixture.back();
    for (const auto& m : d.mixture) {
      if (pick < m.weight) {
        c = &m;
        break;
      }
      pick -= m.weight;
    }
    double x = c->a;
    switch (c->kind) {
    case Component::Kind::Uniform:
      x = c->a + (c->b - c->a) * unit(rng);
      break;
    case Component::Kind::Normal:
      x = std::normal_distribution<double>(c->a, c->b)(rng);
      break;
    case Component::Kind::LogNormal:
      x = std::exp(std::normal_distribution<double>(c->a, c->b)(rng));
      break;
    case Component::Kind::Constant:
      break;
    }
    const double clamped = std::clamp(std::round(x), static_cast<double>(d.lo), static_cast<double>(d.hi));
    return static_cast<int64_t>(clamped);
  };
  Trace t;
  for (const auto& s : templ)
    t.inputs.push_back(s.name);
  t.requests.reserve(static_cast<std::size_t>(requests));
  for (int64_t r = 0; r < requests; ++r) {
    Request req;
    std::size_t hole = 0;
    for (const auto& s : templ) {
      auto dims = s.dims;
      for (auto& d : dims)
        if (d < 0) d = draw(dists.size() == 1 ? dists[0] : dists[hole++]);
      req.dims.push_back(std::move(dims));
    }
    t.requests.push_back(std::move(req));
  }
  return t;
}

} // namespace gs::traffic

// Trace text formats: CSV and JSON lines readers (strict, line-numbered errors) and the CSV writer.
#include "core/traffic/trace.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gs::traffic {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Valid UTF-8 (no overlongs, no surrogates): trace names end up in JSON reports.
bool isUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

Expected<int64_t> parseInt(std::string_view token, std::string_view what) {
  token = trim(token);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (token.empty() || ec != std::errc() || p != token.data() + token.size())
    return makeError(codes::kInvalid,
                     std::string(what) + " '" + std::string(token.substr(0, 32)) + "' is not an integer");
  return v;
}

Error atLine(const Error& e, const std::string& where, std::size_t line) {
  return Error{e.code, where + ":" + std::to_string(line) + ": " + e.message};
}

// Adds one entry, checking that it names the same inputs as the first one (reordered to its order).
Status addEntry(Trace& t, std::vector<NamedShape> shapes, int64_t count) {
  if (count < 1 || count > kMaxCount)
    return makeError(codes::kInvalid, "count " + std::to_string(count) + " is outside 1.." + std::to_string(kMaxCount));
  if (t.requests.empty() && t.inputs.empty()) {
    for (const auto& s : shapes)
      t.inputs.push_back(s.name);
  }
  if (shapes.size() != t.inputs.size())
    return makeError(codes::kInvalid, "names " + std::to_string(shapes.size()) + " input(s), the first entry names " +
                                          std::to_string(t.inputs.size()));
  Request r;
  r.count = count;
  r.dims.resize(t.inputs.size());
  std::vector<bool> seen(t.inputs.size(), false);
  for (auto& s : shapes) {
    const auto it = std::find(t.inputs.begin(), t.inputs.end(), s.name);
    if (it == t.inputs.end())
      return makeError(codes::kInvalid, "input '" + s.name + "' is not among the first entry's inputs");
    const auto k = static_cast<std::size_t>(it - t.inputs.begin());
    if (seen[k]) return makeError(codes::kInvalid, "input '" + s.name + "' appears twice");
    seen[k] = true;
    r.dims[k] = std::move(s.dims);
  }
  // The rank of an input cannot change between requests: a model input has one rank.
  if (!t.requests.empty())
    for (std::size_t k = 0; k < r.dims.size(); ++k)
      if (r.dims[k].size() != t.requests.front().dims[k].size())
        return makeError(codes::kInvalid, "input '" + t.inputs[k] + "' has rank " + std::to_string(r.dims[k].size()) +
                                              ", the first entry gives it rank " +
                                              std::to_string(t.requests.front().dims[k].size()));
  // Repeats of the previous entry become its count: a million-line log of few shapes stays small.
  if (!t.requests.empty() && t.requests.back().dims == r.dims && t.requests.back().count <= kMaxCount - r.count) {
    t.requests.back().count += r.count;
    return ok();
  }
  if (t.requests.size() >= static_cast<std::size_t>(kMaxEntries))
    return makeError(codes::kInvalid, "more than " + std::to_string(kMaxEntries) + " distinct entries");
  t.requests.push_back(std::move(r));
  return ok();
}

// Lines of the text, a leading UTF-8 byte-order mark skipped (editors on Windows write one).
template <class F> Status forEachLine(std::string_view text, F&& f) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t line = 0, start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    GS_RETURN_IF_ERROR(f(text.substr(start, end - start), line));
    start = end + 1;
  }
  return ok();
}

} // namespace

int64_t Trace::totalRequests() const {
  int64_t n = 0;
  for (const auto& r : requests)
    n += r.count;
  return n;
}

Expected<std::vector<NamedShape>> parseShapes(std::string_view text, bool allowUnknown) {
  std::vector<NamedShape> out;
  std::size_t start = 0;
  text = trim(text);
  if (text.empty()) return makeError(codes::kInvalid, "no shapes");
  while (start <= text.size()) {
    auto end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const auto item = trim(text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) {
      if (end == text.size()) break;
      return makeError(codes::kInvalid, "an empty item between ';'");
    }
    const auto colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return makeError(codes::kInvalid, "'" + std::string(item.substr(0, 64)) + "' is not name:d0,d1,...");
    NamedShape s;
    s.name = std::string(trim(item.substr(0, colon)));
    if (s.name.empty()) return makeError(codes::kInvalid, "an input name is empty");
    const auto dims = item.substr(colon + 1);
    std::size_t p = 0;
    while (p < dims.size()) { // "name:" is a scalar
      auto comma = dims.find(',', p);
      if (comma == std::string_view::npos) comma = dims.size();
      GS_ASSIGN_OR_RETURN(auto v, parseInt(dims.substr(p, comma - p), "input '" + s.name + "': dim"));
      if ((v < 1 && !(allowUnknown && v == -1)) || v > kMaxDim)
        return makeError(codes::kInvalid, "input '" + s.name + "': dim " + std::to_string(v) + " is outside 1.." +
                                              std::to_string(kMaxDim));
      s.dims.push_back(v);
      if (comma == dims.size()) break;
      p = comma + 1;
      if (p == dims.size()) return makeError(codes::kInvalid, "input '" + s.name + "': a trailing ','");
    }
    for (const auto& o : out)
      if (o.name == s.name) return makeError(codes::kInvalid, "input '" + s.name + "' appears twice");
    out.push_back(std::move(s));
  }
  return out;
}

std::string formatShapes(const std::vector<std::string>& names, const std::vector<std::vector<int64_t>>& dims) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < dims.size(); ++i) {
    if (i) s += ';';
    s += names[i] + ':';
    for (std::size_t d = 0; d < dims[i].size(); ++d) {
      if (d) s += ',';
      s += std::to_string(dims[i][d]);
    }
  }
  return s;
}

Expected<Trace> parseCsv(std::string_view text, const std::string& where) {
  Trace t;
  bool first = true;
  auto st = forEachLine(text, [&](std::string_view raw, std::size_t line) -> Status {
    const bool wasFirst = first;
    first = false;
    if (!isUtf8(raw)) return std::unexpected(atLine(Error{codes::kFormat, "not UTF-8 text"}, where, line));
    auto s = trim(raw);
    if (s.empty() || s.front() == '#') return ok();
    if (wasFirst && (s.starts_with("input_shape") || s.starts_with("shape")) && s.find(':') == std::string_view::npos)
      return ok(); // header
    std::string_view shapes = s;
    int64_t count = 1;
    if (s.front() == '"') {
      const auto close = s.find('"', 1);
      if (close == std::string_view::npos)
        return std::unexpected(atLine(Error{codes::kInvalid, "an unterminated quote"}, where, line));
      shapes = s.substr(1, close - 1);
      auto rest = trim(s.substr(close + 1));
      if (!rest.empty()) {
        if (rest.front() != ',')
          return std::unexpected(
              atLine(Error{codes::kInvalid, "expected ',' and a count after the quoted shapes"}, where, line));
        auto c = parseInt(rest.substr(1), "count");
        if (!c) return std::unexpected(atLine(c.error(), where, line));
        count = *c;
      }
    } else if (const auto tab = s.find('\t'); tab != std::string_view::npos) {
      shapes = s.substr(0, tab);
      auto c = parseInt(s.substr(tab + 1), "count");
      if (!c) return std::unexpected(atLine(c.error(), where, line));
      count = *c;
    }
    auto parsed = parseShapes(shapes);
    if (!parsed) return std::unexpected(atLine(parsed.error(), where, line));
    if (auto a = addEntry(t, std::move(*parsed), count); !a) return std::unexpected(atLine(a.error(), where, line));
    return ok();
  });
  if (!st) return std::unexpected(st.error());
  if (t.requests.empty()) return makeError(codes::kInvalid, where + ": the trace has no requests");
  return t;
}

Expected<Trace> parseJsonLines(std::string_view text, const std::string& where) {
  Trace t;
  auto st = forEachLine(text, [&](std::string_view raw, std::size_t line) -> Status {
    auto s = trim(raw);
    if (s.empty() || s.front() == '#') return ok();
    auto fail = [&](const std::string& m) { return std::unexpected(atLine(Error{codes::kInvalid, m}, where, line)); };
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(s);
    } catch (const std::exception& e) {
      return std::unexpected(atLine(Error{codes::kFormat, std::string("not JSON: ") + e.what()}, where, line));
    }
    if (!j.is_object()) return fail("expected a JSON object");
    std::vector<NamedShape> shapes;
    int64_t count = 1;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto& key = it.key();
      if (key == "count") {
        if (!it->is_number_integer()) return fail("\"count\" must be an integer");
        count = it->get<int64_t>();
      } else if (key == "input_shape") {
        if (!it->is_string()) return fail("\"input_shape\" must be a string");
        auto p = parseShapes(it->get<std::string>());
        if (!p) return std::unexpected(atLine(p.error(), where, line));
        shapes = std::move(*p);
      } else if (key == "shapes") {
        if (!it->is_object()) return fail("\"shapes\" must be an object of name: [dims]");
        for (auto s2 = it->begin(); s2 != it->end(); ++s2) {
          NamedShape ns;
          ns.name = s2.key();
          if (ns.name.empty()) return fail("an input name is empty");
          if (!s2->is_array()) return fail("input '" + ns.name + "': dims must be an array");
          for (const auto& d : *s2) {
            if (!d.is_number_integer()) return fail("input '" + ns.name + "': a dim is not an integer");
            const auto v = d.get<int64_t>();
            if (v < 1 || v > kMaxDim)
              return fail("input '" + ns.name + "': dim " + std::to_string(v) + " is outside 1.." +
                          std::to_string(kMaxDim));
            ns.dims.push_back(v);
          }
          shapes.push_back(std::move(ns));
        }
      } else {
        return fail("unknown key \"" + key.substr(0, 32) + "\" (expected shapes, input_shape, count)");
      }
    }
    if (shapes.empty()) return fail("no \"shapes\" or \"input_shape\"");
    if (auto a = addEntry(t, std::move(shapes), count); !a) return std::unexpected(atLine(a.error(), where, line));
    return ok();
  });
  if (!st) return std::unexpected(st.error());
  if (t.requests.empty()) return makeError(codes::kInvalid, where + ": the trace has no requests");
  return t;
}

namespace {
bool isJsonLinesPath(const std::string& path) {
  for (const char* ext : {".jsonl", ".ndjson", ".json"}) {
    const std::string e = ext;
    if (path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}
} // namespace

Expected<Trace> readTrace(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return makeError(codes::kIo, "cannot open trace '" + path + "': " + ec.message());
  if (size > kMaxFileBytes)
    return makeError(codes::kInvalid, "trace '" + path + "' is " + std::to_string(size >> 20) + " MiB, over the " +
                                          std::to_string(kMaxFileBytes >> 20) + " MiB a trace may have");
  std::ifstream f(path, std::ios::binary);
  if (!f) return makeError(codes::kIo, "cannot open trace '" + path + "'");
  std::ostringstream ss;
  ss << f.rdbuf();
  if (f.bad()) return makeError(codes::kIo, "error while reading trace '" + path + "'");
  const auto text = ss.str();
  return isJsonLinesPath(path) ? parseJsonLines(text, path) : parseCsv(text, path);
}

std::string toCsv(const Trace& t) {
  std::string out = "input_shape,count\n";
  for (const auto& r : t.requests) {
    out += '"';
    out += formatShapes(t.inputs, r.dims);
    out += "\",";
    out += std::to_string(r.count);
    out += '\n';
  }
  return out;
}

Status writeTrace(const Trace& t, const std::string& path) {
  std::string text;
  if (isJsonLinesPath(path)) {
    for (const auto& r : t.requests) {
      nlohmann::json shapes = nlohmann::json::object();
      for (std::size_t i = 0; i < t.inputs.size(); ++i)
        shapes[t.inputs[i]] = r.dims[i];
      nlohmann::json j{{"shapes", shapes}};
      if (r.count != 1) j["count"] = r.count;
      text += j.dump() + "\n";
    }
  } else {
    text = toCsv(t);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return makeError(codes::kIo, "cannot write trace '" + path + "'");
  f << text;
  f.close();
  if (!f) return makeError(codes::kIo, "error while writing trace '" + path + "'");
  return ok();
}

std::vector<std::size_t> replayOrder(const Trace& t, int64_t n) {
  std::vector<std::size_t> out;
  const int64_t total = t.totalRequests();
  if (total == 0) return out;
  if (n <= 0) n = total;
  out.reserve(static_cast<std::size_t>(n));
  while (static_cast<int64_t>(out.size()) < n)
    for (std::size_t i = 0; i < t.requests.size() && static_cast<int64_t>(out.size()) < n; ++i)
      for (int64_t c = 0; c < t.requests[i].count && static_cast<int64_t>(out.size()) < n; ++c)
        out.push_back(i);
  return out;
}

} // namespace gs::traffic

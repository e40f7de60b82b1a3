// Syntax of the shape options: --input_shape, --input_shape_range, --dynamic_batch_size,
// --dynamic_image_size, --dynamic_dims, and the limits every gear list must meet.
#include "core/compiler/shape_config/shape_parse.h"

#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "core/common/utf8.h"

namespace gs::shape_config::detail {
namespace {

std::optional<int64_t> toInt64(std::string_view s) {
  int64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty()) return std::nullopt;
  return v;
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string_view stripTrailing(std::string_view s, char sep) {
  s = trim(s);
  while (!s.empty() && s.back() == sep)
    s = trim(s.substr(0, s.size() - 1));
  return s;
}

// Where one dim token of one input sits, for messages.
struct TokenContext {
  std::string_view param;   // "input_shape"
  std::string_view segment; // "x:1,a,3"
  std::string_view input;   // "x"
  std::size_t index;        // dim position
  const char* sample;
};

Error tokenError(const char* code, const TokenContext& c, const std::string& reason) {
  return Error{code, invalidValue(c.param, c.segment,
                                  "dim " + std::to_string(c.index) + " of input [" + std::string(c.input) + "] " +
                                      reason + ". The correct format is " + c.sample)};
}

// One dim: "3", "-1" (returned as Gear), "lo~hi".
Expected<DimSpec> parseDimToken(std::string_view tok, const TokenContext& c) {
  if (tok.empty()) return std::unexpected(tokenError("E10002", c, "is empty"));
  if (tok.find('.') != std::string_view::npos)
    return std::unexpected(tokenError("E10002", c, "is [" + std::string(tok) + "]: float numbers are not supported"));
  if (const auto tilde = tok.find('~'); tilde != std::string_view::npos) {
    const auto loText = trim(tok.substr(0, tilde));
    const auto hiText = trim(tok.substr(tilde + 1));
    if (!allDigits(loText) || !allDigits(hiText))
      return std::unexpected(tokenError("E10002", c,
                                        "is the range [" + std::string(tok) +
                                            "]: a range is lo~hi with two non-negative integers; write -1 alone "
                                            "for an unbounded dim"));
    const auto lo = toInt64(loText);
    const auto hi = toInt64(hiText);
    if (!lo || !hi || *lo > kMaxDim || *hi > kMaxDim)
      return std::unexpected(tokenError("E10002", c,
                                        "is the range [" + std::string(tok) + "]: a bound is out of range (at most " +
                                            std::to_string(kMaxDim) + ")"));
    if (*lo > *hi)
      return std::unexpected(
          tokenError("E10002", c, "is the range [" + std::string(tok) + "]: the lower bound exceeds the upper"));
    return DimSpec::range(*lo, *hi);
  }
  const auto digits = (tok.front() == '-') ? tok.substr(1) : tok;
  if (!allDigits(digits))
    return std::unexpected(tokenError("E10002", c, "is [" + std::string(tok) + "]: it is not a digit"));
  const auto v = toInt64(tok);
  if (!v || *v > kMaxDim)
    return std::unexpected(tokenError(
        "E10002", c, "is [" + std::string(tok) + "]: out of range (at most " + std::to_string(kMaxDim) + ")"));
  if (*v == -1) return DimSpec::gear();
  if (*v <= 0)
    return std::unexpected(
        tokenError("E10011", c, "is " + std::to_string(*v) + "; a dim must be > 0, or -1 for a dynamic dim"));
  return DimSpec::fixed(*v);
}

// Shared by both shape options: ';' between inputs, the name split at the LAST ':'.
template <class ParseValue>
Expected<std::vector<InputSpec>> parseInputs(std::string_view param, std::string_view text, const char* sample,
                                             ParseValue parseValue) {
  std::vector<InputSpec> inputs;
  std::set<std::string> seen;
  const auto body = stripTrailing(text, ';');
  for (auto rawSegment : split(body, ';')) {
    const auto segment = trim(rawSegment);
    if (segment.empty())
      return makeError(
          "E10002",
          invalidValue(param, text, std::string("an input between ';' is empty. The correct format is ") + sample));
    const auto colon = segment.rfind(':');
    if (colon == std::string_view::npos)
      return makeError("E10002", invalidValue(param, segment,
                                              std::string("the shape must contain two parts: name and value. "
                                                          "The correct format is ") +
                                                  sample));
    InputSpec in;
    in.name = std::string(trim(segment.substr(0, colon)));
    if (in.name.empty())
      return makeError("E10002", invalidValue(param, segment,
                                              std::string("the input name is empty. The correct format is ") + sample));
    if (!seen.insert(in.name).second)
      return makeError("E10001", invalidValue(param, text, "input [" + in.name + "] is given more than once"));
    GS_RETURN_IF_ERROR(parseValue(in, segment, trim(segment.substr(colon + 1))));
    inputs.push_back(std::move(in));
  }
  return inputs;
}

Status parseDims(InputSpec& in, std::string_view param, std::string_view segment, std::string_view value,
                 const char* sample) {
  if (value.empty()) {
    in.scalar = true;
    return ok();
  }
  const auto tokens = split(value, ',');
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    GS_ASSIGN_OR_RETURN(auto dim, parseDimToken(trim(tokens[i]), TokenContext{param, segment, in.name, i, sample}));
    in.dims.push_back(dim);
  }
  return ok();
}

} // namespace

std::string invalidValue(std::string_view param, std::string_view value, std::string_view reason) {
  std::string r(reason);
  if (!r.empty() && r.back() != '.') r += '.';
  return "Value [" + utf8::sanitize(value) + "] for parameter [--" + std::string(param) +
         "] is invalid. Reason: " + utf8::sanitize(r);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

Expected<std::vector<InputSpec>> parseInputShape(std::string_view text) {
  return parseInputs("input_shape", text, kInputShapeSample,
                     [](InputSpec& in, std::string_view segment, std::string_view value) {
                       return parseDims(in, "input_shape", segment, value, kInputShapeSample);
                     });
}

Expected<std::vector<InputSpec>> parseInputShapeRange(std::string_view text) {
  return parseInputs("input_shape_range", text, kInputShapeRangeSample,
                     [](InputSpec& in, std::string_view segment, std::string_view value) -> Status {
                       const bool bracketed = value.size() >= 2 && value.front() == '[' && value.back() == ']' &&
                                              value.find_first_of("[]", 1) == value.size() - 1;
                       if (!bracketed)
                         return makeError("E10002",
                                          invalidValue("input_shape_range", segment,
                                                       std::string("the value of input [") + in.name +
                                                           "] must be one pair of '[]'. The correct format is " +
                                                           kInputShapeRangeSample));
                       GS_RETURN_IF_ERROR(parseDims(in, "input_shape_range", segment,
                                                    trim(value.substr(1, value.size() - 2)), kInputShapeRangeSample));
                       // Without a gear option, -1 is a fully dynamic dim.
                       for (auto& d : in.dims)
                         if (d.kind == DimSpec::Kind::Gear) d = DimSpec::unbounded();
                       return ok();
                     });
}

std::string_view gearOptionName(Strategy strategy) {
  switch (strategy) {
  case Strategy::DynamicBatch:
    return "dynamic_batch_size";
  case Strategy::DynamicImageSize:
    return "dynamic_image_size";
  case Strategy::DynamicDims:
    return "dynamic_dims";
  default:
    return "";
  }
}

Expected<std::vector<std::vector<int64_t>>> parseGears(Strategy strategy, std::string_view text) {
  const auto param = gearOptionName(strategy);
  const bool batch = strategy == Strategy::DynamicBatch;
  // ATC: batch sizes take digits and ','; image sizes and dims also ';' and ' '.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool valid = (c >= '0' && c <= '9') || c == ',' || (!batch && (c == ';' || c == ' '));
    if (!valid) // the whole character, not one byte of it
      return makeError("E10003", invalidValue(param, text,
                                              std::string("it can only contain digits") +
                                                  (batch ? " and \",\"" : ", \",\", \" \" and \";\"") + "; found [" +
                                                  utf8::characterAt(text, i) + "]"));
  }
  std::vector<std::vector<int64_t>> gears;
  const auto parseValue = [&](std::string_view item, std::size_t gearIndex) -> Expected<int64_t> {
    const auto t = trim(item);
    if (t.empty())
      return makeError("E10003",
                       invalidValue(param, text, "gear " + std::to_string(gearIndex) + " has an empty value"));
    const auto v = toInt64(t);
    if (!v) return makeError("E10003", invalidValue(param, text, "value [" + std::string(t) + "] is out of range"));
    return *v;
  };
  if (batch) {
    const auto items = split(stripTrailing(text, ','), ',');
    for (std::size_t i = 0; i < items.size(); ++i) {
      GS_ASSIGN_OR_RETURN(auto v, parseValue(items[i], i));
      gears.push_back({v});
    }
  } else {
    const auto sets = split(stripTrailing(text, ';'), ';');
    for (std::size_t i = 0; i < sets.size(); ++i) {
      std::vector<int64_t> gear;
      for (auto item : split(sets[i], ',')) {
        GS_ASSIGN_OR_RETURN(auto v, parseValue(item, i));
        gear.push_back(v);
      }
      if (strategy == Strategy::DynamicImageSize && gear.size() != 2)
        return makeError("E10020",
                         invalidValue(param, text,
                                      "gear " + std::to_string(i) + " [" + std::string(trim(sets[i])) + "] has " +
                                          countOf(gear.size(), "value") + "; each gear must be \"height,width\""));
      gears.push_back(std::move(gear));
    }
  }
  GS_RETURN_IF_ERROR(checkGearList(strategy, gears));
  return gears;
}

Status checkGearList(Strategy strategy, const std::vector<std::vector<int64_t>>& gears) {
  const std::string param = "[--" + std::string(gearOptionName(strategy)) + "]";
  if (gears.size() < kMinGears)
    return makeError("E10035", param + " has [" + std::to_string(gears.size()) +
                                   "] gears, which is less than the minimum [" + std::to_string(kMinGears) + "].");
  if (gears.size() > kMaxGears)
    return makeError("E10036", param + " has [" + std::to_string(gears.size()) +
                                   "] gears, which is more than the maximum [" + std::to_string(kMaxGears) + "].");
  for (std::size_t i = 1; i < gears.size(); ++i)
    if (gears[i].size() != gears[0].size())
      return makeError("E10037", param + " has gears of different lengths: gear 0 [" + joinGear(gears[0]) + "] has " +
                                     std::to_string(gears[0].size()) + " values, gear " + std::to_string(i) + " [" +
                                     joinGear(gears[i]) + "] has " + std::to_string(gears[i].size()) + ".");
  for (std::size_t i = 0; i < gears.size(); ++i)
    for (auto v : gears[i])
      if (v <= 0)
        return makeError("E10038", param + " gear " + std::to_string(i) + " [" + joinGear(gears[i]) +
                                       "] has the value [" + std::to_string(v) +
                                       "]; gear values must be positive integers.");
  std::map<std::vector<int64_t>, std::size_t> first;
  for (std::size_t i = 0; i < gears.size(); ++i) {
    const auto [it, inserted] = first.emplace(gears[i], i);
    if (!inserted)
      return makeError("E10039", param + " has duplicate gears: gear " + std::to_string(it->second) + " and gear " +
                                     std::to_string(i) + " are both [" + joinGear(gears[i]) + "].");
  }
  return ok();
}

std::string formatInput(const InputSpec& input, bool rangeForm) {
  std::string dims;
  for (std::size_t i = 0; i < input.dims.size(); ++i) {
    if (i) dims += ',';
    dims += input.dims[i].str();
  }
  return input.name + ":" + (rangeForm ? "[" + dims + "]" : dims);
}

std::string countOf(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string joinGear(const std::vector<int64_t>& gear) {
  std::string out;
  for (std::size_t i = 0; i < gear.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(gear[i]);
  }
  return out;
}

} // namespace gs::shape_config::detail

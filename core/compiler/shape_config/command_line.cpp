// Shell-style command lines: splitting a pasted `atc ...` line into words the way a POSIX shell
// would, and printing options back with the quoting a shell needs.
#include "core/compiler/shape_config/atc_options.h"
#include "core/compiler/shape_config/precision_config.h"

#include "core/common/utf8.h"
#include "core/compiler/shape_config/atc_checks.h"

namespace gs::shape_config {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters a shell passes through unquoted in the middle of a word. `~` is left out because a
// shell expands it after `=` and `:` in some positions.
bool isShellSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == '/' || c == ':' || c == ',' || c == '+' || c == '=' || c == '@' || c == '%';
}

bool isAtcProgram(std::string_view w) { return w == "atc" || (w.size() > 4 && w.substr(w.size() - 4) == "/atc"); }

} // namespace

Expected<std::vector<std::string>> splitShellWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false; // also true for an empty quoted word ('')
  std::size_t i = 0;
  const auto n = line.size();
  const auto endWord = [&] {
    if (inWord) words.push_back(std::move(word));
    word.clear();
    inWord = false;
  };
  while (i < n) {
    const char c = line[i];
    if (isBlank(c)) {
      endWord();
      ++i;
    } else if (c == '#' && !inWord) {
      while (i < n && line[i] != '\n')
        ++i;
    } else if (c == '\\') {
      if (i + 1 >= n) return makeError(codes::kInvalid, "Command line ends with a lone backslash.");
      // Line continuation: backslash-newline (also backslash-CR-LF from a Windows paste) vanishes.
      if (line[i + 1] == '\n') {
        i += 2;
      } else if (line[i + 1] == '\r' && i + 2 < n && line[i + 2] == '\n') {
        i += 3;
      } else {
        word += line[i + 1];
        inWord = true;
        i += 2;
      }
    } else if (c == '\'') {
      const auto close = line.find('\'', i + 1);
      if (close == std::string_view::npos)
        return makeError(codes::kInvalid,
                         "Command line has an unterminated single quote at column " + std::to_string(i + 1) + ".");
      word.append(line.substr(i + 1, close - i - 1));
      inWord = true;
      i = close + 1;
    } else if (c == '"') {
      const auto start = i;
      ++i;
      bool closed = false;
      while (i < n) {
        const char d = line[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < n) {
          const char e = line[i + 1];
          if (e == '\n') {
            i += 2;
            continue;
          }
          if (e == '"' || e == '\\' || e == '$' || e == '`') {
            word += e;
            i += 2;
            continue;
          }
        }
        word += d;
        ++i;
      }
      if (!closed)
        return makeError(codes::kInvalid,
                         "Command line has an unterminated double quote at column " + std::to_string(start + 1) + ".");
      inWord = true;
    } else {
      word += c;
      inWord = true;
      ++i;
    }
  }
  endWord();
  return words;
}

Expected<AtcOptions> parseCommandLine(std::string_view line) {
  GS_ASSIGN_OR_RETURN(auto words, splitShellWords(line));
  std::span<const std::string> args(words);
  if (!args.empty() && isAtcProgram(args.front())) args = args.subspan(1);
  return parseArgs(args);
}

std::string shellQuote(std::string_view word) {
  if (word.empty()) return "\"\"";
  bool safe = true;
  for (char c : word)
    safe = safe && isShellSafe(c);
  if (safe) return std::string(word);
  // Double quotes, as ATC's documentation writes values, unless `!` (history expansion in an
  // interactive shell) makes single quotes the safer choice.
  if (word.find('!') == std::string_view::npos) {
    std::string out = "\"";
    for (char c : word) {
      if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::vector<std::string> realAtcNeeds(const AtcOptions& opts) {
  std::vector<std::string> needs;
  const int mode = opts.mode.value_or(0);
  if ((mode == 0 || mode == 3) && (!opts.soc_version || opts.soc_version->empty()))
    needs.push_back("--soc_version: the target Ascend chip (e.g. Ascend310P3); real atc refuses to build without "
                    "it, GearStudio builds for this CPU");
  return needs;
}

std::string atcScript(const AtcOptions& opts, std::string_view modelName, const Error* problem) {
  const auto needs = realAtcNeeds(opts);
  std::string out = "#!/bin/sh\n";
  out += "# ATC command for " + utf8::sanitize(modelName) + ", written by GearStudio.\n";
  if (problem)
    out += "# GearStudio did NOT accept these options: " + problem->str() + "\n# Real atc will refuse them too.\n";
  else
    out += "# GearStudio checked these options against the model; the shape options behave the same in atc.\n";
  const bool soc = !needs.empty() && (!opts.soc_version || opts.soc_version->empty());
  for (const auto& n : needs)
    out += "# Real atc also needs " + n + ".\n";
  // GearStudio's own options (bf16, int8 calibration) are left out: real atc would refuse them.
  AtcOptions forAtc;
  std::string dropped;
  for (const auto& [key, value] : opts.given)
    if (isGearStudioExtension(key, value))
      dropped += " --" + key + "=" + shellQuote(value);
    else [[maybe_unused]]
      auto s = setOption(forAtc, key, value);
  if (!dropped.empty())
    out += "# Left out, GearStudio extensions real atc does not take:" + utf8::sanitize(dropped) + "\n";
  std::string line = toCommandLine(forAtc);
  if (soc) {
    out += ": \"${SOC_VERSION:?set SOC_VERSION to the target Ascend chip, e.g. SOC_VERSION=Ascend310P3}\"\n";
    line += " --soc_version=\"$SOC_VERSION\"";
  }
  return out + utf8::sanitize(line) + "\n";
}

std::string toCommandLine(const AtcOptions& opts) {
  std::string line = "atc";
  for (auto key : supportedOptions()) {
    const auto value = getOption(opts, key);
    if (!value) continue;
    line += " --";
    line += key;
    line += '=';
    line += shellQuote(*value);
  }
  if (opts.help) line += " --help";
  return line;
}

} // namespace gs::shape_config

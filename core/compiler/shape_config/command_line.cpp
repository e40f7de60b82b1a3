// Shell-style command lines: splitting a pasted `atc ...` line into words the way a POSIX shell
// would, and printing options back with the quoting a shell needs.
#include "core/compiler/shape_config/atc_options.h"

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

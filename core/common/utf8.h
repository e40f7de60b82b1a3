// UTF-8 checks for text that GearStudio did not write itself (command-line arguments, names and
// strings inside model files) before it enters a message or a JSON document. JSON must be UTF-8
// (nlohmann::json::dump throws on anything else), and a message that copies one byte of a
// multi-byte character would otherwise carry half a character. Invalid bytes are kept visible, not
// dropped: each becomes the four characters "\xFF" (its value in hex), so that the user can still
// see which byte was wrong.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gs::utf8 {

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool isValid(std::string_view s);

// Length of the well-formed sequence starting at s[pos] (1..4), or 0 when the byte there does not
// start one (or the sequence is cut off by the end of s).
std::size_t sequenceLength(std::string_view s, std::size_t pos);

// s with every byte that is not part of a well-formed sequence written as "\xHH" (upper-case hex).
// Valid text comes back unchanged.
std::string sanitize(std::string_view s);

// The whole character that contains byte pos of s, for messages that name "the character found":
// a well-formed sequence starting at pos is returned as is, anything else as sanitize() writes it.
std::string characterAt(std::string_view s, std::size_t pos);

// Sanitizes every string (values and object keys) of a JSON document in place. Written against the
// nlohmann::json interface so that core/common needs no JSON dependency; call it on a document
// built from outside text just before it is dumped.
template <class Json> void sanitizeStrings(Json& j) {
  if (j.is_string()) {
    auto& s = j.template get_ref<std::string&>();
    if (!isValid(s)) s = sanitize(s);
  } else if (j.is_array()) {
    for (auto& e : j)
      sanitizeStrings(e);
  } else if (j.is_object()) {
    bool keysValid = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      keysValid = keysValid && isValid(it.key());
      sanitizeStrings(it.value());
    }
    if (!keysValid) {
      Json fixed = Json::object();
      for (auto it = j.begin(); it != j.end(); ++it)
        fixed[sanitize(it.key())] = std::move(it.value());
      j = std::move(fixed);
    }
  }
}

} // namespace gs::utf8

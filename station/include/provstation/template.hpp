// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <provstation/result.hpp>

#include <map>
#include <string>
#include <string_view>

namespace provstation {

/// @brief Station placeholders: `{{unit.mac}}`, `{{batch.provider_rule}}` … Names are
/// `[a-z0-9_.]+`, optionally padded with spaces inside the braces. The phone's own `$` macros
/// are a different syntax and pass through untouched.
using template_values = std::map<std::string, std::string, std::less<>>;

/// @brief Replaces every placeholder with its XML-escaped value. An unknown or malformed
/// placeholder is an error naming it (templates with typos fail loudly, not silently).
result<std::string> render_template(std::string_view text, const template_values& values);

/// @brief Escapes `& < > " '` for XML text and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace provstation

// SPDX-License-Identifier: Apache-2.0
#include <provstation/phonesim/flat_profile.hpp>

#include <pugixml.hpp>

#include <cctype>
#include <cstring>
#include <string>

namespace provstation::phonesim {

namespace {

constexpr std::size_t max_depth = 64;
constexpr std::size_t max_alias_map_bytes = 8192;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::string_view part = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty()) parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

bool has_element_child(const pugi::xml_node& node) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element) return true;
  }
  return false;
}

std::string element_text(const pugi::xml_node& node) {
  std::string text;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return std::string(trim(text));
}

// pugixml cannot tell <a/> from <a></a>; look at the source text: does the start tag of the
// element whose name starts at `offset` end with "/>"?
bool is_self_closing(std::string_view xml, std::ptrdiff_t offset) {
  if (offset <= 0 || static_cast<std::size_t>(offset) >= xml.size()) return false;
  char quote = 0;
  for (std::size_t i = static_cast<std::size_t>(offset); i < xml.size(); ++i) {
    const char c = xml[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i > 0 && xml[i - 1] == '/';
    }
  }
  return false;
}

// Collects the parameters below a <flat-profile> element: leaf elements at any depth.
void collect(const pugi::xml_node& node, std::string_view xml, parameter_map& out,
             std::size_t depth) {
  if (depth > max_depth) return;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (has_element_child(child)) {
      collect(child, xml, out, depth + 1);
      continue;
    }
    const bool empty = child.first_child().empty();
    if (empty && !child.attribute("ua").empty() && is_self_closing(xml, child.offset_debug())) {
      // <Name ua="rw"/> changes only the user access and leaves the value as it is.
      continue;
    }
    out.insert_or_assign(std::string(child.name()), element_text(child));
  }
}

void find_flat_profiles(const pugi::xml_node& node, std::string_view xml, parameter_map& out,
                        bool& found, std::size_t depth) {
  if (depth > max_depth) return;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (std::strcmp(child.name(), "flat-profile") == 0) {
      found = true;
      collect(child, xml, out, depth + 1);
    } else {
      find_flat_profiles(child, xml, out, found, depth + 1);
    }
  }
}

bool path_ends_with(const std::vector<std::string>& path, const std::vector<std::string>& suffix) {
  if (suffix.empty() || suffix.size() > path.size()) return false;
  const std::size_t skip = path.size() - suffix.size();
  for (std::size_t k = 0; k < suffix.size(); ++k) {
    if (path[skip + k] != suffix[k]) return false;
  }
  return true;
}

void apply_aliases(const pugi::xml_node& node, std::vector<std::string>& path,
                   std::span<const alias_entry> aliases, parameter_map& out, bool& found,
                   std::size_t depth) {
  if (depth > max_depth) return;
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    path.emplace_back(child.name());
    if (has_element_child(child)) {
      apply_aliases(child, path, aliases, out, found, depth + 1);
    } else {
      for (const alias_entry& alias : aliases) {
        if (path_ends_with(path, alias.source_path)) {
          out.insert_or_assign(alias.target, element_text(child));
          found = true;
        }
      }
    }
    path.pop_back();
  }
}

}  // namespace

result<std::vector<alias_entry>> parse_alias_map(std::string_view text) {
  if (text.size() > max_alias_map_bytes) return make_error("alias map is too long");
  std::vector<alias_entry> entries;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t semi = text.find(';', start);
    if (semi == std::string_view::npos) semi = text.size();
    const std::string_view item = trim(text.substr(start, semi - start));
    start = semi + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return make_error("alias entry without '='");
    alias_entry entry;
    entry.source_path = split_path(trim(item.substr(0, eq)));
    const std::vector<std::string> target = split_path(trim(item.substr(eq + 1)));
    if (entry.source_path.empty() || target.empty())
      return make_error("alias entry with an empty path");
    entry.target = target.back();
    entries.push_back(std::move(entry));
    if (entries.size() > max_alias_entries) return make_error("alias map has more than 30 entries");
  }
  return entries;
}

result<parameter_map> parse_flat_profile(std::string_view xml,
                                         std::span<const alias_entry> aliases) {
  if (xml.size() > max_profile_bytes) return make_error("profile is too large");
  pugi::xml_document doc;
  const unsigned flags = pugi::parse_default & ~pugi::parse_wconv_attribute;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), flags, pugi::encoding_utf8);
  if (!parsed) {
    return make_error(std::string("invalid XML: ") + parsed.description() + " at byte " +
                      std::to_string(parsed.offset));
  }
  parameter_map out;
  bool found = false;
  find_flat_profiles(doc, xml, out, found, 0);
  if (!aliases.empty()) {
    std::vector<std::string> path;
    apply_aliases(doc, path, aliases, out, found, 0);
  }
  if (!found) return make_error("no <flat-profile> element");
  return out;
}

}  // namespace provstation::phonesim

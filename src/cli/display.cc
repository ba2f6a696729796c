// Terminal display helpers.
#include "cli/display.h"

#include <locale.h>
#include <wchar.h>

#include <algorithm>

#include "util/json_reader.h"

namespace syncline {

size_t DisplayWidth(std::string_view utf8) {
  // wcwidth needs a UTF-8 locale; one of our own, so the process's stays as it is.
  static locale_t utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  if (!utf8_locale) return utf8.size();
  locale_t previous = uselocale(utf8_locale);
  size_t width = 0;
  mbstate_t state{};
  while (!utf8.empty()) {
    wchar_t wc = 0;
    size_t n = mbrtowc(&wc, utf8.data(), utf8.size(), &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) {
      state = mbstate_t{};
      ++width;  // an invalid or cut byte (the terminal shows a replacement mark)
      utf8.remove_prefix(1);
      continue;
    }
    int w = wcwidth(wc);
    width += w < 0 ? 1 : static_cast<size_t>(w);
    utf8.remove_prefix(n);
  }
  uselocale(previous);
  return width;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = DisplayWidth(header[i]);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(r[i]));
    }
  }
  std::string out;
  auto add = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size() && i < width.size()) out += std::string(width[i] - DisplayWidth(r[i]) + 2, ' ');
    }
    out += "\n";
  };
  add(header);
  for (const auto& r : rows) add(r);
  return out;
}

std::string ItemLabel(const Json& item) {
  const Json& collection = JsonField(item, "collection");
  std::string name = JsonText(item, "name");
  if (name.empty()) name = JsonText(item, "key");
  return collection.is_string() && !collection.get<std::string>().empty()
             ? collection.get<std::string>() + "/" + name
             : name;
}

std::vector<std::pair<std::string, std::string>> ItemCandidates(const std::string& name,
                                                                const std::string& collection) {
  if (!collection.empty()) return {{name, collection}};
  std::vector<std::pair<std::string, std::string>> out = {{name, ""}};
  size_t slash = name.find('/');
  if (slash != std::string::npos && slash > 0 && slash + 1 < name.size()) {
    out.emplace_back(name.substr(slash + 1), name.substr(0, slash));
  }
  return out;
}

std::string ShortVersionVector(const Json& vv, const std::string& first_node) {
  if (!vv.is_object()) return DumpJson(vv);
  struct Entry {
    std::string node;
    int64_t counter;
  };
  std::vector<Entry> entries;
  for (const auto& [node, counter] : vv.items()) {
    entries.push_back({node, counter.is_number_integer() ? counter.get<int64_t>() : 0});
  }
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if ((a.node == first_node) != (b.node == first_node)) return a.node == first_node;
    return a.counter > b.counter;
  });
  std::string out;
  for (const Entry& e : entries) {
    out += (out.empty() ? "" : ", ") + e.node.substr(0, 8) + ":" + std::to_string(e.counter);
  }
  return out.empty() ? "-" : out;
}

}  // namespace syncline

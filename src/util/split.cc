#include "util/split.h"

#include <sstream>

namespace syncline {

std::vector<std::string> SplitList(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace syncline
